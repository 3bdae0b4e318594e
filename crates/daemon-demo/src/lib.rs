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
//! Each module narrates its system calls as it makes them (the call, then
//! what the kernel answered) and returns what it saw as a report, so
//! `main.rs` is only the list of steps and the tests assert on the same
//! facts. Children report to the parent with one line each through a pipe
//! (`demo_kit::report`), and every pid is reaped with a deadline
//! (`demo_kit::child::wait_within`).

pub mod daemonize;
pub mod pdeathsig;

use demo_kit::child::wait_within;
use demo_kit::tr;
use nix::sys::signal::{kill, Signal};
use nix::sys::wait::WaitStatus;
use nix::unistd::Pid;
use std::time::Duration;

/// How long any single wait in this demo may take before we call it a
/// failure. Generous, because CI machines are slow and busy.
pub const PATIENCE: Duration = Duration::from_secs(20);

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
            let _ = wait_within(pid, Duration::from_secs(5));
        }
    }
}

/// Describes a wait status in the course's words.
pub fn describe(status: &WaitStatus) -> String {
    match status {
        WaitStatus::Exited(_, code) => tr!("exited with status {code}", "以状态码 {code} 退出"),
        WaitStatus::Signaled(_, sig, _) => tr!("was killed by {sig}", "被 {sig} 杀死"),
        other => format!("{other:?}"),
    }
}
