//! The child's side of the terminate scenario: set up one disposition for
//! `SIGTERM`, say "ready", then serve the pipe protocol (`p` → `A`, `x` →
//! exit) until something ends it. The handlers may only make
//! async-signal-safe calls (`write`, `read`, `signal`, `raise`), so they
//! talk through raw descriptors kept in globals.

use super::Disposition;
use crate::pipe::{child_read_byte, send};
use nix::sys::signal::{sigaction, signal, SaFlags, SigAction, SigHandler, SigSet, Signal};
use std::os::fd::{AsRawFd, OwnedFd};
use std::sync::atomic::{AtomicI32, Ordering};

/// The pipe ends the signal handlers use: a handler gets no arguments but
/// the signal number, so they live in globals (set in the child only).
static UP_FD: AtomicI32 = AtomicI32::new(-1);
static DOWN_FD: AtomicI32 = AtomicI32::new(-1);

pub(super) fn child_body(disposition: Disposition, up: &OwnedFd, down: &OwnedFd) -> i32 {
    UP_FD.store(up.as_raw_fd(), Ordering::SeqCst);
    DOWN_FD.store(down.as_raw_fd(), Ordering::SeqCst);
    if set_disposition(disposition).is_err() {
        return 2;
    }
    if send(up, b"R").is_err() {
        return 3;
    }
    loop {
        match child_read_byte(down) {
            Some(b'p') => {
                let _ = send(up, b"A");
            }
            Some(b'x') => return 0,
            Some(_) => {}
            None => return 4,
        }
    }
}

fn set_disposition(disposition: Disposition) -> nix::Result<()> {
    // A forked child inherits its parent's handlers and signal mask (a test
    // harness may have changed either): start from a known state.
    let mut term = SigSet::empty();
    term.add(Signal::SIGTERM);
    term.thread_unblock()?; // pthread_sigmask(SIG_UNBLOCK, {SIGTERM})
    let handler = match disposition {
        Disposition::Default => SigHandler::SigDfl,
        Disposition::Ignore => SigHandler::SigIgn,
        Disposition::CleanupThenDie => SigHandler::Handler(cleanup_then_die),
        Disposition::CatchAndCarryOn => SigHandler::Handler(note_and_carry_on),
    };
    // SA_RESTART: the main loop's read() resumes after a handler returns.
    let action = SigAction::new(handler, SaFlags::SA_RESTART, SigSet::empty());
    // SAFETY: the handlers below only make async-signal-safe calls.
    unsafe { sigaction(Signal::SIGTERM, &action) }?;
    Ok(())
}

/// Reports, waits for the parent's go, then dies *by SIGTERM*: the
/// well-behaved way to clean up, so the parent still learns the real cause.
extern "C" fn cleanup_then_die(_: nix::libc::c_int) {
    raw_write(UP_FD.load(Ordering::SeqCst), b'T');
    let mut b = 0u8;
    // SAFETY: read(2) into a live byte; async-signal-safe.
    unsafe {
        nix::libc::read(
            DOWN_FD.load(Ordering::SeqCst),
            (&mut b as *mut u8).cast(),
            1,
        )
    };
    // SAFETY: signal(2) and raise(3) are async-signal-safe. SIGTERM is
    // blocked while its handler runs, so the raised one is delivered — with
    // the default action now — the moment this handler returns.
    unsafe {
        let _ = signal(Signal::SIGTERM, SigHandler::SigDfl);
    }
    let _ = nix::sys::signal::raise(Signal::SIGTERM);
}

/// Reports and returns: the child refuses to be terminated.
extern "C" fn note_and_carry_on(_: nix::libc::c_int) {
    raw_write(UP_FD.load(Ordering::SeqCst), b'T');
}

fn raw_write(fd: i32, byte: u8) {
    // SAFETY: write(2) from a live byte; async-signal-safe.
    unsafe { nix::libc::write(fd, (&byte as *const u8).cast(), 1) };
}
