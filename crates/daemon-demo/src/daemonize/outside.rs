//! The daemon seen from outside, the way `ps`, `ls -l /proc/<pid>` and
//! `kill <pid>` see it: its session, process group and terminal next to the
//! demo's, its working directory, where its fds 0-2 point; then stopping it
//! by pid and reaping it (we adopted it as a subreaper).

use super::Running;
use crate::{describe, PATIENCE};
use demo_kit::child::wait_within;
use demo_kit::procfs::{self, ProcStat};
use demo_kit::say::say;
use demo_kit::{tr, Context, Result, Side};
use nix::sys::signal::{kill, Signal};
use nix::sys::wait::WaitStatus;
use std::path::PathBuf;

/// Looks at the daemon from outside, the way `ps` and `ls -l /proc` do:
/// its `/proc/<pid>/stat` next to the demo's, its cwd and its fds 0-2.
pub fn look(r: &Running) -> Result<(ProcStat, PathBuf, Vec<PathBuf>)> {
    let pid = r.pid;
    let d = procfs::stat(pid.as_raw()).context(tr!(
        "the daemon vanished from /proc",
        "守护进程从 /proc 里消失了"
    ))?;
    let row = |who: &str, s: &ProcStat| {
        format!(
            "{who} pid {:>7}  ppid {:>7}  session {:>7}  pgrp {:>7}  tty_nr {}",
            s.pid, s.ppid, s.session, s.pgrp, s.tty_nr
        )
    };
    say(Side::Kernel, row(&tr!("demo  ", "演示程序"), &r.demo));
    say(Side::Kernel, row(&tr!("daemon", "守护进程"), &d));
    explain(r, &d);
    let cwd = std::fs::read_link(format!("/proc/{pid}/cwd"))
        .context(tr!("reading the daemon's cwd", "读取守护进程的 cwd"))?;
    say(
        Side::Kernel,
        format!("/proc/{pid}/cwd -> {}", cwd.display()),
    );
    let stdio = (0..3)
        .map(|fd| std::fs::read_link(format!("/proc/{pid}/fd/{fd}")))
        .collect::<std::io::Result<Vec<_>>>()
        .context(tr!("reading the daemon's fds 0-2", "读取守护进程的 fd 0-2"))?;
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
            tr!(
                "the daemon is in session {}, not the demo's {}",
                "守护进程在会话 {} 里，不在演示程序的会话 {} 里",
                d.session,
                r.demo.session
            ),
        );
    }
    if d.session == r.first_child.as_raw() && d.pid != d.session {
        say(Side::Note, tr!("session {} is the first child's pid: it called setsid() and has exited; the daemon {} is not a session leader, so it can never acquire a terminal", "会话号 {} 就是第一个子进程的 pid：它调用了 setsid()，已经退出；守护进程 {} 不是会话首进程，所以它再也不会获得终端", d.session, d.pid));
    }
    match (d.tty_nr, r.demo.tty_nr) {
        (0, 0) => say(Side::Note, tr!("tty_nr 0 = no controlling terminal (the demo has none either right now: it is not running in a terminal; try it in one)", "tty_nr 0 = 没有控制终端（演示程序现在也没有：它不是在终端里运行的；可以在终端里试试）")),
        (0, _) => say(Side::Note, tr!("tty_nr 0 = no controlling terminal, while the demo still has one", "tty_nr 0 = 没有控制终端，而演示程序还有")),
        _ => say(Side::Note, tr!("the daemon still has a controlling terminal?!", "守护进程居然还有控制终端？！")),
    }
    if d.ppid == r.demo.pid {
        say(Side::Note, tr!("ppid {} = the demo: as a subreaper it adopted the orphan; without that, it would go to the nearest subreaper above, else to init (pid 1)", "ppid {} = 演示程序：它作为子进程收割者收养了这个孤儿进程；否则孤儿会被上层最近的子进程收割者收养，没有的话就被 1 号进程（init）收养", d.ppid));
    }
}

/// Stops the daemon by pid, as `kill <pid>` would, and reaps it (we
/// adopted it). Returns how it ended and whether `/proc/<pid>` is gone.
pub fn stop(mut r: Running) -> Result<(WaitStatus, bool)> {
    let pid = r.pid;
    say(Side::Parent, format!("kill({pid}, SIGTERM)"));
    kill(pid, Signal::SIGTERM).context(tr!(
        "kill(daemon, SIGTERM)",
        "向守护进程发送 SIGTERM（kill）"
    ))?;
    let status = wait_within(pid, PATIENCE)?
        .context(tr!("the daemon ignored SIGTERM", "守护进程忽略了 SIGTERM"))?;
    r.cleanup.done(pid);
    let gone = procfs::is_gone(pid.as_raw());
    say(
        Side::Kernel,
        tr!(
            "waitpid(daemon {pid}): {}; /proc/{pid} gone: {gone}",
            "waitpid({pid})（守护进程）：{}；/proc/{pid} 已消失：{gone}",
            describe(&status)
        ),
    );
    Ok((status, gone))
}
