//! `p.terminate()` is `kill(pid, SIGTERM)`: a request, not an execution.
//!
//! The course: "应用程序给操作系统发送信号,让操作系统把这个子程序干掉,至于多久能干死,
//! 在于操作系统". More precisely, `kill()` only *marks* the signal pending on the
//! target and returns. What happens next is decided by the *target's*
//! disposition for `SIGTERM`, when the target next runs:
//!
//! * default: the kernel ends it; the parent's `waitpid` reports
//!   `Signaled(SIGTERM)` and Python shows `exitcode == -15`;
//! * a handler: the child runs its own code first (cleanup), and may then die
//!   by re-raising the signal — or simply carry on;
//! * ignored (`SIG_IGN`): the kernel throws the signal away;
//! * `SIGKILL` (`p.kill()`) cannot be caught, blocked or ignored.
//!
//! Each child here follows one [`Disposition`] and then serves a tiny pipe
//! protocol: it writes `R` when ready, answers `p` (ping) with `A`, exits
//! on `x`, and a handler writes `T` when it runs. A ping answered *after*
//! the SIGTERM is proof, not timing, that the child survived it.

mod child;

use crate::pipe::{pipe, recv, send};
use crate::process::{describe, py, Child};
use child::child_body;
use demo_kit::say::say;
use demo_kit::{tr, Result, Side};
use nix::sys::signal::Signal;
use nix::sys::wait::WaitStatus;
use std::os::fd::OwnedFd;
use std::time::{Duration, Instant};

/// How the child treats `SIGTERM`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Disposition {
    /// `SIG_DFL`: SIGTERM ends the process.
    Default,
    /// A handler that reports, waits for the parent's go (a cleanup that
    /// takes a moment), then restores `SIG_DFL` and re-raises: the parent
    /// still sees `Signaled(SIGTERM)`.
    CleanupThenDie,
    /// A handler that reports and returns: SIGTERM is refused.
    CatchAndCarryOn,
    /// `SIG_IGN`: the kernel discards SIGTERM.
    Ignore,
}

/// What the parent observed for one child.
#[derive(Debug)]
pub struct TerminateReport {
    pub disposition: Disposition,
    pub pid: i32,
    /// `is_alive()` called right after `terminate()` returned (for the
    /// handler cases: right after the handler said it was running).
    pub alive_right_after: bool,
    /// The child's handler ran (it wrote `T`).
    pub handler_ran: bool,
    /// The child answered a ping sent after the SIGTERM: it survived.
    pub survived: bool,
    /// Linux: signal 15's bit (mask 0x4000) of `SigIgn` in `/proc/<pid>/status`.
    pub ignored_per_proc: Option<bool>,
    /// The parent had to send SIGKILL.
    pub sent_sigkill: bool,
    pub status: WaitStatus,
    /// Python's `p.exitcode`.
    pub exitcode: Option<i32>,
    /// From `kill(SIGTERM)` to the child reaped.
    pub elapsed: Duration,
}

/// The four children of step 2, one per disposition.
pub fn all_four() -> Result<Vec<TerminateReport>> {
    use Disposition::*;
    [Default, CleanupThenDie, CatchAndCarryOn, Ignore]
        .into_iter()
        .map(terminate)
        .collect()
}

