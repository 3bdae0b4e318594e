// Exercise `terminate_reap` — lesson 09, join and terminate (join/terminate/is_alive):
// docs/09-join-terminate.md
//
// The course's `p.terminate()` "asks the OS to kill the child"; right
// after it, `p.is_alive()` can still say True: the signal is sent, the
// child has not died yet, and nobody has reaped it.
//
// Write the three methods of `Child`:
//   * `is_alive`: like Python's, ask without blocking
//     (`waitpid` with `WaitPidFlag::WNOHANG`); if the child has ended, this
//     reaps it (no zombie) and remembers how it ended in `self.ended`.
//   * `terminate`: send SIGTERM (`nix::sys::signal::kill`). Don't wait.
//   * `join`: wait until the child has ended, reap it, return how it ended.
// Once reaped, the pid is gone: never `waitpid` or `kill` it again (the
// kernel may give the number to a new process); use `self.ended` instead.
//
// 中文：
// 练习 `terminate_reap`——第 09 课，join / terminate / is_alive。
//
// 课程里的 `p.terminate()`“让操作系统把这个子进程干掉”；紧接着调用
// `p.is_alive()` 仍可能得到 True：信号已经发出，但子进程还没死，也还没有人回收
// 它。
//
// 写出 `Child` 的三个方法：
//   * `is_alive`：和 Python 的一样，以不阻塞的方式询问（`waitpid` 加上
//     `WaitPidFlag::WNOHANG`）；如果子进程已经结束，这一步就回收了它（不留僵尸
//     进程），并把它的结束方式记在 `self.ended` 里。
//   * `terminate`：发送 SIGTERM（`nix::sys::signal::kill`）。不要等待。
//   * `join`：等到子进程结束，回收它，返回它的结束方式。
// 一旦回收，这个 pid 就不再属于你：永远不要再对它 `waitpid` 或 `kill`（内核可
// 能已经把这个号码分给了新的进程）；改用 `self.ended`。

use nix::sys::signal::{kill, Signal};
use nix::sys::wait::{waitpid, WaitPidFlag, WaitStatus};
use nix::unistd::{fork, ForkResult, Pid};

/// A child process we started, like Python's `Process` object.
struct Child {
    pid: Pid,
    /// How it ended, once it was reaped: `Exited` or `Signaled`.
    ended: Option<WaitStatus>,
}

impl Child {
    /// Is the child still running? Reaps it if it has ended.
    fn is_alive(&mut self) -> bool {
        todo!("waitpid(self.pid, WNOHANG): still alive, or ended (then remember how)?")
    }

    /// Sends SIGTERM; the child may take a moment to die.
    fn terminate(&mut self) -> nix::Result<()> {
        todo!("send SIGTERM to {}", self.pid)
    }

    /// Waits for the end of the child and reaps it.
    fn join(&mut self) -> nix::Result<WaitStatus> {
        todo!("wait for {} to end, reap it, return how it ended", self.pid)
    }
}

/// Starts a child that runs `work` and exits with its result (given).
fn start(work: fn() -> i32) -> Child {
    exercises::flush_before_fork();
    // SAFETY: the child only runs `work` inside `child_main`, which `_exit`s.
    match unsafe { fork() }.expect("fork") {
        ForkResult::Child => exercises::child_main(work),
        ForkResult::Parent { child } => Child {
            pid: child,
            ended: None,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use exercises::within;
    use std::time::Duration;

    /// Sleeps "forever" (30 s at most, so a failed test leaves nothing behind).
    fn sleeps_forever() -> i32 {
        std::thread::sleep(Duration::from_secs(30));
        0
    }

    /// If the test fails half-way, kills and reaps a child still running.
    struct Cleanup(Pid);
    impl Drop for Cleanup {
        fn drop(&mut self) {
            // StillAlive means: not reaped, so the pid is still ours to kill.
            if let Ok(WaitStatus::StillAlive) = waitpid(self.0, Some(WaitPidFlag::WNOHANG)) {
                let _ = kill(self.0, Signal::SIGKILL);
                let _ = waitpid(self.0, None);
            }
        }
    }

    fn exits_with_3() -> i32 {
        3
    }

    fn is_gone(pid: Pid) -> bool {
        !std::path::Path::new(&format!("/proc/{pid}")).exists()
    }

    /// `terminate` then `join` reports death by SIGTERM and reaps the child; a second `join` or `terminate` is harmless.
    /// 中文：先 `terminate` 再 `join`，得到“被 SIGTERM 杀死”并回收子进程；再 `join` 或 `terminate` 一次也不出问题。
    #[test]
    fn terminate_then_join_reports_sigterm() {
        within(10, || {
            let mut child = start(sleeps_forever);
            let _cleanup = Cleanup(child.pid);
            assert!(child.is_alive(), "a sleeping child is alive");
            child.terminate().unwrap();
            let status = child.join().unwrap();
            assert_eq!(
                status,
                WaitStatus::Signaled(child.pid, Signal::SIGTERM, false)
            );
            assert!(!child.is_alive(), "after join it is not alive");
            assert!(is_gone(child.pid), "joined means reaped: no zombie");
            assert_eq!(
                child.join().unwrap(),
                status,
                "joining twice gives the same answer"
            );
            child.terminate().unwrap(); // and terminating a reaped child is harmless
        });
    }

    /// A child that exited by itself is a zombie until `is_alive` says false and reaps it; `join` then gives its exit code 3.
    /// 中文：自己退出的子进程在被回收前是僵尸进程；`is_alive` 返回 false 时就回收了它，之后 `join` 得到退出码 3。
    #[test]
    fn a_child_that_ends_by_itself() {
        within(10, || {
            let mut child = start(exits_with_3);
            let _cleanup = Cleanup(child.pid);
            // A real event instead of polling: waitid(WEXITED | WNOWAIT)
            // returns once the child has exited, and leaves it unreaped.
            let id = nix::sys::wait::Id::Pid(child.pid);
            let flags = WaitPidFlag::WEXITED | WaitPidFlag::WNOWAIT;
            nix::sys::wait::waitid(id, flags).expect("waitid");
            assert!(!is_gone(child.pid), "exited but not reaped yet: a zombie");
            assert!(!child.is_alive(), "an exited child is not alive");
            assert!(
                is_gone(child.pid),
                "is_alive() == false must have reaped it"
            );
            assert_eq!(child.join().unwrap(), WaitStatus::Exited(child.pid, 3));
        });
    }

    /// `is_alive` on a sleeping child answers at once, a hundred times, without blocking.
    /// 中文：对一个在睡眠的子进程连问一百次 `is_alive`，每次都立即返回，不阻塞。
    #[test]
    fn is_alive_does_not_block() {
        within(10, || {
            let mut child = start(sleeps_forever);
            let _cleanup = Cleanup(child.pid);
            for _ in 0..100 {
                assert!(child.is_alive());
            }
            child.terminate().unwrap();
            child.join().unwrap();
        });
    }
}
