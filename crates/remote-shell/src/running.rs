//! The commands running right now, by their keeper's pid.
//!
//! Each command runs under its connection's keeper (see [`crate::keeper`]),
//! which kills the command and everything it started when told to. The
//! server keeps a handle on each busy keeper's socket here so that, when it
//! stops, it can end every running command at once, even one whose
//! connection thread is stuck.

use std::collections::HashMap;
use std::io::Write;
use std::os::unix::net::UnixStream;
use std::sync::{Arc, Mutex};

/// The keepers of all commands running right now, with a handle on each one's socket.
#[derive(Default, Debug)]
pub struct Running(Mutex<HashMap<i32, Arc<UnixStream>>>);

impl Running {
    pub(crate) fn insert(&self, keeper: i32, stop: Arc<UnixStream>) {
        if let Ok(mut map) = self.0.lock() {
            map.insert(keeper, stop);
        }
    }
    pub(crate) fn remove(&self, keeper: i32) {
        if let Ok(mut map) = self.0.lock() {
            map.remove(&keeper);
        }
    }
    /// The keepers' pids.
    pub fn snapshot(&self) -> Vec<i32> {
        self.0
            .lock()
            .map(|m| m.keys().copied().collect())
            .unwrap_or_default()
    }
    /// Tell every keeper to kill its command and everything the command
    /// started, and to exit (a quit message on its socket). Returns how
    /// many were told.
    pub fn stop_all(&self) -> usize {
        let Ok(map) = self.0.lock() else { return 0 };
        for stop in map.values() {
            let _ = (&**stop).write(&[crate::keeper_wire::QUIT]);
        }
        map.len()
    }
}
