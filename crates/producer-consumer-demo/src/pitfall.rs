//! What `ctrlc` does to a forked child, shown with real signals.
//!
//! `ctrlc::set_handler` starts a thread and installs a signal handler for
//! SIGINT (and SIGTERM and SIGHUP with the `termination` feature). The
//! handler only posts a semaphore (`sem_post`) that lives in the process's
//! memory; the thread waits on it and calls your closure. `fork()` copies the
//! handler and the semaphore into the child, but not the thread (fork(2):
//! "the child process is created with a single thread"). So in the child,
//! Ctrl-C runs the handler, which posts the child's *own copy* of the
//! semaphore — and nobody is waiting on it. The child neither dies nor runs
//! any closure: it silently ignores Ctrl-C **and** `p.terminate()` (SIGTERM);
//! only SIGKILL ends it. The parent hears nothing either (its semaphore is a
//! different copy). The demo checks both facts.
//!
//! Every step waits for something that happens, not for time to pass:
//! - the child's dispositions are read from `/proc/<pid>/status` (`SigCgt`,
//!   the signals it catches; `SigIgn`, those it ignores; proc(5));
//! - a caught signal makes the child's `sigsuspend()` return, and the child
//!   then writes one byte to a pipe: "I handled it and I am still here";
//! - an ignored signal is thrown away when it is sent (kernel/signal.c,
//!   `prepare_signal()` → `sig_ignored()`), so once `kill()` returns the
//!   child cannot die of it;
//! - a default SIGTERM kills the child, which `waitpid` reports.
//!
//! Only "the parent's own handler did not run" is a negative, and gets one
//! short quiet window.
//!
//! The fix, used by every child in [`crate::procs`]: reset the signals right
//! after `fork()` (SIGINT ignored, SIGTERM back to the default), and let the
//! parent stop children with SIGTERM. (The alternative is `setpgid(0, 0)`:
//! a child in its own process group does not get the terminal's Ctrl-C.)

use demo_kit::child::{child_main, flush_before_fork, wait_within, write_fd};
use demo_kit::{tr, Context, Result};
use nix::poll::{poll, PollFd, PollFlags, PollTimeout};
use nix::sys::signal::{kill, signal, SigHandler, SigSet, Signal};
use nix::sys::wait::{waitpid, WaitPidFlag, WaitStatus};
use nix::unistd::{fork, pipe, read, ForkResult, Pid};
use std::os::fd::{AsFd, AsRawFd, OwnedFd};
use std::time::Duration;

/// Long enough for any loaded machine to schedule the child; it is only
/// ever reached if something is broken.
const DEADLINE: Duration = Duration::from_secs(10);

/// What a process does with a signal, as `/proc/<pid>/status` says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Disposition {
    /// A handler runs (the bit is set in `SigCgt`).
    Caught,
    /// Thrown away when sent (`SigIgn`).
    Ignored,
    /// The default action: for SIGINT and SIGTERM, death.
    Default,
}

/// What happened to one child for each signal the parent sent it.
#[derive(Debug)]
pub struct ChildFate {
    pub pid: i32,
    /// The child's SIGINT and SIGTERM dispositions before any signal.
    pub sigint: Disposition,
    pub sigterm: Disposition,
    pub alive_after_sigint: bool,
    /// Did SIGTERM end the child?
    pub killed_by_sigterm: bool,
    /// Did the parent's ctrlc closure run after either signal?
    pub parent_handler_ran: bool,
    /// The signal that finally ended it (SIGTERM, or SIGKILL as a last resort).
    pub ended_by: Option<Signal>,
}

/// Forks a child (resetting its signals if `reset_signals`), reads its
/// dispositions, sends it SIGINT and then SIGTERM, and finally watches
/// `fired` — the channel the process's ctrlc closure sends on — for `quiet`.
pub fn run(
    reset_signals: bool,
    fired: &crossbeam_channel::Receiver<()>,
    quiet: Duration,
) -> Result<ChildFate> {
    while fired.try_recv().is_ok() {} // forget older Ctrl-Cs
    let (acks_r, acks_w) = pipe().context(tr!("creating the child's pipe", "创建子进程的管道"))?;
    flush_before_fork();
    // SAFETY: the child runs only async-signal-safe calls under child_main.
    let child = match unsafe { fork() }.context(tr!("fork() failed", "fork() 失败"))? {
        ForkResult::Child => child_main(|| {
            // While the child keeps ctrlc's handler, it holds SIGINT and
            // SIGTERM blocked except inside sigsuspend(), which unblocks and
            // waits in one step: a signal that arrives before the child is
            // waiting stays pending instead of being handled before a
            // pause() that would then wait forever (sigsuspend(2)).
            let caught = SigSet::from_iter([Signal::SIGINT, Signal::SIGTERM]);
            let waiting_mask = SigSet::thread_get_mask().unwrap_or_else(|_| SigSet::empty());
            if reset_signals {
                // SAFETY: SIG_IGN / SIG_DFL, no handler code involved.
                unsafe {
                    let _ = signal(Signal::SIGINT, SigHandler::SigIgn);
                    let _ = signal(Signal::SIGTERM, SigHandler::SigDfl);
                    let _ = signal(Signal::SIGHUP, SigHandler::SigDfl);
                }
            } else {
                let _ = caught.thread_block();
            }
            write_fd(acks_w.as_raw_fd(), b"r"); // "my signals are set"
            loop {
                // Returns after a handler has run (EINTR); an ignored signal
                // never wakes it, a default SIGTERM kills the child in it.
                let _ = waiting_mask.suspend();
                write_fd(acks_w.as_raw_fd(), b"h"); // "handled one, still here"
            }
        }),
        ForkResult::Parent { child } => child,
    };
    drop(acks_w);
    let result = signal_child(child, &acks_r);
    // Reap it: a default SIGTERM is killing it, so wait for that; a child
    // that caught SIGTERM will never die by itself, so SIGKILL (which cannot
    // be caught) ends it at once.
    let dying = matches!(result, Ok((_, Disposition::Default, _)));
    let ended_by = finish(child, dying)?;
    let (sigint, sigterm, alive_after_sigint) = result?;
    let parent_handler_ran = fired.recv_timeout(quiet).is_ok();
    Ok(ChildFate {
        pid: child.as_raw(),
        sigint,
        sigterm,
        alive_after_sigint,
        killed_by_sigterm: ended_by == Some(Signal::SIGTERM),
        parent_handler_ran,
        ended_by,
    })
}

