//! What one connection's thread knows while it serves its client: who the
//! client is, the limits its commands run under, the server's stop flag,
//! and the connection's keeper.
//!
//! Both protocols ([`crate::course_proto`], [`crate::framed_proto`]) serve a
//! client through a `Session`; the server ([`crate::server`]) makes one per
//! connection. Keeping it apart from the server keeps the imports one-way:
//! server → protocols → session → exec.

use crate::exec::{Limits, Running};
use crate::keeper::Keeper;
use demo_kit::say::say;
use demo_kit::{tr, Side};
use std::cell::RefCell;
use std::fmt::Display;
use std::net::SocketAddr;
use std::os::fd::BorrowedFd;
use std::sync::atomic::AtomicBool;
use std::time::Duration;

/// What one connection's thread needs to serve it.
pub struct Session<'a> {
    pub peer: SocketAddr,
    pub timeout: Duration,
    /// Close the connection when no command arrives for this long.
    pub idle_timeout: Duration,
    /// How long a framed client may take to say hello.
    pub hello_timeout: Duration,
    pub stop: &'a AtomicBool,
    pub running: &'a Running,
    pub token: Option<&'a [u8]>,
    /// The connection's keeper, forked at its first command (see
    /// [`crate::keeper`]); dropping the session reaps it.
    pub keeper: RefCell<Option<Keeper>>,
}

impl Session<'_> {
    /// One log line about this client.
    pub fn log(&self, msg: impl Display) {
        say(Side::Server, tr!("{}: {msg}", "{}：{msg}", self.peer));
    }

    /// The limits a command from this client runs under.
    pub fn limits<'b>(&'b self, peer: Option<BorrowedFd<'b>>) -> Limits<'b> {
        Limits {
            timeout: self.timeout,
            stop: self.stop,
            peer,
            running: Some(self.running),
        }
    }
}
