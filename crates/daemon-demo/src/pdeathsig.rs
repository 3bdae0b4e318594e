//! Python's `p.daemon = True` the Linux way: `prctl(PR_SET_PDEATHSIG)`.
//!
//! In Python, a "daemonic" child is terminated by its parent's *exit
//! handler*: when the parent interpreter exits normally, `multiprocessing`
//! calls `terminate()` (SIGTERM) on each daemonic child. If the parent is
//! SIGKILLed, no handler runs and the child lives on.
//!
//! Linux can do this in the kernel: a child calls
//! `prctl(PR_SET_PDEATHSIG, SIGTERM)` and the kernel sends it SIGTERM when
//! its parent dies — however the parent dies, SIGKILL included. Two details:
//!
//! * the parent may already have died before the child made the call; the
//!   child then waits for a signal that never comes. So the child checks
//!   `getppid()` *after* `prctl` and gives up if the parent is not the one
//!   it was forked from.
//! * "parent" means the parent *thread*: if the thread that called `fork`
//!   ends, the child is signalled even though the parent process lives on.
//!
//! To watch all this from one program we use three generations: the demo
//! (D) forks a *middle* parent (M), which forks the child (C). D then ends
//! M and looks at what happened to C. D makes itself a *child subreaper*
//! (`prctl(PR_SET_CHILD_SUBREAPER)`), so the orphaned C is re-parented to D
//! instead of to init: D can then `waitpid` C and read its real exit status.

mod generations;

use crate::{describe, read_line, reap_within, Cleanup, PATIENCE};
use demo_kit::child::{child_main, flush_before_fork, write_fd};
use demo_kit::{say::colors_enabled, Context, Result};
use generations::middle_life;
use nix::sys::prctl;
use nix::sys::signal::{kill, Signal};
use nix::sys::wait::WaitStatus;
use nix::unistd::{fork, pipe, ForkResult, Pid};
use std::os::fd::AsRawFd;

/// How the middle parent M ends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ParentEnd {
    /// M exits normally (`_exit(0)`), like a Python parent reaching its end.
    Exits,
    /// D sends M SIGKILL: no exit handler can run.
    Killed,
    /// M stays alive, but the *thread* in M that forked C returns.
    ThreadExits,
}

/// What the kernel told us about one run.
#[derive(Clone, Debug)]
pub struct PdeathReport {
    pub middle: Pid,
    pub child: Pid,
    /// The signal the child read back with `prctl(PR_GET_PDEATHSIG)`.
    pub pdeathsig: Option<Signal>,
    /// `getppid()` in the child right after `prctl`: must be M.
    pub ppid_after_prctl: Pid,
    /// How M ended (for `ThreadExits`: M was still alive when C ended).
    pub middle_status: WaitStatus,
    /// C's parent according to `/proc` after M ended, if C was still alive.
    pub adopted_by: Option<Pid>,
    /// C ended by itself (pdeathsig) before we touched it.
    pub died_with_parent: bool,
    /// How C ended: by the pdeath signal, or by our own clean-up `kill`.
    pub child_status: WaitStatus,
    /// `ThreadExits`: C was reaped by M (still alive then), not by D.
    pub reaped_by_middle: bool,
    /// C was still alive after its parent died, and D killed it by pid.
    pub cleaned_up_by_us: bool,
}

