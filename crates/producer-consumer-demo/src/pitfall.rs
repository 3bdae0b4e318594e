//! What `ctrlc` does to a forked child, shown with real signals.
//!
//! `ctrlc::set_handler` starts a thread and installs a signal handler for
//! SIGINT (and SIGTERM and SIGHUP with the `termination` feature). The
//! handler only posts a semaphore (`sem_post`) that lives in the process's
//! memory; the thread waits on it and calls your closure. `fork()` copies the
//! handler and the semaphore into the child, but not the thread. So in the
//! child, Ctrl-C runs the handler, which posts the child's *own copy* of the
//! semaphore — and nobody is waiting on it. The child neither dies nor runs
//! any closure: it silently ignores Ctrl-C **and** `p.terminate()` (SIGTERM);
//! only SIGKILL ends it. The parent hears nothing either (its semaphore is a
//! different copy). The demo checks both facts.
//!
//! The fix, used by every child in [`crate::procs`]: reset the signals right
//! after `fork()` (SIGINT ignored, SIGTERM back to the default), and let the
//! parent stop children with SIGTERM. (The alternative is `setpgid(0, 0)`:
//! a child in its own process group does not get the terminal's Ctrl-C.)

use demo_kit::child::{child_main, flush_before_fork, wait_within, write_fd};
use demo_kit::{Context, Result};
use nix::sys::signal::{kill, signal, SigHandler, Signal};
use nix::sys::wait::{waitpid, WaitPidFlag, WaitStatus};
use nix::unistd::{fork, pipe, read, ForkResult, Pid};
use std::os::fd::AsRawFd;
use std::time::Duration;

/// What happened to one child for each signal the parent sent it.
#[derive(Debug)]
pub struct ChildFate {
    pub pid: i32,
    /// Did the parent's ctrlc closure run after SIGINT was sent to the child?
    pub parent_handler_ran_on_sigint: bool,
    pub alive_after_sigint: bool,
    pub parent_handler_ran_on_sigterm: bool,
    /// Did SIGTERM end the child?
    pub killed_by_sigterm: bool,
    /// The signal that finally ended it (SIGTERM, or SIGKILL as a last resort).
    pub ended_by: Option<Signal>,
}

/// Forks a child (resetting its signals if `reset_signals`), sends it SIGINT
/// and then SIGTERM, and watches `fired` — the channel the process's ctrlc
/// closure sends on — for `quiet` after each.
pub fn run(
    reset_signals: bool,
    fired: &crossbeam_channel::Receiver<()>,
    quiet: Duration,
) -> Result<ChildFate> {
    while fired.try_recv().is_ok() {} // forget older Ctrl-Cs
    let (ready_r, ready_w) = pipe().context("creating the ready pipe")?;
    flush_before_fork();
    // SAFETY: the child runs only async-signal-safe calls under child_main.
    let child = match unsafe { fork() }.context("fork() failed")? {
        ForkResult::Child => child_main(|| {
            if reset_signals {
                // SAFETY: SIG_IGN / SIG_DFL, no handler code involved.
                unsafe {
                    let _ = signal(Signal::SIGINT, SigHandler::SigIgn);
                    let _ = signal(Signal::SIGTERM, SigHandler::SigDfl);
                    let _ = signal(Signal::SIGHUP, SigHandler::SigDfl);
                }
            }
            write_fd(ready_w.as_raw_fd(), b"r"); // "my signals are set"
            loop {
                // SAFETY: pause() just sleeps until a signal is handled.
                unsafe { nix::libc::pause() };
            }
        }),
        ForkResult::Parent { child } => child,
    };
    drop(ready_w);
    let mut byte = [0u8; 1];
    let ready = read(&ready_r, &mut byte).context("waiting for the child to be ready")?;
    let result = (|| -> Result<ChildFate> {
        if ready != 1 {
            return demo_kit::bail_msg("the child died before it was ready");
        }
        kill(child, Signal::SIGINT).context("kill(child, SIGINT)")?;
        let on_int = fired.recv_timeout(quiet).is_ok();
        let alive = matches!(
            waitpid(child, Some(WaitPidFlag::WNOHANG)),
            Ok(WaitStatus::StillAlive)
        );
        kill(child, Signal::SIGTERM).context("kill(child, SIGTERM)")?;
        let on_term = fired.recv_timeout(quiet).is_ok();
        Ok(ChildFate {
            pid: child.as_raw(),
            parent_handler_ran_on_sigint: on_int,
            alive_after_sigint: alive,
            parent_handler_ran_on_sigterm: on_term,
            killed_by_sigterm: false,
            ended_by: None,
        })
    })();
    // Reap it: SIGTERM if it obeys, SIGKILL (cannot be handled) if not.
    let ended_by = finish(child, quiet)?;
    let mut fate = result?;
    fate.killed_by_sigterm = ended_by == Some(Signal::SIGTERM);
    fate.ended_by = ended_by;
    Ok(fate)
}

fn finish(child: Pid, grace: Duration) -> Result<Option<Signal>> {
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
