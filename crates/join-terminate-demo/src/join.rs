//! `p.join()` is `waitpid()`, and what it collects is a *zombie*.
//!
//! When a process exits, the kernel frees its memory and files at once but
//! keeps a small record — pid, exit status, CPU times — until the parent asks
//! for it. A process in that state is a zombie (僵尸进程): `/proc/<pid>/stat`
//! shows state `Z`, and `ps` shows `<defunct>`. `waitpid` hands the status to
//! the parent and deletes the record: the child is *reaped* (回收), and its
//! `/proc/<pid>` directory disappears. The course says join "会触发wait功能,
//! 将子进程回收掉" — this module shows that sentence happening.
//!
//! To *see* the zombie we need to know the child has exited without reaping
//! it. Linux's `waitid(..., WEXITED | WNOWAIT)` is exactly that: it blocks
//! until the child has exited, returns its status, and leaves it a zombie.
//! (Linux-only here: `/proc` and `waitid` with `WNOWAIT`.)

use crate::process::{describe, py, Child};
use demo_kit::child::child_say;
use demo_kit::say::{colors_enabled, say};
use demo_kit::{procfs, tr, Context, Result, Side};
use nix::sys::wait::{waitid, Id, WaitPidFlag, WaitStatus};
use nix::unistd::getpid;

/// What the parent observed, in order.
#[derive(Debug)]
pub struct JoinReport {
    pub pid: i32,
    /// What `waitid(WNOWAIT)` reported (the child exited, not reaped yet).
    pub peeked: WaitStatus,
    /// The state letter in `/proc/<pid>/stat` before `join` (`'Z'`).
    pub state_before_join: Option<char>,
    /// The line `ps` would print, from `/proc/<pid>/stat`: the comm name.
    pub comm_before_join: Option<String>,
    /// What `join` (`waitpid`) returned.
    pub status: WaitStatus,
    /// Python's `p.exitcode` for that status.
    pub exitcode: Option<i32>,
    /// True if `/proc/<pid>` is gone after `join`.
    pub gone_after_join: bool,
}

/// Starts a child that exits at once with `code`, shows it as a zombie, then
/// joins (reaps) it.
pub fn zombie_then_join(code: i32) -> Result<JoinReport> {
    let color = colors_enabled();
    say(Side::Parent, "p.start() → fork()");
    let mut child = Child::start(|| {
        child_say(
            Side::Child,
            tr!(
                "pid {} here; exiting with code {code}",
                "我是 pid {}，现在以退出码 {code} 退出",
                getpid()
            ),
            color,
        );
        code
    })?;
    let pid = child.pid();

    // A real event, not a sleep: waitid blocks until the child has exited;
    // WNOWAIT leaves it waitable, i.e. still a zombie.
    let peeked = waitid(Id::Pid(pid), WaitPidFlag::WEXITED | WaitPidFlag::WNOWAIT)
        .with_context(|| format!("waitid({pid}, WEXITED | WNOWAIT)"))?;
    say(
        Side::Kernel,
        tr!(
            "waitid({pid}, WEXITED | WNOWAIT) = {}: it has exited; WNOWAIT left it unreaped",
            "waitid({pid}, WEXITED | WNOWAIT) = {}：它已经退出；有 WNOWAIT，它还没有被回收",
            describe(peeked)
        ),
    );

    // No need to poll /proc: the exiting child set its exit_state to
    // EXIT_ZOMBIE under tasklist_lock before it notified us, and waitid
    // returns only for a child in that state (kernel/exit.c: exit_notify,
    // wait_consider_task); /proc/<pid>/stat's letter includes exit_state
    // (fs/proc/array.c, task_state_index). So it reads 'Z' now.
    let stat = procfs::stat(pid.as_raw());
    let state_before_join = stat.as_ref().map(|s| s.state);
    let comm_before_join = stat.as_ref().map(|s| s.comm.clone());
    match &stat {
        Some(s) if s.state == 'Z' => say(Side::Kernel, tr!(
            "/proc/{pid}/stat: state Z — a zombie (comm {:?}; `ps` shows <defunct>): memory freed, exit status kept for the parent",
            "/proc/{pid}/stat：状态 Z——僵尸进程（comm {:?}；`ps` 显示 <defunct>）：内存已经释放，退出状态留着等父进程来取",
            s.comm)),
        other => say(Side::Kernel, tr!(
            "/proc/{pid}/stat: state {:?} (expected Z)",
            "/proc/{pid}/stat：状态 {:?}（本应是 Z）",
            other.as_ref().map(|s| s.state))),
    }

    let status = child.join()?;
    let exitcode = child.exitcode();
    say(
        Side::Parent,
        tr!(
            "p.join() → waitpid({pid}) = {}; Python's p.exitcode = {}",
            "p.join() → waitpid({pid}) = {}；Python 的 p.exitcode = {}",
            describe(status),
            py(exitcode)
        ),
    );
    let gone_after_join = procfs::is_gone(pid.as_raw());
    say(
        Side::Kernel,
        if gone_after_join {
            tr!(
                "/proc/{pid}: gone — join reaped the zombie",
                "/proc/{pid}：已经没有了——join 回收了这个僵尸进程"
            )
        } else {
            tr!(
                "/proc/{pid}: still there (unexpected)",
                "/proc/{pid}：还在（不应该）"
            )
        },
    );
    Ok(JoinReport {
        pid: pid.as_raw(),
        peeked,
        state_before_join,
        comm_before_join,
        status,
        exitcode,
        gone_after_join,
    })
}
