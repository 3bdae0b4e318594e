//! `daemon-demo`: the two meanings of "daemon" (守护进程), observed on the kernel.
//!
//! The course's Python would write `p.daemon = True`: "end this child when
//! I end". Linux offers that as a kernel feature, `prctl(PR_SET_PDEATHSIG)`
//! ([`pdeathsig`]). The classic *Unix* daemon is almost the opposite: a
//! process that outlives whoever started it, detached from any terminal
//! ([`daemonize`]). Both modules return what the kernel reported (wait
//! statuses, `/proc` fields) as data, so `main.rs` narrates and the tests
//! assert on the same facts.
//!
//! This file holds the small process-plumbing both modules need: reading a
//! line from a pipe with a deadline, and reaping a given pid with a deadline.

pub mod daemonize;
pub mod pdeathsig;

use demo_kit::{Context, Result};
use nix::poll::{poll, PollFd, PollFlags};
use nix::sys::signal::{kill, Signal};
use nix::sys::wait::WaitStatus;
use nix::unistd::Pid;
use std::os::fd::{AsFd, OwnedFd};
use std::time::{Duration, Instant};

/// How long any single wait in this demo may take before we call it a
/// failure. Generous, because CI machines are slow and busy.
pub const PATIENCE: Duration = Duration::from_secs(20);

/// Reads one `\n`-terminated line from a pipe, waiting at most `timeout`.
///
/// Children report to the parent through pipes with one short line each;
/// `poll` gives us the deadline that a plain blocking `read` lacks.
pub fn read_line(fd: &OwnedFd, timeout: Duration) -> Result<String> {
    let deadline = Instant::now() + timeout;
    let mut line = Vec::new();
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        let ms = u16::try_from(left.as_millis()).unwrap_or(u16::MAX);
        let mut fds = [PollFd::new(fd.as_fd(), PollFlags::POLLIN)];
        match poll(&mut fds, ms) {
            Ok(0) => {
                return Err(demo_kit::Error::msg(format!(
                    "no report from the child within {timeout:?}"
                )))
            }
            Ok(_) => {}
            Err(nix::errno::Errno::EINTR) => continue,
            Err(e) => return Err(e).context("waiting for a child's report"),
        }
        let mut byte = [0u8; 1];
        match nix::unistd::read(fd, &mut byte) {
            Ok(0) => {
                return Err(demo_kit::Error::msg(
                    "the child closed its pipe without reporting (did it crash?)",
                ))
            }
            Ok(_) if byte[0] == b'\n' => return Ok(String::from_utf8_lossy(&line).into_owned()),
            Ok(_) => line.push(byte[0]),
            Err(nix::errno::Errno::EINTR) => continue,
            Err(e) => return Err(e).context("reading a child's report"),
        }
    }
}

/// Waits for `pid` (which must be our child, or adopted by us) to end, at
/// most `timeout`; `None` means it is still running. (From `demo-kit`.)
pub use demo_kit::child::wait_within as reap_within;

/// Kills and reaps pids we started if a step fails half-way, so that an
/// error never leaves a process behind. Disarmed pids are left alone.
#[derive(Default)]
pub struct Cleanup {
    pids: Vec<Pid>,
}

impl Cleanup {
    /// Remembers `pid` as ours to kill if we bail out.
    pub fn track(&mut self, pid: Pid) {
        self.pids.push(pid);
    }

    /// `pid` has been reaped normally; forget it.
    pub fn done(&mut self, pid: Pid) {
        self.pids.retain(|p| *p != pid);
    }
}

impl Drop for Cleanup {
    fn drop(&mut self) {
        for &pid in &self.pids {
            let _ = kill(pid, Signal::SIGKILL);
            let _ = reap_within(pid, Duration::from_secs(5));
        }
    }
}

/// Describes a wait status in the course's words.
pub fn describe(status: &WaitStatus) -> String {
    match status {
        WaitStatus::Exited(_, code) => format!("exited with status {code}"),
        WaitStatus::Signaled(_, sig, _) => format!("was killed by {sig}"),
        other => format!("{other:?}"),
    }
}
