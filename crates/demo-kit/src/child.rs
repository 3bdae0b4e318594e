//! The rules for code that runs in a forked child.
//!
//! `fork()` copies the calling process, but only the *calling thread*. If
//! another thread held a lock at that moment (Rust's stdout lock, say, while
//! it was printing), the child gets the lock in its locked state and nobody
//! will ever release it: a `println!` in the child can hang forever. A test
//! harness runs tests in threads and `ctrlc` starts a thread, so "my program
//! has only one thread" is rarely true. POSIX therefore allows the child of a
//! multi-threaded parent only async-signal-safe calls until it `exec`s or
//! exits. (glibc additionally makes `malloc` usable after `fork`, which the
//! helpers below rely on to format text.)
//!
//! Three rules follow, and this module implements them once:
//!
//! 1. flush buffered output *before* forking ([`flush_before_fork`]), or the
//!    child inherits a copy of the buffer and the text is printed twice;
//! 2. in the child, write with the raw `write(2)` call ([`child_say`]),
//!    never through `println!`;
//! 3. end the child with `_exit`, never `std::process::exit` or returning from
//!    `main` (those run exit handlers and flush the parent's copied buffers),
//!    and turn a panic into exit status 101 ([`child_main`]) — inside
//!    `cargo test` an unwinding panic would otherwise be caught by the test
//!    harness *in the child* and reported as success.
//!
//! [`fork_child`] applies all three around one `fork()`, for demos whose
//! lesson is not `fork` itself (the lessons about `fork` call it in plain
//! sight).
//!
//! And for the parent: reap every child ([`waitpid_retrying`], or with a
//! deadline [`wait_within`], [`reap_or_kill`]), read how it ended
//! ([`exit_code`]), and let a child keep only the descriptors it needs
//! ([`keep_only_fds`]).

use crate::say::{line, Side};
use crate::Context;
use nix::errno::Errno;
use nix::sys::signal::{kill, Signal};
use nix::sys::wait::{waitpid, WaitPidFlag, WaitStatus};
use nix::unistd::{fork, ForkResult, Pid};
use std::io::Write;
use std::os::fd::RawFd;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::time::Duration;

/// Flushes Rust's stdout and stderr so the child does not inherit unwritten
/// text. Call right before `fork()`.
pub fn flush_before_fork() {
    let _ = std::io::stdout().flush();
    let _ = std::io::stderr().flush();
}

/// Runs `work` as the whole life of a forked child and never returns.
///
/// The child exits with the code `work` returns, or 101 if it panicked
/// (the same code Rust uses for a panicking `main`). It ends with `_exit`,
/// so no exit handler runs and no inherited buffer is flushed.
pub fn child_main(work: impl FnOnce() -> i32) -> ! {
    let code = catch_unwind(AssertUnwindSafe(work)).unwrap_or(101);
    // SAFETY: `_exit` is async-signal-safe and ends the process at once.
    unsafe { nix::libc::_exit(code) }
}

/// `fork()` under the three rules: flushes first, runs `work` as the
/// child's whole life ([`child_main`]: `_exit` with its code, 101 on panic)
/// and returns the child's pid in the parent.
///
/// For lessons about something else (pipes, queues) that need a child; the
/// lessons about `fork` itself call `fork()` in their own code.
pub fn fork_child(work: impl FnOnce() -> i32) -> crate::Result<Pid> {
    flush_before_fork();
    // SAFETY: the child only runs `work` inside `child_main`, which never
    // returns into the caller's code and ends with `_exit`.
    match unsafe { fork() }.context("fork() failed: too many processes? see `ulimit -u`")? {
        ForkResult::Child => child_main(work),
        ForkResult::Parent { child } => Ok(child),
    }
}

/// Prints one narration line from a forked child with a single `write(2)`
/// on fd 1, bypassing Rust's stdout lock (which may be held forever by a
/// thread that does not exist in the child). Pass `color` as computed by
/// the parent before the fork ([`crate::say::colors_enabled`]).
///
/// Silent when the parent called [`crate::say::set_quiet`] before the fork
/// (the child has a copy of that switch, like of all the parent's memory).
pub fn child_say(side: Side, msg: impl std::fmt::Display, color: bool) {
    if crate::say::is_quiet() {
        return;
    }
    let mut text = line(side, msg, color);
    text.push('\n');
    write_fd(1, text.as_bytes());
}

/// Writes all of `bytes` to a raw file descriptor with `write(2)`, retrying
/// short writes and `EINTR`; errors are ignored (there is nowhere to report
/// them from inside a child).
pub fn write_fd(fd: i32, mut bytes: &[u8]) {
    while !bytes.is_empty() {
        // SAFETY: the pointer and length describe a live slice.
        let n = unsafe { nix::libc::write(fd, bytes.as_ptr().cast(), bytes.len()) };
        if n > 0 {
            bytes = &bytes[n as usize..];
        } else if n < 0 && std::io::Error::last_os_error().kind() == std::io::ErrorKind::Interrupted
        {
            continue;
        } else {
            return;
        }
    }
}

