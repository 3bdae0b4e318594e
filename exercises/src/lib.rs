//! Test support for the exercises (you never need to edit this file).
//!
//! Every exercise talks to the real kernel: sockets, pipes, child processes.
//! A wrong attempt there often does not fail, it *waits*: a `read` that never
//! sees end-of-file, an `accept` nobody connects to. So every test body runs
//! under [`within`], which fails the test after a few seconds instead of
//! hanging the runner.

pub mod reactor;
pub mod tcp_lab;

use std::sync::mpsc;
use std::time::Duration;

/// Runs `body` on its own thread and returns its result, or fails the test
/// if it has not finished after `secs` seconds.
///
/// A panic inside `body` (a failed `assert!`, a `todo!()`) fails the test
/// with that panic's message, as if `body` had run directly.
#[track_caller] // a timeout is reported at the test's line, not here
pub fn within<T: Send + 'static>(secs: u64, body: impl FnOnce() -> T + Send + 'static) -> T {
    let (done, finished) = mpsc::channel();
    let worker = std::thread::spawn(move || {
        let _ = done.send(body());
    });
    match finished.recv_timeout(Duration::from_secs(secs)) {
        Ok(value) => value,
        Err(mpsc::RecvTimeoutError::Disconnected) => match worker.join() {
            Err(panic) => std::panic::resume_unwind(panic),
            Ok(()) => panic!("the test body ended without a result"),
        },
        Err(mpsc::RecvTimeoutError::Timeout) => panic!(
            "TIMED OUT after {secs} s: the code is waiting for something that never \
             happens (a read that never sees end-of-file? an accept nobody connects to? \
             a child nobody reaps?)"
        ),
    }
}

/// Flushes Rust's stdout and stderr. Call it right before `fork()`: the
/// child gets a copy of every unwritten buffer, and would print it again.
pub fn flush_before_fork() {
    use std::io::Write;
    let _ = std::io::stdout().flush();
    let _ = std::io::stderr().flush();
}

/// The whole life of a forked child: runs `work`, then ends the process
/// with `_exit(code)`. Never returns.
///
/// Why not just return, or call `std::process::exit`? After `fork()` the
/// child is a copy of a multi-threaded test process, but only the forking
/// thread exists in it. Returning would run the rest of the test *in the
/// child*; `exit` would run exit handlers and flush buffers copied from the
/// parent. `_exit` ends the child at once. A panic (a failed assert, a
/// `todo!()`) becomes exit status 101, which the parent sees in `waitpid`.
/// In the child, do not `println!` (the stdout lock may be held forever by
/// a thread that was not copied); write to a pipe or file instead.
pub fn child_main(work: impl FnOnce() -> i32) -> ! {
    let code = std::panic::catch_unwind(std::panic::AssertUnwindSafe(work)).unwrap_or(101);
    // SAFETY: `_exit` is async-signal-safe and ends the process at once.
    unsafe { nix::libc::_exit(code) }
}

/// Skips a test that cannot run here for lack of privilege (no root, no
/// network namespace, ...): prints exactly one line `COURSE-SKIP: <reason>`
/// to stdout and to stderr; the caller then returns early, so the test
/// passes, and the course runner shows the exercise as "skipped: <reason>",
/// neither done nor failed, and moves on.
pub fn skip(reason: &str) {
    let line = format!("COURSE-SKIP: {}", reason.replace('\n', " "));
    println!("{line}");
    eprintln!("{line}");
}