/// Starts a child with `disposition`, terminates it and joins it.
pub fn terminate(disposition: Disposition) -> Result<TerminateReport> {
    let up = pipe()?; // child -> parent
    let down = pipe()?; // parent -> child
    let mut child = Child::start(|| child_body(disposition, &up.write, &down.read))?;
    // Keep only the parent's ends: a child that dies early then shows as EOF.
    drop((up.write, down.read));
    let pid = child.pid().as_raw();
    let who = match disposition {
        Disposition::Default => tr!(
            "a child with the default action for SIGTERM",
            "这个子进程对 SIGTERM 采取默认动作"
        ),
        Disposition::CleanupThenDie => tr!(
            "a child whose SIGTERM handler cleans up, then re-raises",
            "这个子进程的 SIGTERM 信号处理函数先做清理，再重新发出这个信号"
        ),
        Disposition::CatchAndCarryOn => tr!(
            "a child whose SIGTERM handler just returns",
            "这个子进程的 SIGTERM 信号处理函数直接返回"
        ),
        Disposition::Ignore => tr!(
            "a child that ignores SIGTERM (SIG_IGN)",
            "这个子进程忽略 SIGTERM（SIG_IGN）"
        ),
    };
    say(Side::Parent, tr!("pid {pid}: {who}", "pid {pid}：{who}"));
    expect(&up.read, b'R', "the child's 'ready'")?;
    let ignored_per_proc = sigterm_ignored(pid);
    if ignored_per_proc == Some(true) {
        say(
            Side::Kernel,
            tr!(
                "/proc/<pid>/status SigIgn has signal 15's bit (0x4000) set: SIGTERM is ignored",
                "/proc/<pid>/status 的 SigIgn 里，信号 15 对应的位（0x4000）已置位：SIGTERM 被忽略"
            ),
        );
    }

    let t0 = Instant::now();
    child.terminate()?;
    say(
        Side::Parent,
        tr!(
            "p.terminate() → kill(pid, SIGTERM): returned at once",
            "p.terminate() → kill(pid, SIGTERM)：立即返回"
        ),
    );
    let mut handler_ran = false;
    let mut survived = false;
    let mut sent_sigkill = false;
    if matches!(
        disposition,
        Disposition::CleanupThenDie | Disposition::CatchAndCarryOn
    ) {
        expect(&up.read, b'T', "the handler's report")?;
        handler_ran = true;
        say(
            Side::Child,
            tr!(
                "(through the pipe) my SIGTERM handler is running",
                "（通过管道）我的 SIGTERM 信号处理函数正在运行"
            ),
        );
    }
    let alive_right_after;
    match disposition {
        Disposition::Default => {
            // Nothing to wait for: ask at once, and report what we saw.
            alive_right_after = child.is_alive()?;
            say(
                Side::Note,
                if alive_right_after {
                    tr!(
                        "observed: p.is_alive() right after kill() = True — kill() only marked the signal pending; the child dies when the kernel next runs it",
                        "观察到：kill() 之后马上调用 p.is_alive() = True——kill() 只是把信号标记为待处理（pending），等内核下次调度这个子进程时，它才会死"
                    )
                } else {
                    tr!(
                        "observed: p.is_alive() right after kill() = False — on this machine the child had already run and died (that call also reaped it)",
                        "观察到：kill() 之后马上调用 p.is_alive() = False——在这台机器上，子进程已经被调度过、死掉了（这次调用还顺手回收了它）"
                    )
                },
            );
        }
        Disposition::CleanupThenDie => {
            alive_right_after = child.is_alive()?; // it is inside its handler
            say(Side::Note, tr!(
                "observed: p.is_alive() = {} while the handler runs — \"how long it takes is up to the OS\", and here up to the child's cleanup",
                "观察到：信号处理函数运行期间 p.is_alive() = {}——笔记说“至于多久能干死，在于操作系统”，这里还要看子进程的清理做多久",
                py_bool(alive_right_after)
            ));
            send(&down.write, b"c")?; // let the cleanup finish
        }
        Disposition::CatchAndCarryOn | Disposition::Ignore => {
            send(&down.write, b"p")?;
            expect(&up.read, b'A', "the answer to a ping sent after SIGTERM")?;
            survived = true;
            alive_right_after = child.is_alive()?;
            say(
                Side::Note,
                tr!(
                "observed: it answered a ping sent after SIGTERM → it survived; p.is_alive() = {}",
                "观察到：SIGTERM 之后发的 ping，它回答了 → 它活了下来；p.is_alive() = {}",
                py_bool(alive_right_after)
            ),
            );
            child.kill()?; // SIGKILL: no handler, no ignoring
            sent_sigkill = true;
            say(
                Side::Parent,
                tr!(
                    "p.kill() → kill(pid, SIGKILL): cannot be caught, blocked or ignored",
                    "p.kill() → kill(pid, SIGKILL)：这个信号无法捕获、阻塞或忽略"
                ),
            );
        }
    }
    let status = child.join()?;
    let elapsed = t0.elapsed();
    say(
        Side::Parent,
        tr!(
            "p.join() → waitpid = {}; Python's p.exitcode = {}; {:.1} ms from SIGTERM to reaped",
            "p.join() → waitpid = {}；Python 的 p.exitcode = {}；从 SIGTERM 到回收用了 {:.1} ms",
            describe(status),
            py(child.exitcode()),
            elapsed.as_secs_f64() * 1e3
        ),
    );
    Ok(TerminateReport {
        disposition,
        pid,
        alive_right_after,
        handler_ran,
        survived,
        ignored_per_proc,
        sent_sigkill,
        status,
        exitcode: child.exitcode(),
        elapsed,
    })
}

fn py_bool(b: bool) -> &'static str {
    if b {
        "True"
    } else {
        "False"
    }
}

fn expect(fd: &OwnedFd, byte: u8, what: &str) -> Result<()> {
    let got = recv(fd, 1, what)?;
    if got[0] != byte {
        return demo_kit::bail_msg(tr!(
            "expected {:?} ({what}) from the child, got {:?}",
            "子进程本应发来 {:?}（{what}），实际收到的是 {:?}",
            byte as char,
            got[0] as char
        ));
    }
    Ok(())
}

/// Linux: is SIGTERM in the `SigIgn` mask of `/proc/<pid>/status`?
fn sigterm_ignored(pid: i32) -> Option<bool> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let hex = text.lines().find_map(|l| l.strip_prefix("SigIgn:"))?.trim();
    let mask = u64::from_str_radix(hex, 16).ok()?;
    Some(mask & (1 << (Signal::SIGTERM as u64 - 1)) != 0)
}
