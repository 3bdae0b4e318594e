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

use crate::say::{line, Side};
use std::io::Write;
use std::panic::{catch_unwind, AssertUnwindSafe};

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

/// Prints one narration line from a forked child with a single `write(2)`
/// on fd 1, bypassing Rust's stdout lock (which may be held forever by a
/// thread that does not exist in the child). Pass `color` as computed by
/// the parent before the fork ([`crate::say::colors_enabled`]).
pub fn child_say(side: Side, msg: impl std::fmt::Display, color: bool) {
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
