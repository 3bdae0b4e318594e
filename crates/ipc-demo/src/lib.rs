//! `ipc-demo`: the course's IPC机制 (inter-process communication) chapter.
//!
//! Processes do not share memory (the course showed that with `x = 100`:
//! the child's `x = 0` never reaches the parent). So two processes that want
//! to talk need the *kernel* to carry the data. Python's `multiprocessing`
//! hides the kernel objects behind friendly names; this crate shows them:
//!
//! | Python `multiprocessing`      | Unix machinery                       | module        |
//! |-------------------------------|--------------------------------------|---------------|
//! | `Pipe(duplex=False)`          | `pipe(2)`: one-way byte stream        | [`pipe`]      |
//! | `Pipe()` (duplex), `Queue`    | `socketpair(2)` + a framing protocol  | [`socketpair`]|
//! | `Value`, `Array`, `shared_memory` | `mmap(MAP_SHARED \| MAP_ANONYMOUS)` | [`shm`]      |
//! | `queue.Queue` (threads only)  | `crossbeam-channel`: *not* IPC        | [`channel`]   |
//!
//! The helpers in this file are the fork rules every module follows:
//! flush before `fork`, run the child through `child_main` (panic -> 101,
//! always `_exit`), close the descriptors the child does not need, and reap
//! every child with a bounded wait.

pub mod channel;
pub mod pipe;
pub mod shm;
pub mod socketpair;

use demo_kit::child::{child_main, flush_before_fork};
use demo_kit::{Context, Result};
use nix::sys::signal::{kill, Signal};
use nix::sys::wait::{waitpid, WaitPidFlag, WaitStatus};
use nix::unistd::{fork, ForkResult, Pid};
use std::os::fd::RawFd;
use std::time::Duration;

/// How long the demo waits for a child before giving up on it. Generous:
/// the children here finish in milliseconds, but CI machines are busy.
pub const CHILD_TIMEOUT: Duration = Duration::from_secs(20);

/// Forks; the child runs `work` (and nothing else) and `_exit`s with the
/// code it returns. The parent gets the child's pid.
pub fn fork_child(work: impl FnOnce() -> i32) -> Result<Pid> {
    flush_before_fork();
    // SAFETY: the child only runs `work` under `child_main`, which never
    // returns into the parent's code and ends with `_exit`.
    match unsafe { fork() }.context("fork() failed: too many processes?")? {
        ForkResult::Child => child_main(work),
        ForkResult::Parent { child } => Ok(child),
    }
}

/// Closes every inherited descriptor >= 3 except those in `keep`.
///
/// A forked child gets a copy of *every* open descriptor of its parent, and
/// a pipe or socket only reports end-of-file when *all* copies of its write
/// end are closed. A child that keeps a stray copy can therefore make some
/// other reader wait forever — the same bug [`pipe`] shows in the parent.
/// (Python's `subprocess` closes them for you, `close_fds=True`;
/// `os.fork()` and `multiprocessing`'s fork start method do not.)
/// Called first thing in every child.
pub fn keep_only_fds(keep: &[RawFd]) {
    let mut keep: Vec<u32> = keep.iter().map(|&fd| fd as u32).collect();
    keep.sort_unstable();
    let mut first = 3u32;
    for fd in keep.into_iter().chain(std::iter::once(u32::MAX)) {
        if fd > first {
            close_range(first, fd - 1);
        }
        first = first.max(fd.saturating_add(1));
    }
}

/// `close_range(2)` (Linux 5.9+), falling back to closing one by one.
fn close_range(first: u32, last: u32) {
    // SAFETY: closing descriptors is always memory-safe.
    let r = unsafe { nix::libc::syscall(nix::libc::SYS_close_range, first, last, 0) };
    if r != 0 {
        for fd in first..=last.min(4095) {
            // SAFETY: as above; EBADF for unused numbers is fine.
            unsafe { nix::libc::close(fd as i32) };
        }
    }
}

/// Reaps `pid` (Python's `p.join()`): waits up to `timeout` for it to
/// exit; if it does not, kills it with SIGKILL and reaps it anyway, so no
/// zombie and no orphan is ever left behind. Returns the exit status.
pub fn reap(pid: Pid, timeout: Duration) -> Result<WaitStatus> {
    let done = demo_kit::wait::until(timeout, || match waitpid(pid, Some(WaitPidFlag::WNOHANG)) {
        Ok(WaitStatus::StillAlive) => None,
        other => Some(other),
    });
    match done {
        Some(status) => status.with_context(|| format!("waitpid({pid})")),
        None => {
            let _ = kill(pid, Signal::SIGKILL);
            waitpid(pid, None).with_context(|| format!("waitpid({pid}) after SIGKILL"))?;
            demo_kit::bail_msg(format!(
                "child {pid} did not finish within {timeout:?}; killed and reaped it"
            ))
        }
    }
}

/// The exit code of a child that exited normally, `None` if it was killed.
pub fn exit_code(status: WaitStatus) -> Option<i32> {
    match status {
        WaitStatus::Exited(_, code) => Some(code),
        _ => None,
    }
}
