//! The two forked generations of the pdeathsig experiment: the middle
//! parent M and its child C. Both run in forked children of a possibly
//! multi-threaded demo (the test harness), so they narrate only with
//! `child_say` (one raw `write`), report to D through pipes, and end in
//! `_exit` through `child_main`.

use super::ParentEnd;
use crate::PATIENCE;
use demo_kit::child::{child_main, child_say, keep_only_fds, wait_within, write_fd};
use demo_kit::report::recv_line;
use demo_kit::{tr, Context, Result, Side};
use nix::sys::prctl;
use nix::sys::signal::Signal;
use nix::sys::wait::WaitStatus;
use nix::unistd::{fork, getpid, getppid, ForkResult, Pid};
use std::os::fd::{AsRawFd, OwnedFd};

/// The whole life of M: fork C (from the main thread, or from a helper
/// thread for `ThreadExits`), wait for D's go, exit.
pub(super) fn middle_life(
    signal: Option<Signal>,
    end: ParentEnd,
    report_w: &OwnedFd,
    go_r: &OwnedFd,
    life_r: OwnedFd,
    color: bool,
) -> i32 {
    let me = getpid();
    if end != ParentEnd::ThreadExits {
        let Some(_child) = spawn_child(signal, me, report_w, life_r, color) else {
            return 2;
        };
        child_say(
            Side::Parent,
            tr!(
                "M (pid {me}): child forked, waiting for D",
                "M（pid {me}）：已 fork 出子进程，等待 D"
            ),
            color,
        );
        write_fd(report_w.as_raw_fd(), b"forked\n");
        let _ = recv_line(go_r, PATIENCE * 3, "D's go");
        child_say(
            Side::Parent,
            tr!("M (pid {me}): exiting now", "M（pid {me}）：现在退出"),
            color,
        );
        return 0;
    }
    // The caveat: the child's "parent" is the thread that forked it.
    let helper = std::thread::scope(|s| {
        s.spawn(|| {
            let child = spawn_child(signal, me, report_w, life_r, color)?;
            let _ = recv_line(go_r, PATIENCE * 3, "D's go");
            child_say(
                Side::Parent,
                tr!(
                    "M (pid {me}): the helper thread that forked the child returns; M lives on",
                    "M（pid {me}）：fork 出子进程的辅助线程返回了；M 继续活着"
                ),
                color,
            );
            Some(child)
        })
        .join()
        .ok()
        .flatten()
    });
    let Some(child) = helper else { return 2 };
    let line = match wait_within(child, PATIENCE) {
        Ok(Some(status)) => format_status(&status),
        _ => "running".to_string(),
    };
    write_fd(report_w.as_raw_fd(), format!("{line}\n").as_bytes());
    let _ = recv_line(go_r, PATIENCE * 3, "D's go");
    0
}

/// Forks C from the calling thread. C asks for `signal` on its parent's
/// death, checks that parent is still `expected_parent`, reports, and then
/// blocks until a signal ends it (or D's lifeline closes).
fn spawn_child(
    signal: Option<Signal>,
    expected_parent: Pid,
    report_w: &OwnedFd,
    life_r: OwnedFd,
    color: bool,
) -> Option<Pid> {
    // No flush_before_fork() here: we are M, itself a forked child that
    // never buffered output (child_say writes directly); taking the stdout
    // lock now could deadlock if another thread of D held it at M's fork.
    // SAFETY: the child only runs the closure below, ending in `_exit`.
    match unsafe { fork() } {
        Err(_) => None,
        Ok(ForkResult::Parent { child }) => Some(child),
        Ok(ForkResult::Child) => child_main(|| {
            // Keep only the report pipe and the lifeline: a stray copy of
            // some other pipe's write end would outlive us otherwise.
            keep_only_fds(&[report_w.as_raw_fd(), life_r.as_raw_fd()]);
            if let Some(sig) = signal {
                if prctl::set_pdeathsig(sig).is_err() {
                    return 3;
                }
            }
            // The parent may have died between fork() and prctl(): then the
            // signal will never come, and we must act on our own.
            let ppid = getppid();
            if ppid != expected_parent {
                child_say(
                    Side::Child,
                    tr!(
                        "my parent is already gone: exiting",
                        "我的父进程已经不在了：退出"
                    ),
                    color,
                );
                return 4;
            }
            let got = prctl::get_pdeathsig().ok().flatten();
            let me = getpid();
            let sig_name = got.map_or("none".to_string(), |s| s.to_string());
            child_say(
                Side::Child,
                tr!(
                    "C (pid {me}): parent is {ppid}, pdeathsig = {sig_name}; now blocking",
                    "C（pid {me}）：父进程是 {ppid}，pdeathsig = {sig_name}；现在阻塞等待"
                ),
                color,
            );
            let line = format!("ready {me} {ppid} {sig_name}\n");
            write_fd(report_w.as_raw_fd(), line.as_bytes());
            // Block until killed, or until D's lifeline closes (D died).
            let mut byte = [0u8; 1];
            let _ = nix::unistd::read(&life_r, &mut byte);
            0
        }),
    }
}

/// D reads C's `ready PID PPID SIGNAL` line.
pub(super) fn parse_ready(line: &str) -> Result<(Pid, Pid, Option<Signal>)> {
    let bad = || {
        demo_kit::Error::msg(tr!(
            "unexpected report from the child: {line:?}",
            "子进程发来了意料之外的报告：{line:?}"
        ))
    };
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
fn format_status(status: &WaitStatus) -> String {
    match status {
        WaitStatus::Exited(_, code) => format!("exited {code}"),
        WaitStatus::Signaled(_, sig, _) => format!("signaled {sig}"),
        _ => "running".to_string(),
    }
}

/// D reads M's `exited N` / `signaled SIG` line about C.
pub(super) fn parse_status(pid: Pid, line: &str) -> Result<WaitStatus> {
    let mut words = line.split_whitespace();
    match (words.next(), words.next()) {
        (Some("exited"), Some(code)) => code.parse().ok().map(|c| WaitStatus::Exited(pid, c)),
        (Some("signaled"), Some(sig)) => sig
            .parse()
            .ok()
            .map(|s| WaitStatus::Signaled(pid, s, false)),
        _ => None,
    }
    .with_context(|| {
        tr!(
            "M could not reap the child: {line:?}",
            "M 没能回收子进程：{line:?}"
        )
    })
}
