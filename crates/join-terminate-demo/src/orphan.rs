//! An orphan (孤儿进程): the parent exits first, the child lives on.
//!
//! Every process must have a parent to reap it one day. When a parent exits
//! without waiting for its child, the kernel *re-parents* the child while the
//! parent is exiting: to the nearest ancestor that declared itself a
//! "child subreaper" with `prctl(PR_SET_CHILD_SUBREAPER)`, or else to pid 1
//! (init) of its pid namespace. The orphan's `getppid()` changes under its
//! feet, and its new parent is the one that will `waitpid` it.
//!
//! Three generations: this demo (D) starts a parent (P), P starts a child
//! (C), P exits without joining C. By default D first makes itself a
//! subreaper, so C comes to D, and D can reap a process it never forked —
//! leaving nothing behind. With `subreaper = false` we let the kernel pick
//! (init, or a subreaper above us such as `systemd --user`); then we can only
//! watch whether that new parent reaps C. An init that does not reap (some
//! containers run a plain program as pid 1) leaves C a zombie forever — the
//! reason containers use a real init such as `tini`.
//! (Linux-only: `prctl` and `/proc`.)

use crate::pipe::{child_read_byte, i32s, pipe, recv, send};
use crate::process::{describe, Child};
use demo_kit::child::{child_main, child_say, waitpid_retrying};
use demo_kit::say::{colors_enabled, say};
use demo_kit::{procfs, tr, wait, Context, Result, Side};
use nix::sys::prctl;
use nix::sys::signal::{kill, Signal};
use nix::sys::wait::{waitpid, WaitStatus};
use nix::unistd::{fork, getpid, getppid, ForkResult, Pid};
use std::time::Duration;

/// Who adopted the orphan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NewParent {
    /// This demo process, a subreaper.
    Us,
    /// pid 1, the init of this pid namespace.
    Init { comm: String },
    /// Another ancestor that is a subreaper.
    Subreaper { pid: i32, comm: String },
}

#[derive(Debug)]
pub struct OrphanReport {
    pub demo_pid: i32,
    pub parent_pid: i32,
    pub orphan_pid: i32,
    /// The orphan's own `getppid()` before and after its parent exited.
    pub ppid_before: i32,
    pub ppid_after: i32,
    /// The ppid field of `/proc/<orphan>/stat` right after P was reaped.
    pub ppid_in_proc: i32,
    pub new_parent: NewParent,
    /// How P ended (it exits 0 without joining C).
    pub parent_status: WaitStatus,
    /// How C ended, if we were the one who reaped it.
    pub orphan_status: Option<WaitStatus>,
    /// C is gone from `/proc` at the end (reaped by someone).
    pub orphan_gone: bool,
}

/// Restores the subreaper flag when the scenario ends, even on error.
struct SubreaperFlag(bool);
impl Drop for SubreaperFlag {
    fn drop(&mut self) {
        let _ = prctl::set_child_subreaper(self.0);
    }
}

/// If the scenario fails half-way: kills C (and P if not yet joined) and
/// reaps C if it came to us, so nothing lingers.
struct OrphanGuard {
    parent: Option<Pid>,
    orphan: Option<Pid>,
}
impl Drop for OrphanGuard {
    fn drop(&mut self) {
        let Some(c) = self.orphan else { return };
        let _ = kill(c, Signal::SIGKILL);
        if let Some(p) = self.parent {
            let _ = kill(p, Signal::SIGKILL); // P's own handle reaps P
        }
        let (us, p) = (getpid().as_raw(), self.parent.map_or(0, Pid::as_raw));
        wait::until(Duration::from_secs(5), || match procfs::stat(c.as_raw()) {
            Some(s) if s.ppid == us => waitpid(c, None).ok().map(drop),
            Some(s) if s.ppid == p => None, // not re-parented yet
            _ => Some(()),
        });
    }
}

