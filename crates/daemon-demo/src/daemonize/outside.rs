//! The daemon seen from outside, the way `ps`, `ls -l /proc/<pid>` and
//! `kill <pid>` see it: its session, process group and terminal next to the
//! demo's, its working directory, where its fds 0-2 point; then stopping it
//! by pid and reaping it (we adopted it as a subreaper).

use super::Running;
use crate::{describe, PATIENCE};
use demo_kit::child::wait_within;
use demo_kit::procfs::{self, ProcStat};
use demo_kit::say::say;
use demo_kit::{Context, Result, Side};
use nix::sys::signal::{kill, Signal};
use nix::sys::wait::WaitStatus;
use std::path::PathBuf;

/// Looks at the daemon from outside, the way `ps` and `ls -l /proc` do:
/// its `/proc/<pid>/stat` next to the demo's, its cwd and its fds 0-2.
pub fn look(r: &Running) -> Result<(ProcStat, PathBuf, Vec<PathBuf>)> {
    let pid = r.pid;
    let d = procfs::stat(pid.as_raw()).context("the daemon vanished from /proc")?;
    let row = |who: &str, s: &ProcStat| {
        format!(
            "{who} pid {:>7}  ppid {:>7}  session {:>7}  pgrp {:>7}  tty_nr {}",
            s.pid, s.ppid, s.session, s.pgrp, s.tty_nr
        )
    };
    say(Side::Kernel, row("demo  ", &r.demo));
    say(Side::Kernel, row("daemon", &d));
    explain(r, &d);
    let cwd = std::fs::read_link(format!("/proc/{pid}/cwd")).context("reading the daemon's cwd")?;
    say(
        Side::Kernel,
        format!("/proc/{pid}/cwd -> {}", cwd.display()),
    );
    let stdio = (0..3)
        .map(|fd| std::fs::read_link(format!("/proc/{pid}/fd/{fd}")))
        .collect::<std::io::Result<Vec<_>>>()
        .context("reading the daemon's fds 0-2")?;
    for (fd, target) in stdio.iter().enumerate() {
        say(
            Side::Kernel,
            format!("/proc/{pid}/fd/{fd} -> {}", target.display()),
        );
    }
    Ok((d, cwd, stdio))
}

/// Interprets the /proc fields, saying only what the numbers show.
fn explain(r: &Running, d: &ProcStat) {
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
        say(Side::Note, format!("ppid {} = the demo: as a subreaper it adopted the orphan; without that, it would go to the nearest subreaper above, else to init (pid 1)", d.ppid));
    }
}

/// Stops the daemon by pid, as `kill <pid>` would, and reaps it (we
/// adopted it). Returns how it ended and whether `/proc/<pid>` is gone.
pub fn stop(mut r: Running) -> Result<(WaitStatus, bool)> {
    let pid = r.pid;
    say(Side::Parent, format!("kill({pid}, SIGTERM)"));
    kill(pid, Signal::SIGTERM).context("kill(daemon, SIGTERM)")?;
    let status = wait_within(pid, PATIENCE)?.context("the daemon ignored SIGTERM")?;
    r.cleanup.done(pid);
    let gone = procfs::is_gone(pid.as_raw());
    say(
        Side::Kernel,
        format!(
            "waitpid(daemon {pid}): {}; /proc/{pid} gone: {gone}",
            describe(&status)
        ),
    );
    Ok((status, gone))
}
