//! `p.is_alive()` is `waitpid(pid, WNOHANG)` — and why `kill(pid, 0)` is the
//! wrong test.
//!
//! A common shortcut for "does process N exist?" is `kill(N, 0)`: signal 0
//! sends nothing, it only checks that the pid exists and that we may signal
//! it. But a zombie *exists* — it has a pid and a `/proc` entry — so
//! `kill(zombie, 0)` succeeds although the program has finished. Only the
//! parent's `waitpid(pid, WNOHANG)` answers the question Python asks
//! ("has my child finished?"): `StillAlive` while it runs, its status once it
//! has exited — and that same call reaps it.
//!
//! We probe one child three times: running, zombie, reaped. (Linux-only
//! here: `/proc` and `waitid(WNOWAIT)` to hold the zombie still.)

use crate::pipe::{pipe, recv, send};
use crate::process::{describe, Child};
use demo_kit::say::say;
use demo_kit::{procfs, tr, Context, Result, Side};
use nix::sys::signal::kill;
use nix::sys::wait::{waitid, Id, WaitPidFlag, WaitStatus};

/// What the three ways of asking said at one moment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Probe {
    /// `/proc/<pid>/stat` state letter, `None` if the entry is gone.
    pub proc_state: Option<char>,
    /// `kill(pid, 0)` succeeded ("the pid exists").
    pub kill0_ok: bool,
    /// `is_alive()` = `waitpid(pid, WNOHANG)` said `StillAlive`.
    pub is_alive: Option<bool>,
}

#[derive(Debug)]
pub struct AliveReport {
    pub pid: i32,
    pub running: Probe,
    pub zombie: Probe,
    /// The status the `is_alive()` call on the zombie collected.
    pub status: Option<WaitStatus>,
    pub reaped: Probe,
}

/// Asks the three ways, in this order: `/proc`, `kill(pid, 0)`, then
/// `is_alive()` (last: on a zombie it reaps), and says what each answered.
/// `when` is `(english, chinese)`: each padded to the same terminal width,
/// so the three lines stay aligned in both languages.
fn probe(when: (&str, &str), child: &mut Child) -> Result<Probe> {
    let pid = child.pid();
    let p = Probe {
        proc_state: procfs::stat(pid.as_raw()).map(|s| s.state),
        kill0_ok: kill(pid, None).is_ok(),
        is_alive: Some(child.is_alive()?),
    };
    // Padded here, not by the format: `{:<4}` counts characters, and a
    // Chinese one takes two columns.
    let state = p
        .proc_state
        .map_or(tr!("gone", "无  "), |c| format!("{c:<4}"));
    say(
        Side::Kernel,
        tr!(
            "{:<8} /proc state {} kill({pid}, 0) {:<7} is_alive() {}",
            "{}  /proc 状态 {} kill({pid}, 0) {:<7} is_alive() {}",
            demo_kit::lang::pick(when.0, when.1),
            state,
            if p.kill0_ok { "ok" } else { "ESRCH" },
            if p.is_alive == Some(true) {
                "True"
            } else {
                "False"
            },
        ),
    );
    Ok(p)
}

pub fn alive_probes() -> Result<AliveReport> {
    let up = pipe()?;
    let down = pipe()?;
    let mut child = Child::start(|| {
        // Say "ready", then wait for the word to exit.
        if send(&up.write, b"R").is_err() {
            return 3;
        }
        match crate::pipe::child_read_byte(&down.read) {
            Some(b'x') => 0,
            _ => 4,
        }
    })?;
    // Keep only the parent's ends: a child that dies early then shows as EOF.
    drop((up.write, down.read));
    let pid = child.pid();
    recv(&up.read, 1, "the child's 'ready'")?;

    // 1. Running: all three agree.
    let running = probe(("running", "运行中"), &mut child)?;

    // 2. Let it exit; waitid(WNOWAIT) tells us when without reaping it.
    send(&down.write, b"x")?;
    waitid(Id::Pid(pid), WaitPidFlag::WEXITED | WaitPidFlag::WNOWAIT)
        .with_context(|| format!("waitid({pid}, WEXITED | WNOWAIT)"))?;
    // waitid returned, so the child is a zombie already (see join.rs).
    if procfs::stat(pid.as_raw()).map(|s| s.state) != Some('Z') {
        return demo_kit::bail_msg(tr!(
            "waitid said {pid} exited, but it is not a zombie",
            "waitid 说 {pid} 已经退出，它却不是僵尸进程"
        ));
    }
    let zombie = probe(("zombie", "僵尸  "), &mut child)?;

    // 3. That is_alive() call reaped it: now the pid is gone for everyone.
    let reaped = probe(("reaped", "已回收"), &mut child)?;
    if zombie.kill0_ok {
        say(Side::Note, tr!(
            "kill(pid, 0) succeeded on the zombie: it tests \"the pid exists\", not \"the program runs\" — the wrong test",
            "kill(pid, 0) 对僵尸进程也成功了：它检查的是“这个 pid 存在”，不是“程序还在运行”——用错了"
        ));
    }
    if let Some(s) = child.status() {
        say(Side::Note, tr!(
            "the is_alive() on the zombie was a waitpid(WNOHANG) that returned {} — it reaped it, as Python's does",
            "对僵尸进程调用的 is_alive() 就是一次 waitpid(WNOHANG)，返回 {}——顺手把它回收了，Python 的 is_alive() 也是这样",
            describe(s)
        ));
    }
    Ok(AliveReport {
        pid: pid.as_raw(),
        running,
        zombie,
        status: child.status(),
        reaped,
    })
}
