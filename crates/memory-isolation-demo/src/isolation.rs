//! The course's `x = 100` example, and its contrast with a thread.
//!
//! ```python
//! x = 100
//! def task():
//!     global x
//!     x = 0
//! p = Process(target=task); p.start()
//! time.sleep(500)    # we use p.join() = waitpid() instead
//! print(x)           # 100
//! ```
//!
//! `fork()` gives the child its own copy of the whole address space, so its
//! `x = 0` changes the child's copy only. A thread lives in the *same*
//! address space as its creator, so the same assignment made by a thread is
//! the parent's `x`.

use crate::{join, receive, send, Global};
use demo_kit::child::{child_main, flush_before_fork};
use demo_kit::{Context, Result};
use nix::sys::wait::WaitStatus;
use nix::unistd::{fork, pipe, ForkResult, Pid};

/// What the process version observed.
#[derive(Debug)]
pub struct ProcessRun {
    pub child: Pid,
    pub status: WaitStatus,
    /// `x` in the parent right before `fork()`.
    pub before_fork: i32,
    /// `x` as the child first read it.
    pub child_saw: i32,
    /// `x` in the child after its `x = 0`.
    pub child_after: i32,
    /// `print(x)` in the parent after `join`.
    pub parent_after_join: i32,
    pub parent_addr: usize,
    pub child_addr: usize,
}

/// Sets `x` to 100, forks a child that sets it to 0, joins, reads `x`.
pub fn change_in_child(x: &'static Global) -> Result<ProcessRun> {
    x.set(100);
    let before_fork = x.get();
    let (report_r, report_w) = pipe().context("creating the report pipe")?;
    flush_before_fork();
    // SAFETY: the child only loads/stores an atomic, writes to a pipe and `_exit`s.
    match unsafe { fork() }.context("fork() failed")? {
        ForkResult::Child => child_main(move || {
            let saw = x.get();
            x.set(0); // global x; x = 0
            send(&report_w, &[saw as u64, x.get() as u64, x.addr() as u64]);
            0
        }),
        ForkResult::Parent { child } => {
            drop(report_w);
            let status = join(child)?; // p.join(): no sleep(500) guesswork
            let [saw, after, addr] = receive::<3>(&report_r, "what it saw")?;
            Ok(ProcessRun {
                child,
                status,
                before_fork,
                child_saw: saw as i32,
                child_after: after as i32,
                parent_after_join: x.get(),
                parent_addr: x.addr(),
                child_addr: addr as usize,
            })
        }
    }
}

/// What the thread version observed.
#[derive(Debug)]
pub struct ThreadRun {
    pub before: i32,
    pub thread_saw: i32,
    pub thread_after: i32,
    pub parent_after_join: i32,
    pub parent_addr: usize,
    pub thread_addr: usize,
}

/// The same assignment, made by a thread: the parent sees it. Leaves `x`
/// at 0 (what the thread set); callers reset it.
pub fn change_in_thread(x: &'static Global) -> Result<ThreadRun> {
    x.set(100);
    let before = x.get();
    let handle = std::thread::spawn(move || {
        let saw = x.get();
        x.set(0);
        (saw, x.get(), x.addr())
    });
    let (thread_saw, thread_after, thread_addr) = handle
        .join()
        .map_err(|_| demo_kit::Error::msg("the thread panicked"))?;
    Ok(ThreadRun {
        before,
        thread_saw,
        thread_after,
        parent_after_join: x.get(),
        parent_addr: x.addr(),
        thread_addr,
    })
}