/// Python's `p.exitcode` for a wait status: `n` for `exit(n)`, `-N` for a
/// child killed by signal `N` (`-15` after `SIGTERM`); `None` for a status
/// that is not an ending (stopped, continued, still alive).
///
/// ```
/// use nix::sys::signal::Signal;
/// use nix::sys::wait::WaitStatus;
/// use nix::unistd::Pid;
/// use demo_kit::child::exit_code;
/// let pid = Pid::from_raw(42);
/// assert_eq!(exit_code(WaitStatus::Exited(pid, 3)), Some(3));
/// assert_eq!(exit_code(WaitStatus::Signaled(pid, Signal::SIGTERM, false)), Some(-15));
/// assert_eq!(exit_code(WaitStatus::StillAlive), None);
/// ```
pub fn exit_code(status: WaitStatus) -> Option<i32> {
    match status {
        WaitStatus::Exited(_, code) => Some(code),
        WaitStatus::Signaled(_, sig, _) => Some(-(sig as i32)),
        _ => None,
    }
}

/// `waitpid(pid, 0)`: sleeps in the kernel until `pid` has ended, reaps it
/// and returns how it ended. A signal handled meanwhile makes `waitpid` fail
/// with `EINTR` without anything having happened to the child: that is
/// retried. No deadline: use it for a child that is sure to end (already
/// killed, or already seen to exit); otherwise [`wait_within`].
pub fn waitpid_retrying(pid: Pid) -> crate::Result<WaitStatus> {
    loop {
        match waitpid(pid, None) {
            Err(Errno::EINTR) => continue,
            other => return other.with_context(|| format!("waitpid({pid})")),
        }
    }
}

/// Waits at most `timeout` for the child `pid` to end and returns how it
/// ended; `None` means it is still running (and still ours to reap).
///
/// A blocking `waitpid` has no deadline, and a demo or test must never hang
/// on a child that misbehaves, so this polls `waitpid(WNOHANG)` on a short
/// backoff ([`crate::wait::until`]).
pub fn wait_within(pid: Pid, timeout: Duration) -> crate::Result<Option<WaitStatus>> {
    let mut failure = None;
    let got = crate::wait::until(timeout, || match waitpid(pid, Some(WaitPidFlag::WNOHANG)) {
        Ok(WaitStatus::StillAlive) | Err(Errno::EINTR) => None,
        Ok(status) => Some(status),
        Err(e) => {
            failure = Some(e);
            Some(WaitStatus::StillAlive)
        }
    });
    match failure {
        Some(e) => Err(e).with_context(|| format!("waitpid({pid})")),
        None => Ok(got),
    }
}

/// Reaps `pid` (Python's `p.join()`, with a deadline): waits up to `timeout`
/// for it to exit; if it does not, kills it with `SIGKILL`, reaps it anyway
/// and reports an error — no zombie and no orphan is ever left behind.
pub fn reap_or_kill(pid: Pid, timeout: Duration) -> crate::Result<WaitStatus> {
    if let Some(status) = wait_within(pid, timeout)? {
        return Ok(status);
    }
    let _ = kill(pid, Signal::SIGKILL);
    waitpid_retrying(pid).context("after SIGKILL")?;
    crate::bail_msg(format!(
        "child {pid} did not finish within {timeout:?}; killed and reaped it"
    ))
}

/// True if this process has no child at all, reaped or not:
/// `waitpid(-1, WNOHANG)` fails with `ECHILD` only then. (It would reap a
/// leftover zombie, which is what a demo wants at its very end, where it
/// calls this to prove it leaves nothing behind.)
pub fn no_child_left() -> bool {
    matches!(
        waitpid(Pid::from_raw(-1), Some(WaitPidFlag::WNOHANG)),
        Err(Errno::ECHILD)
    )
}

/// A demo's last step: proves it leaves no child behind. Fails if
/// [`no_child_left`] finds one; otherwise the kernel's answer is narrated,
/// followed by ` — {note}` when a note is given.
///
/// ```
/// demo_kit::child::end_with_no_child_left(Some("every child was reaped")).unwrap();
/// ```
pub fn end_with_no_child_left(note: Option<&str>) -> crate::Result<()> {
    if !no_child_left() {
        return crate::bail_msg(crate::tr!(
            "a child process was left behind (waitpid(-1, WNOHANG) did not say ECHILD)",
            "有子进程被落下了（waitpid(-1, WNOHANG) 没有返回 ECHILD）"
        ));
    }
    let said = crate::tr!(
        "no child left: waitpid(-1, WNOHANG) says ECHILD",
        "没有剩下子进程：waitpid(-1, WNOHANG) 返回 ECHILD"
    );
    match note {
        Some(note) => crate::say::say(crate::Side::Kernel, format!("{said} — {note}")),
        None => crate::say::say(crate::Side::Kernel, said),
    }
    Ok(())
}

/// Closes every inherited descriptor >= 3 except those in `keep`. Call it
/// first thing in a forked child.
///
/// A forked child gets a copy of *every* open descriptor of its parent, and
/// a pipe or socket reports end-of-file only when *all* copies of its write
/// end are closed. A child that keeps a stray copy can make some other
/// reader wait forever. (Python's `subprocess` closes them for you,
/// `close_fds=True`; `os.fork()` and `multiprocessing`'s fork method do not.)
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
    #[cfg(target_os = "linux")]
    {
        // SAFETY: closing descriptors is always memory-safe.
        let r = unsafe { nix::libc::syscall(nix::libc::SYS_close_range, first, last, 0) };
        if r == 0 {
            return;
        }
    }
    for fd in first..=last.min(4095) {
        // SAFETY: as above; EBADF for unused numbers is fine.
        unsafe { nix::libc::close(fd as i32) };
    }
}
