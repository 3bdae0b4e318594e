//! `p.terminate()` is `kill(pid, SIGTERM)`: a request, not an execution.
//!
//! The course: "应用程序给操作系统发送信号,让操作系统把这个子程序干掉,至于多久能干死,
//! 在于操作系统". More precisely, `kill()` only *marks* the signal pending on the
//! target and returns. What happens next is decided by the *target's*
//! disposition for `SIGTERM`, when the target next runs:
//!
//! * default: the kernel ends it; the parent's `waitpid` reports
//!   `Signaled(SIGTERM)` and Python shows `exitcode == -15`;
//! * a handler: the child runs its own code first (cleanup), and may then die
//!   by re-raising the signal — or simply carry on;
//! * ignored (`SIG_IGN`): the kernel throws the signal away;
//! * `SIGKILL` (`p.kill()`) cannot be caught, blocked or ignored.
//!
//! Each child here follows one [`Disposition`] and then serves a tiny pipe
//! protocol: it writes `R` when ready, answers `p` (ping) with `A`, exits
//! on `x`, and a handler writes `T` when it runs. A ping answered *after*
//! the SIGTERM is proof, not timing, that the child survived it.

use crate::pipe::{child_read_byte, pipe, recv, send};
use crate::process::Child;
use demo_kit::Result;
use nix::sys::signal::{sigaction, signal, SaFlags, SigAction, SigHandler, SigSet, Signal};
use nix::sys::wait::WaitStatus;
use std::os::fd::{AsRawFd, OwnedFd};
use std::sync::atomic::{AtomicI32, Ordering};
use std::time::{Duration, Instant};

/// How the child treats `SIGTERM`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Disposition {
    /// `SIG_DFL`: SIGTERM ends the process.
    Default,
    /// A handler that reports, waits for the parent's go (a cleanup that
    /// takes a moment), then restores `SIG_DFL` and re-raises: the parent
    /// still sees `Signaled(SIGTERM)`.
    CleanupThenDie,
    /// A handler that reports and returns: SIGTERM is refused.
    CatchAndCarryOn,
    /// `SIG_IGN`: the kernel discards SIGTERM.
    Ignore,
}

/// What the parent observed for one child.
#[derive(Debug)]
pub struct TerminateReport {
    pub disposition: Disposition,
    pub pid: i32,
    /// `is_alive()` called right after `terminate()` returned (for the
    /// handler cases: right after the handler said it was running).
    pub alive_right_after: bool,
    /// The child's handler ran (it wrote `T`).
    pub handler_ran: bool,
    /// The child answered a ping sent after the SIGTERM: it survived.
    pub survived: bool,
    /// Linux: bit 15 of `SigIgn` in `/proc/<pid>/status`.
    pub ignored_per_proc: Option<bool>,
    /// The parent had to send SIGKILL.
    pub sent_sigkill: bool,
    pub status: WaitStatus,
    /// Python's `p.exitcode`.
    pub exitcode: Option<i32>,
    /// From `kill(SIGTERM)` to the child reaped.
    pub elapsed: Duration,
}

/// Starts a child with `disposition`, terminates it and joins it.
pub fn terminate(disposition: Disposition) -> Result<TerminateReport> {
    let up = pipe()?; // child -> parent
    let down = pipe()?; // parent -> child
    let mut child = Child::start(|| child_body(disposition, &up.write, &down.read))?;
    // Keep only the parent's ends: a child that dies early then shows as EOF.
    drop((up.write, down.read));
    let pid = child.pid().as_raw();
    expect(&up.read, b'R', "the child's 'ready'")?;
    let ignored_per_proc = sigterm_ignored(pid);

    let t0 = Instant::now();
    child.terminate()?;
    let mut handler_ran = false;
    let mut survived = false;
    let mut sent_sigkill = false;
    let alive_right_after;
    match disposition {
        Disposition::Default => {
            // Nothing to wait for: ask at once, and report what we saw.
            alive_right_after = child.is_alive()?;
        }
        Disposition::CleanupThenDie => {
            expect(&up.read, b'T', "the handler's report")?;
            handler_ran = true;
            alive_right_after = child.is_alive()?; // it is inside its handler
            send(&down.write, b"c")?; // let the cleanup finish
        }
        Disposition::CatchAndCarryOn | Disposition::Ignore => {
            if disposition == Disposition::CatchAndCarryOn {
                expect(&up.read, b'T', "the handler's report")?;
                handler_ran = true;
            }
            send(&down.write, b"p")?;
            expect(&up.read, b'A', "the answer to a ping sent after SIGTERM")?;
            survived = true;
            alive_right_after = child.is_alive()?;
            child.kill()?; // SIGKILL: no handler, no ignoring
            sent_sigkill = true;
        }
    }
    let status = child.join()?;
    Ok(TerminateReport {
        disposition,
        pid,
        alive_right_after,
        handler_ran,
        survived,
        ignored_per_proc,
        sent_sigkill,
        status,
        exitcode: child.exitcode(),
        elapsed: t0.elapsed(),
    })
}

fn expect(fd: &OwnedFd, byte: u8, what: &str) -> Result<()> {
    let got = recv(fd, 1, what)?;
    if got[0] != byte {
        return demo_kit::bail_msg(format!(
            "expected {:?} ({what}) from the child, got {:?}",
            byte as char, got[0] as char
        ));
    }
    Ok(())
}

/// Linux: is SIGTERM in the `SigIgn` mask of `/proc/<pid>/status`?
fn sigterm_ignored(pid: i32) -> Option<bool> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let hex = text.lines().find_map(|l| l.strip_prefix("SigIgn:"))?.trim();
    let mask = u64::from_str_radix(hex, 16).ok()?;
    Some(mask & (1 << (Signal::SIGTERM as u64 - 1)) != 0)
}

// ---- the child side -------------------------------------------------------

/// The pipe ends the signal handlers use: a handler gets no arguments but
/// the signal number, so they live in globals (set in the child only).
static UP_FD: AtomicI32 = AtomicI32::new(-1);
static DOWN_FD: AtomicI32 = AtomicI32::new(-1);

fn child_body(disposition: Disposition, up: &OwnedFd, down: &OwnedFd) -> i32 {
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
