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
use nix::sys::wait::WaitStatus;
use nix::unistd::{fork, ForkResult, Pid};
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

/// Closing stray descriptors in a child, and reaping with a deadline, are
/// shared with the other process lessons: see `demo_kit::child`.
pub use demo_kit::child::{keep_only_fds, reap_or_kill as reap};

/// The exit code of a child that exited normally, `None` if it was killed.
pub fn exit_code(status: WaitStatus) -> Option<i32> {
    match status {
        WaitStatus::Exited(_, code) => Some(code),
        _ => None,
    }
}
