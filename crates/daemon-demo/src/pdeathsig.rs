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

use crate::{describe, Cleanup, PATIENCE};
use demo_kit::child::{child_main, flush_before_fork, wait_within, write_fd};
use demo_kit::report::recv_line;
use demo_kit::say::{colors_enabled, say};
use demo_kit::{tr, Context, Result, Side};
use generations::{middle_life, parse_ready, parse_status};
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
    let (report_r, report_w) = pipe().context(tr!("pipe() for reports", "为报告创建 pipe()"))?;
    let (go_r, go_w) =
        pipe().context(tr!("pipe() for the go signal", "为“开始”信号创建 pipe()"))?;
    let (life_r, life_w) = pipe().context(tr!("pipe() for the lifeline", "为生命线创建 pipe()"))?;

    flush_before_fork();
    // SAFETY: the child only runs `middle`, which ends in `_exit`.
    let middle = match unsafe { fork() }
        .context(tr!("fork() of the middle parent", "fork() 出中间的父进程"))?
    {
        ForkResult::Child => {
            drop((report_r, go_w, life_w));
            child_main(|| middle_life(signal, end, &report_w, &go_r, life_r, color))
        }
        ForkResult::Parent { child } => child,
    };
    drop((report_w, go_r, life_r));
    let mut cleanup = Cleanup::default();
    cleanup.track(middle);

    // C reports "ready" once its prctl is done; M (unless its helper thread
    // forked C) says "forked" once it has told the reader so. The two come
    // in either order. Waiting for both keeps M's line in the story before
    // D ends M: a SIGKILL sent earlier would cut it off.
    let mut ready = None;
    let mut middle_spoke = end == ParentEnd::ThreadExits;
    while ready.is_none() || !middle_spoke {
        let line = recv_line(&report_r, PATIENCE, "C's first report and M's")?;
        if line == "forked" {
            middle_spoke = true;
        } else {
            ready = Some(line);
        }
    }
    let ready = ready.unwrap_or_default();
    let (child, ppid_after_prctl, pdeathsig) = parse_ready(&ready)?;
    if ppid_after_prctl != middle {
        say(
            Side::Note,
            tr!(
                "C saw parent {ppid_after_prctl} instead of M {middle}",
                "C 看到的父进程是 {ppid_after_prctl}，而不是 M {middle}"
            ),
        );
    }
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
        let line = recv_line(&report_r, PATIENCE, "M's report on C")?;
        let child_status = parse_status(child, &line)?;
        say(Side::Parent, tr!("M (pid {middle}, still alive) waitpid(C {child}): C {} — its parent thread ended, its parent process did not", "M（pid {middle}，还活着）waitpid(C {child})：C {}——结束的是它的父线程，它的父进程还在", describe(&child_status)));
        write_fd(go_w.as_raw_fd(), b"g\n"); // now M may exit too
        let middle_status =
            wait_within(middle, PATIENCE)?.context(tr!("M did not exit", "M 没有退出"))?;
        cleanup.done(middle);
        say(
            Side::Kernel,
            tr!(
                "waitpid(M {middle}): M {} (only after that, when D let it go)",
                "waitpid(M {middle})：M {}（这是在 D 放行之后才发生的）",
                describe(&middle_status)
            ),
        );
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
    let middle_status =
        wait_within(middle, PATIENCE)?.context(tr!("M did not end", "M 没有结束"))?;
    cleanup.done(middle);
    say(
        Side::Kernel,
        tr!(
            "waitpid(M {middle}): M {}",
            "waitpid(M {middle})：M {}",
            describe(&middle_status)
        ),
    );

    let mut cleaned_up_by_us = false;
    let (adopted_by, died_with_parent, child_status) = if signal.is_some() {
        let status = wait_within(child, PATIENCE)?
            .context(tr!("C outlived its parent", "C 比它的父进程活得久"))?;
        let by_pdeathsig = matches!(status, WaitStatus::Signaled(_, s, _) if Some(s) == signal);
        let how = if by_pdeathsig {
            tr!(" — it died with its parent", "——它随父进程一起结束了")
        } else {
            tr!(
                ", not by its pdeath signal",
                "，但不是被它的 pdeath 信号结束的"
            )
        };
        say(
            Side::Kernel,
            tr!(
                "waitpid(C {child}): C {}{how}",
                "waitpid(C {child})：C {}{how}",
                describe(&status)
            ),
        );
        (None, by_pdeathsig, status)
    } else {
        // C should be alive and ours now. Look, then clean up by pid.
        let adopted = demo_kit::procfs::stat(child.as_raw()).map(|s| Pid::from_raw(s.ppid));
        if let Some(p) = adopted {
            let who = if p == nix::unistd::getpid() {
                tr!("the demo, as subreaper", "演示程序，作为子进程收割者")
            } else {
                tr!("not the demo!", "不是演示程序！")
            };
            say(
                Side::Kernel,
                tr!(
                    "/proc/{child}/stat: C is still alive, its parent is now {p} ({who})",
                    "/proc/{child}/stat：C 还活着，它现在的父进程是 {p}（{who}）"
                ),
            );
        }
        if let Some(status) = wait_within(child, std::time::Duration::ZERO)? {
            say(
                Side::Kernel,
                tr!(
                    "waitpid(C {child}): C {} — it died with its parent",
                    "waitpid(C {child})：C {}——它随父进程一起结束了",
                    describe(&status)
                ),
            );
            (adopted, true, status)
        } else {
            say(
                Side::Parent,
                tr!(
                    "cleaning up by pid: kill({child}, SIGTERM)",
                    "按 pid 清理：kill({child}, SIGTERM)"
                ),
            );
            kill(child, Signal::SIGTERM)
                .context(tr!("kill(C, SIGTERM) to clean up", "kill(C, SIGTERM) 清理"))?;
            let status = wait_within(child, PATIENCE)?
                .context(tr!("C ignored SIGTERM", "C 忽略了 SIGTERM"))?;
            say(
                Side::Kernel,
                tr!(
                    "waitpid(C {child}): C {}",
                    "waitpid(C {child})：C {}",
                    describe(&status)
                ),
            );
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