/// SIGINT, then SIGTERM, each followed by the event its disposition promises.
fn signal_child(child: Pid, acks: &OwnedFd) -> Result<(Disposition, Disposition, bool)> {
    if next_byte(acks)? != Some(b'r') {
        return demo_kit::bail_msg(tr!(
            "the child died before it was ready",
            "子进程还没准备好就死了"
        ));
    }
    let sigint = disposition(child, Signal::SIGINT)?;
    let sigterm = disposition(child, Signal::SIGTERM)?;
    kill(child, Signal::SIGINT).context("kill(child, SIGINT)")?;
    let alive_after_sigint = match sigint {
        // Its handler ran and sigsuspend() returned: the child says so.
        Disposition::Caught => next_byte(acks)? == Some(b'h'),
        // Already thrown away inside kill(): it is alive unless it was dead.
        Disposition::Ignored => {
            waitpid(child, Some(WaitPidFlag::WNOHANG)).context("waitpid(WNOHANG)")?
                == WaitStatus::StillAlive
        }
        // Killed by it: the pipe's EOF says the child is gone.
        Disposition::Default => next_byte(acks)?.is_some(),
    };
    kill(child, Signal::SIGTERM).context("kill(child, SIGTERM)")?;
    if sigterm == Disposition::Caught {
        // Wait for its "handled" byte, so SIGKILL comes after the handler ran.
        next_byte(acks)?;
    }
    Ok((sigint, sigterm, alive_after_sigint))
}

/// The child's disposition of `sig`, from the `SigCgt` and `SigIgn` masks
/// in /proc/<pid>/status (hexadecimal; bit n-1 is signal n).
fn disposition(child: Pid, sig: Signal) -> Result<Disposition> {
    let path = format!("/proc/{child}/status");
    let status =
        std::fs::read_to_string(&path).with_context(|| tr!("reading {path}", "读取 {path}"))?;
    let mask = |field: &str| -> Result<u64> {
        let hex = status
            .lines()
            .find_map(|l| l.strip_prefix(field))
            .with_context(|| tr!("{path} has no {field} line", "{path} 里没有 {field} 这一行"))?;
        u64::from_str_radix(hex.trim(), 16).with_context(|| format!("{path}: {field}{hex}"))
    };
    let bit = 1u64 << (sig as i32 - 1);
    Ok(if mask("SigCgt:")? & bit != 0 {
        Disposition::Caught
    } else if mask("SigIgn:")? & bit != 0 {
        Disposition::Ignored
    } else {
        Disposition::Default
    })
}

/// The child's next byte, or `None` at end of file (it died); bounded by
/// [`DEADLINE`].
fn next_byte(acks: &OwnedFd) -> Result<Option<u8>> {
    let mut fds = [PollFd::new(acks.as_fd(), PollFlags::POLLIN)];
    let timeout = PollTimeout::try_from(DEADLINE).unwrap_or(PollTimeout::MAX);
    if poll(&mut fds, timeout).context("poll(child's pipe)")? == 0 {
        return demo_kit::bail_msg(tr!(
            "the child said nothing for {DEADLINE:?}",
            "子进程 {DEADLINE:?} 内什么也没说"
        ));
    }
    let mut byte = [0u8; 1];
    let n = read(acks, &mut byte).context(tr!("reading the child's pipe", "读子进程的管道"))?;
    Ok((n == 1).then_some(byte[0]))
}

fn finish(child: Pid, dying: bool) -> Result<Option<Signal>> {
    let grace = if dying { DEADLINE } else { Duration::ZERO };
    let status = match wait_within(child, grace)? {
        Some(s) => s,
        None => {
            let _ = kill(child, Signal::SIGKILL);
            waitpid(child, None).with_context(|| format!("waitpid({child}) after SIGKILL"))?
        }
    };
    Ok(match status {
        WaitStatus::Signaled(_, sig, _) => Some(sig),
        _ => None,
    })
}
