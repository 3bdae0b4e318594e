//! `cargo run -p daemon-demo`: the two meanings of 守护进程 (daemon).
//!
//! The story: Python's `p.daemon = True` means "this child dies with its
//! parent". Linux can do that in the kernel, `prctl(PR_SET_PDEATHSIG)`, and
//! four experiments with three generations of processes show when it fires
//! (parent exits, parent SIGKILLed) and when it does not (child did not ask;
//! the forking *thread* ends). Then the classic Unix daemon, almost the
//! opposite: a process that outlives whoever started it — fork, setsid,
//! fork, chdir, /dev/null — looked at from outside in `/proc`, and stopped.
//! Every pid, status and `/proc` field printed is what the kernel reported.

use daemon_demo::daemonize;
use daemon_demo::pdeathsig::{self, ParentEnd};
use demo_kit::say::{heading, say, step};
use demo_kit::{cli::Args, Result, Side};
use nix::sys::signal::Signal::{self, SIGTERM};
use std::process::ExitCode;
use std::time::Duration;

mod help;

fn main() -> ExitCode {
    demo_kit::fail::run(run)
}

fn run() -> Result<()> {
    let mut args = Args::parse(help::HELP);
    let only: Option<String> = args.value("--only")?;
    args.finish()?;
    if !matches!(only.as_deref(), None | Some("pdeathsig" | "daemon")) {
        return demo_kit::bail_msg(format!(
            "--only takes pdeathsig or daemon, not {:?}; see --help",
            only.unwrap_or_default()
        ));
    }
    say(Side::Note, format!("the demo is pid {}; it makes itself a child subreaper (prctl PR_SET_CHILD_SUBREAPER), so orphaned grandchildren are re-parented to it, not to init, and it can reap them", std::process::id()));
    if only.as_deref() != Some("daemon") {
        part_pdeathsig()?;
    }
    if only.as_deref() != Some("pdeathsig") {
        part_daemon()?;
    }
    Ok(())
}

/// The four experiments: what C asks for, how M ends, and what it shows.
const EXPERIMENTS: [(Option<Signal>, ParentEnd, &str); 4] = [
    (Some(SIGTERM), ParentEnd::Exits, "C asks for SIGTERM when its parent dies; M exits normally"),
    (None, ParentEnd::Exits, "C does not ask; M exits normally: C survives as an orphan"),
    (Some(SIGTERM), ParentEnd::Killed, "C asks; M is killed with SIGKILL (no exit handler can run)"),
    (Some(SIGTERM), ParentEnd::ThreadExits, "caveat: the parent is the *thread* that forked; M forks C from a helper thread, which returns"),
];

fn part_pdeathsig() -> Result<()> {
    heading("part 1: p.daemon = True  ->  prctl(PR_SET_PDEATHSIG)");
    say(
        Side::Note,
        "three generations: the demo (D) forks a middle parent (M), M forks the child (C)",
    );
    for (n, (signal, end, title)) in EXPERIMENTS.into_iter().enumerate() {
        step(n + 1, title);
        pdeathsig::run(signal, end)?;
        if end == ParentEnd::Killed {
            say(Side::Note, "Python's daemon flag would NOT have helped here: it is an atexit handler in the parent, and a SIGKILLed parent runs no handlers");
        }
    }
    Ok(())
}

fn part_daemon() -> Result<()> {
    heading("part 2: the classic Unix daemon");
    step(
        5,
        "fork, setsid, fork again, chdir(\"/\"), stdio to /dev/null",
    );
    let daemon = daemonize::start(Duration::from_secs(60))?;
    step(6, "look at the daemon from outside, in /proc");
    daemonize::look(&daemon)?;
    step(7, "stop the daemon by pid");
    daemonize::stop(daemon)?;
    Ok(())
}