/// Runs one generation-of-three experiment: `signal` is what C asks for
/// with `PR_SET_PDEATHSIG` (`None`: it does not call it).
pub fn run(signal: Option<Signal>, end: ParentEnd) -> Result<PdeathReport> {
    prctl::set_child_subreaper(true).context("prctl(PR_SET_CHILD_SUBREAPER)")?;
    let color = colors_enabled();
    // report: C and M -> D. go: D -> M ("exit now"). lifeline: D holds the
    // write end; C blocks reading it, so if D dies C sees EOF and ends too.
    let (report_r, report_w) = pipe().context("pipe() for reports")?;
    let (go_r, go_w) = pipe().context("pipe() for the go signal")?;
    let (life_r, life_w) = pipe().context("pipe() for the lifeline")?;

    flush_before_fork();
    // SAFETY: the child only runs `middle`, which ends in `_exit`.
    let middle = match unsafe { fork() }.context("fork() of the middle parent")? {
        ForkResult::Child => {
            drop((report_r, go_w, life_w));
            child_main(|| middle_life(signal, end, &report_w, &go_r, life_r, color))
        }
        ForkResult::Parent { child } => child,
    };
    drop((report_w, go_r, life_r));
    let mut cleanup = Cleanup::default();
    cleanup.track(middle);

    let ready = read_line(&report_r, PATIENCE).context("waiting for the child's first report")?;
    let (child, ppid_after_prctl, pdeathsig) = parse_ready(&ready)?;
    if end != ParentEnd::ThreadExits {
        cleanup.track(child); // C will be re-parented to us
    }

    // End the middle parent the chosen way.
    match end {
        ParentEnd::Killed => kill(middle, Signal::SIGKILL).context("kill(M, SIGKILL)")?,
        ParentEnd::Exits | ParentEnd::ThreadExits => {
            write_fd(go_w.as_raw_fd(), b"g\n");
        }
    }

    if end == ParentEnd::ThreadExits {
        // M reaps C itself (C is M's child) and tells us how it ended.
        let line = read_line(&report_r, PATIENCE).context("waiting for M's report on C")?;
        let child_status = parse_status(child, &line)?;
        write_fd(go_w.as_raw_fd(), b"g\n"); // now M may exit too
        let middle_status = reap_within(middle, PATIENCE)?.context("M did not exit")?;
        cleanup.done(middle);
        return Ok(PdeathReport {
            middle,
            child,
            pdeathsig,
            ppid_after_prctl,
            middle_status,
            adopted_by: None,
            died_with_parent: matches!(child_status, WaitStatus::Signaled(_, s, _) if Some(s) == signal),
            child_status,
            reaped_by_middle: true,
            cleaned_up_by_us: false,
        });
    }

    // Reaping M guarantees the kernel has already re-parented C to us and,
    // if C asked for it, sent C its pdeath signal (both happen inside M's exit).
    let middle_status = reap_within(middle, PATIENCE)?.context("M did not end")?;
    cleanup.done(middle);

    let mut cleaned_up_by_us = false;
    let (adopted_by, died_with_parent, child_status) = if signal.is_some() {
        let status = reap_within(child, PATIENCE)?.context("C outlived its parent")?;
        let by_pdeathsig = matches!(status, WaitStatus::Signaled(_, s, _) if Some(s) == signal);
        (None, by_pdeathsig, status)
    } else {
        // C should be alive and ours now. Look, then clean up by pid.
        let adopted = demo_kit::procfs::stat(child.as_raw()).map(|s| Pid::from_raw(s.ppid));
        if let Some(status) = reap_within(child, std::time::Duration::ZERO)? {
            (adopted, true, status)
        } else {
            kill(child, Signal::SIGTERM).context("kill(C, SIGTERM) to clean up")?;
            let status = reap_within(child, PATIENCE)?.context("C ignored SIGTERM")?;
            cleaned_up_by_us = true;
            (adopted, false, status)
        }
    };
    cleanup.done(child);
    drop(life_w);
    Ok(PdeathReport {
        middle,
        child,
        pdeathsig,
        ppid_after_prctl,
        middle_status,
        adopted_by,
        died_with_parent,
        child_status,
        reaped_by_middle: false,
        cleaned_up_by_us,
    })
}

fn parse_ready(line: &str) -> Result<(Pid, Pid, Option<Signal>)> {
    let bad = || demo_kit::Error::msg(format!("unexpected report from the child: {line:?}"));
    let mut words = line.split_whitespace();
    if words.next() != Some("ready") {
        return Err(bad());
    }
    let pid: i32 = words.next().and_then(|w| w.parse().ok()).ok_or_else(bad)?;
    let ppid: i32 = words.next().and_then(|w| w.parse().ok()).ok_or_else(bad)?;
    let sig = match words.next().ok_or_else(bad)? {
        "none" => None,
        name => Some(name.parse::<Signal>().map_err(|_| bad())?),
    };
    Ok((Pid::from_raw(pid), Pid::from_raw(ppid), sig))
}

/// M's report on how C ended, as `exited N` or `signaled SIGNAME`.
pub(crate) fn format_status(status: &WaitStatus) -> String {
    match status {
        WaitStatus::Exited(_, code) => format!("exited {code}"),
        WaitStatus::Signaled(_, sig, _) => format!("signaled {sig}"),
        _ => "running".to_string(),
    }
}

fn parse_status(pid: Pid, line: &str) -> Result<WaitStatus> {
    let mut words = line.split_whitespace();
    match (words.next(), words.next()) {
        (Some("exited"), Some(code)) => code.parse().ok().map(|c| WaitStatus::Exited(pid, c)),
        (Some("signaled"), Some(sig)) => sig
            .parse()
            .ok()
            .map(|s| WaitStatus::Signaled(pid, s, false)),
        _ => None,
    }
    .with_context(|| format!("M could not reap the child: {line:?}"))
}

/// One line summing up a report, for narration.
pub fn summary(r: &PdeathReport) -> String {
    format!("child {} {}", r.child, describe(&r.child_status))
}