pub fn orphan(subreaper: bool) -> Result<OrphanReport> {
    let color = colors_enabled();
    let _restore = SubreaperFlag(prctl::get_child_subreaper().unwrap_or(false));
    if subreaper {
        prctl::set_child_subreaper(true).with_context(|| {
            tr!(
                "prctl(PR_SET_CHILD_SUBREAPER) (needs Linux 3.4+)",
                "prctl(PR_SET_CHILD_SUBREAPER)（需要 Linux 3.4 以上）"
            )
        })?;
        say(
            Side::Parent,
            tr!(
                "prctl(PR_SET_CHILD_SUBREAPER, 1): orphans below me come to me, not to init",
                "prctl(PR_SET_CHILD_SUBREAPER, 1)：我下面的孤儿进程由我收养，而不是 init"
            ),
        );
    }
    let up = pipe()?; // C -> D
    let to_parent = pipe()?; // D -> P
    let to_orphan = pipe()?; // D -> C

    let mut parent = Child::start(|| {
        // We are P. No flush here: P never buffered any output, and taking
        // the stdout lock in a forked child could deadlock.
        // SAFETY: the child branch ends in child_main (_exit).
        match unsafe { fork() } {
            Err(_) => return 2,
            Ok(ForkResult::Child) => child_main(|| {
                // We are C: report pid and parent, wait, report the parent again.
                let mut msg = getpid().as_raw().to_ne_bytes().to_vec();
                msg.extend_from_slice(&getppid().as_raw().to_ne_bytes());
                let _ = send(&up.write, &msg);
                if child_read_byte(&to_orphan.read) != Some(b'x') {
                    return 4;
                }
                let _ = send(&up.write, &getppid().as_raw().to_ne_bytes());
                0
            }),
            Ok(ForkResult::Parent { child }) => {
                child_say(
                    Side::Child,
                    tr!(
                        "parent {}: started pid {child}; I will exit without joining it",
                        "父进程 {}：启动了 pid {child}；我不 join 它就退出",
                        getpid()
                    ),
                    color,
                );
            }
        }
        match child_read_byte(&to_parent.read) {
            Some(b'x') => 0,
            _ => 4,
        }
    })?;
    // Keep only the parent's ends: a child that dies early then shows as EOF.
    drop((up.write, to_parent.read, to_orphan.read));

    let ids = i32s(&recv(&up.read, 8, "the orphan's pid and ppid")?);
    let (orphan_pid, ppid_before) = (ids[0], ids[1]);
    let mut guard = OrphanGuard {
        parent: Some(parent.pid()),
        orphan: Some(Pid::from_raw(orphan_pid)),
    };

    // P exits; once join() has reaped it, its exit — including handing its
    // children to a new parent — is complete.
    send(&to_parent.write, b"x")?;
    let parent_status = parent.join()?;
    guard.parent = None;
    // (Said only now: P's own line, printed before it read our "x", comes first.)
    say(
        Side::Child,
        tr!(
            "(through the pipe) orphan {orphan_pid}: getppid() = {ppid_before} (its parent)",
            "（通过管道）孤儿进程 {orphan_pid}：getppid() = {ppid_before}（它的父进程）"
        ),
    );
    say(
        Side::Parent,
        tr!(
            "parent {} exited without joining; I joined it: {}",
            "父进程 {} 没有 join 就退出了；我 join 了它：{}",
            parent.pid(),
            describe(parent_status)
        ),
    );
    let ppid_in_proc = procfs::stat(orphan_pid).map(|s| s.ppid).with_context(|| {
        tr!(
            "the orphan vanished from /proc",
            "孤儿进程从 /proc 里消失了"
        )
    })?;
    let new_parent = classify(ppid_in_proc);
    let who = match &new_parent {
        NewParent::Us => tr!("this demo (the subreaper)", "本演示程序（子进程收割者）"),
        NewParent::Init { comm } => tr!(
            "pid 1 ({comm}), init of this pid namespace",
            "pid 1（{comm}），这个 pid 命名空间的 init"
        ),
        NewParent::Subreaper { pid, comm } => tr!(
            "pid {pid} ({comm}), the nearest subreaper above us",
            "pid {pid}（{comm}），我们上面最近的子进程收割者"
        ),
    };
    say(
        Side::Kernel,
        tr!(
            "/proc/{orphan_pid}/stat ppid = {ppid_in_proc} → re-parented to {who}",
            "/proc/{orphan_pid}/stat ppid = {ppid_in_proc} → 被收养，新的父进程是{who}"
        ),
    );

    send(&to_orphan.write, b"x")?;
    let ppid_after = i32s(&recv(&up.read, 4, "the orphan's new ppid")?)[0];
    say(
        Side::Child,
        tr!(
            "(through the pipe) orphan: getppid() now = {ppid_after}",
            "（通过管道）孤儿进程：现在 getppid() = {ppid_after}"
        ),
    );

    let orphan_status = if new_parent == NewParent::Us {
        // A process we never forked, yet waitpid works: it is our child now.
        let s = waitpid_retrying(Pid::from_raw(orphan_pid))
            .with_context(|| tr!("the adopted orphan", "收养来的孤儿进程"))?;
        say(
            Side::Parent,
            tr!(
                "waitpid({orphan_pid}) on a process I never forked = {}: I reaped the orphan",
                "对一个我从没 fork 过的进程 waitpid({orphan_pid}) = {}：我回收了这个孤儿进程",
                describe(s)
            ),
        );
        Some(s)
    } else {
        None
    };
    guard.orphan = None;
    // Someone else's job now; a working init reaps within milliseconds.
    let orphan_gone = orphan_status.is_some()
        || wait::until(Duration::from_secs(3), || {
            procfs::is_gone(orphan_pid).then_some(())
        })
        .is_some();
    if orphan_status.is_none() {
        if orphan_gone {
            say(
                Side::Kernel,
                tr!(
                    "pid {orphan_pid} is gone: its new parent reaped it",
                    "pid {orphan_pid} 已经没有了：它的新父进程回收了它"
                ),
            );
        } else {
            say(Side::Note, tr!(
                "pid {orphan_pid} is still a zombie: its new parent does not reap (run without --no-subreaper to avoid this)",
                "pid {orphan_pid} 还是僵尸进程：它的新父进程不做回收（去掉 --no-subreaper 再运行，就不会这样）"
            ));
        }
    }
    Ok(OrphanReport {
        demo_pid: getpid().as_raw(),
        parent_pid: parent.pid().as_raw(),
        orphan_pid,
        ppid_before,
        ppid_after,
        ppid_in_proc,
        new_parent,
        parent_status,
        orphan_status,
        orphan_gone,
    })
}

