//! The process groups of the commands running right now.
//!
//! Each command runs in its own process group (its shell's pid is the group
//! id), so one `killpg` reaches the shell and everything it started. The
//! server keeps the ids here so that, when it stops, it can kill every
//! running command at once — even one whose connection thread is stuck.

use nix::sys::signal::{killpg, Signal};
use nix::unistd::Pid;
use std::collections::HashSet;
use std::sync::Mutex;

/// The process groups of all commands running right now, so that a
/// stopping server can kill them all at once.
#[derive(Default, Debug)]
pub struct Groups(Mutex<HashSet<i32>>);

impl Groups {
    pub(crate) fn insert(&self, pgid: i32) {
        if let Ok(mut set) = self.0.lock() {
            set.insert(pgid);
        }
    }
    pub(crate) fn remove(&self, pgid: i32) {
        if let Ok(mut set) = self.0.lock() {
            set.remove(&pgid);
        }
    }
    /// The process group ids of the commands running now.
    pub fn snapshot(&self) -> Vec<i32> {
        self.0
            .lock()
            .map(|s| s.iter().copied().collect())
            .unwrap_or_default()
    }
    /// Send SIGKILL to every running command's whole process group.
    pub fn kill_all(&self) -> usize {
        let groups = self.snapshot();
        for &pgid in &groups {
            let _ = killpg(Pid::from_raw(pgid), Signal::SIGKILL);
        }
        groups.len()
    }
}
