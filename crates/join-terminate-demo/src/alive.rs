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
use demo_kit::{procfs, Context, Result, Side};
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
fn probe(when: &str, child: &mut Child) -> Result<Probe> {
    let pid = child.pid();
    let p = Probe {
        proc_state: procfs::stat(pid.as_raw()).map(|s| s.state),
        kill0_ok: kill(pid, None).is_ok(),
        is_alive: Some(child.is_alive()?),
    };
    say(
        Side::Kernel,
        format!(
            "{when:<8} /proc state {:<4} kill({pid}, 0) {:<7} is_alive() {}",
            p.proc_state.map_or("gone".to_string(), |c| c.to_string()),
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
    let running = probe("running", &mut child)?;

    // 2. Let it exit; waitid(WNOWAIT) tells us when without reaping it.
    send(&down.write, b"x")?;
    waitid(Id::Pid(pid), WaitPidFlag::WEXITED | WaitPidFlag::WNOWAIT)
        .with_context(|| format!("waitid({pid}, WEXITED | WNOWAIT)"))?;
    // waitid returned, so the child is a zombie already (see join.rs).
    if procfs::stat(pid.as_raw()).map(|s| s.state) != Some('Z') {
        return demo_kit::bail_msg(format!("waitid said {pid} exited, but it is not a zombie"));
    }
    let zombie = probe("zombie", &mut child)?;

    // 3. That is_alive() call reaped it: now the pid is gone for everyone.
    let reaped = probe("reaped", &mut child)?;
    if zombie.kill0_ok {
        say(Side::Note, "kill(pid, 0) succeeded on the zombie: it tests \"the pid exists\", not \"the program runs\" — the wrong test");
    }
    if let Some(s) = child.status() {
        say(Side::Note, format!("the is_alive() on the zombie was a waitpid(WNOHANG) that returned {} — it reaped it, as Python's does", describe(s)));
    }
    Ok(AliveReport {
        pid: pid.as_raw(),
        running,
        zombie,
        status: child.status(),
        reaped,
    })
}
