//! `cargo run -p daemon-demo`: the two meanings of 守护进程 (daemon).
//!
//! Part 1 — Python's `p.daemon = True` ("the child dies with its parent")
//! as the kernel feature `prctl(PR_SET_PDEATHSIG)`, in four experiments.
//! Part 2 — the classic Unix daemon: fork, setsid, fork, chdir, /dev/null.
//! Every pid, status and `/proc` field printed is what the kernel reported.

use daemon_demo::pdeathsig::{self, ParentEnd, PdeathReport};
use daemon_demo::{daemonize, describe};
use demo_kit::say::{heading, say, step};
use demo_kit::{cli::Args, Result, Side};
use nix::sys::signal::Signal;
use std::process::ExitCode;
use std::time::Duration;

const HELP: &str = "\
daemon-demo: Python's daemon=True (prctl PR_SET_PDEATHSIG) and the classic Unix daemon

USAGE: cargo run -p daemon-demo [-- OPTIONS]

OPTIONS:
  --only pdeathsig|daemon   run one part only (default: both)
  -h, --help                show this help

Linux only (prctl, /proc). Needs no privileges. Every process it starts is
stopped and reaped before it exits.";

fn main() -> ExitCode {
    demo_kit::fail::run(run)
}

fn run() -> Result<()> {
    let mut args = Args::parse(HELP);
    let only: Option<String> = args.value("--only")?;
    args.finish()?;
    let (pd, dm) = match only.as_deref() {
        None => (true, true),
        Some("pdeathsig") => (true, false),
        Some("daemon") => (false, true),
        Some(other) => {
            return demo_kit::bail_msg(format!(
                "--only takes pdeathsig or daemon, not {other:?}; see --help"
            ))
        }
    };
    say(Side::Note, format!("the demo is pid {}; it makes itself a child subreaper (prctl PR_SET_CHILD_SUBREAPER), so orphaned grandchildren are re-parented to it, not to init, and it can reap them", std::process::id()));
    if pd {
        part_pdeathsig()?;
    }
    if dm {
        part_daemon()?;
    }
    Ok(())
}

fn part_pdeathsig() -> Result<()> {
    heading("part 1: p.daemon = True  ->  prctl(PR_SET_PDEATHSIG)");
    say(
        Side::Note,
        "three generations: the demo (D) forks a middle parent (M), M forks the child (C)",
    );

    step(
        1,
        "C asks for SIGTERM when its parent dies; M exits normally",
    );
    let r = pdeathsig::run(Some(Signal::SIGTERM), ParentEnd::Exits)?;
    tell(&r);

    step(
        2,
        "C does not ask; M exits normally: C survives as an orphan",
    );
    let r = pdeathsig::run(None, ParentEnd::Exits)?;
    tell(&r);

    step(
        3,
        "C asks; M is killed with SIGKILL (no exit handler can run)",
    );
    let r = pdeathsig::run(Some(Signal::SIGTERM), ParentEnd::Killed)?;
    tell(&r);
    say(Side::Note, "Python's daemon flag would NOT have helped here: it is an atexit handler in the parent, and a SIGKILLed parent runs no handlers");

    step(4, "caveat: the parent is the *thread* that forked; M forks C from a helper thread, which returns");
    let r = pdeathsig::run(Some(Signal::SIGTERM), ParentEnd::ThreadExits)?;
    tell(&r);
    Ok(())
}