fn classify(ppid: i32) -> NewParent {
    let comm = procfs::stat(ppid).map(|s| s.comm).unwrap_or_default();
    if ppid == getpid().as_raw() {
        NewParent::Us
    } else if ppid == 1 {
        NewParent::Init { comm }
    } else {
        NewParent::Subreaper { pid: ppid, comm }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::BufRead;
    use std::process::{Command, Stdio};

    /// Kills a process the test started if a broken guard left it running.
    fn gone_or_kill(pid: Pid) -> bool {
        let gone = procfs::is_gone(pid.as_raw());
        if !gone {
            let _ = kill(pid, Signal::SIGKILL);
            let _ = waitpid(pid, None);
        }
        gone
    }

    #[test]
    // The guard under test is what reaps it (by pid), not `child.wait()`.
    #[allow(clippy::zombie_processes)]
    fn the_guard_kills_and_reaps_an_orphan_that_is_already_ours() {
        let child = Command::new("sleep").arg("30").spawn().expect("sleep");
        let c = Pid::from_raw(child.id() as i32);
        drop(OrphanGuard {
            parent: None,
            orphan: Some(c),
        });
        // Killed AND reaped: a zombie would still have its /proc entry.
        assert!(gone_or_kill(c), "{c} was left behind");
    }

    #[test]
    fn the_guard_waits_for_an_orphan_to_come_to_us_before_reaping_it() {
        // P runs C in the background; the guard kills both, waits while C's
        // parent is still P, and reaps C once it is re-parented to us.
        let _restore = SubreaperFlag(prctl::get_child_subreaper().unwrap_or(false));
        prctl::set_child_subreaper(true).expect("PR_SET_CHILD_SUBREAPER");
        let mut p = Command::new("sh")
            .args(["-c", "sleep 30 & echo $!; wait"])
            .stdout(Stdio::piped())
            .spawn()
            .expect("sh");
        let mut line = String::new();
        std::io::BufReader::new(p.stdout.take().expect("stdout"))
            .read_line(&mut line)
            .expect("C's pid");
        let c = Pid::from_raw(line.trim().parse().expect("a pid"));
        drop(OrphanGuard {
            parent: Some(Pid::from_raw(p.id() as i32)),
            orphan: Some(c),
        });
        let _ = p.wait();
        assert!(gone_or_kill(c), "{c} was left behind");
    }
}