fn tell(r: &PdeathReport) {
    if r.ppid_after_prctl != r.middle {
        say(
            Side::Note,
            format!(
                "C saw parent {} instead of M {}",
                r.ppid_after_prctl, r.middle
            ),
        );
    }
    if r.reaped_by_middle {
        say(Side::Parent, format!("M (pid {}, still alive) waitpid(C {}): C {} — its parent thread ended, its parent process did not", r.middle, r.child, describe(&r.child_status)));
        say(
            Side::Kernel,
            format!(
                "waitpid(M {}): M {} (only after that, when D let it go)",
                r.middle,
                describe(&r.middle_status)
            ),
        );
        return;
    }
    say(
        Side::Kernel,
        format!("waitpid(M {}): M {}", r.middle, describe(&r.middle_status)),
    );
    if let Some(p) = r.adopted_by {
        let who = if p.as_raw() as u32 == std::process::id() {
            "the demo, as subreaper"
        } else {
            "not the demo!"
        };
        say(
            Side::Kernel,
            format!(
                "/proc/{}/stat: C is still alive, its parent is now {p} ({who})",
                r.child
            ),
        );
    }
    if r.died_with_parent {
        say(
            Side::Kernel,
            format!(
                "waitpid(C {}): C {} — it died with its parent",
                r.child,
                describe(&r.child_status)
            ),
        );
    } else if r.cleaned_up_by_us {
        say(
            Side::Parent,
            format!("cleaning up by pid: kill({}, SIGTERM)", r.child),
        );
        say(
            Side::Kernel,
            format!("waitpid(C {}): C {}", r.child, describe(&r.child_status)),
        );
    } else {
        say(
            Side::Kernel,
            format!(
                "waitpid(C {}): C {}, not by its pdeath signal",
                r.child,
                describe(&r.child_status)
            ),
        );
    }
}

fn part_daemon() -> Result<()> {
    heading("part 2: the classic Unix daemon");
    step(
        5,
        "fork, setsid, fork again, chdir(\"/\"), stdio to /dev/null",
    );
    let r = daemonize::run(Duration::from_secs(60))?;
    say(
        Side::Kernel,
        format!(
            "waitpid(first child {}): {}",
            r.first_child,
            describe(&r.first_child_status)
        ),
    );
    step(6, "look at the daemon from outside, in /proc");
    let d = &r.daemon;
    say(
        Side::Kernel,
        format!(
            "demo   pid {:>7}  ppid {:>7}  session {:>7}  pgrp {:>7}  tty_nr {}",
            r.demo.pid, r.demo.ppid, r.demo.session, r.demo.pgrp, r.demo.tty_nr
        ),
    );
    say(
        Side::Kernel,
        format!(
            "daemon pid {:>7}  ppid {:>7}  session {:>7}  pgrp {:>7}  tty_nr {}",
            d.pid, d.ppid, d.session, d.pgrp, d.tty_nr
        ),
    );
    explain_daemon(&r);
    say(
        Side::Kernel,
        format!("/proc/{}/cwd -> {}", d.pid, r.cwd.display()),
    );
    for (fd, target) in r.stdio.iter().enumerate() {
        say(
            Side::Kernel,
            format!("/proc/{}/fd/{fd} -> {}", d.pid, target.display()),
        );
    }
    step(7, "stop the daemon by pid");
    say(Side::Parent, format!("kill({}, SIGTERM)", d.pid));
    say(
        Side::Kernel,
        format!(
            "waitpid(daemon {}): {}; /proc/{} gone: {}",
            d.pid,
            describe(&r.daemon_status),
            d.pid,
            r.gone
        ),
    );
    Ok(())
}

/// Interprets the /proc fields, saying only what the numbers show.
fn explain_daemon(r: &daemonize::DaemonReport) {
    let d = &r.daemon;
    if d.session != r.demo.session {
        say(
            Side::Note,
            format!(
                "the daemon is in session {}, not the demo's {}",
                d.session, r.demo.session
            ),
        );
    }
    if d.session == r.first_child.as_raw() && d.pid != d.session {
        say(Side::Note, format!("session {} is the first child's pid: it called setsid() and has exited; the daemon {} is not a session leader, so it can never acquire a terminal", d.session, d.pid));
    }
    match (d.tty_nr, r.demo.tty_nr) {
        (0, 0) => say(Side::Note, "tty_nr 0 = no controlling terminal (the demo has none either right now: it is not running in a terminal; try it in one)"),
        (0, _) => say(Side::Note, "tty_nr 0 = no controlling terminal, while the demo still has one"),
        _ => say(Side::Note, "the daemon still has a controlling terminal?!"),
    }
    if d.ppid == r.demo.pid {
        say(Side::Note, format!("ppid {} = the demo: as a subreaper it adopted the orphan; without that, the daemon's parent would be init (pid 1)", d.ppid));
    }
}
