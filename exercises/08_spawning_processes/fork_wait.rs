// Exercise `fork_wait` — lesson 08, spawning processes (开启进程):
// docs/08-spawning-processes.md
//
// Python's `p.start()` asks the OS for a new process; `p.join()` waits for
// it. Underneath on Linux: `fork()` and `waitpid()`.
//
// Write `start_all`: start one child per entry of `codes`, ALL before
// waiting for any (they run at the same time); child `i` just exits with
// status `codes[i]`. Then write `join`: wait for one child and return its
// exit status. A child that has ended but was not waited for is a zombie
// (僵尸进程): the tests check that none is left.
//
// Fork rules (see `exercises::child_main`): call
// `exercises::flush_before_fork()` before `fork()`, and in the child branch
// run `exercises::child_main(|| code)`, which ends the child with `_exit`.
//
// 中文：
// 练习 `fork_wait`——第 08 课，开启进程。
//
// Python 的 `p.start()` 请操作系统创建一个新进程；`p.join()` 等它结束。在
// Linux 上，底下就是 `fork()` 和 `waitpid()`。
//
// 写出 `start_all`：为 `codes` 的每一项启动一个子进程，而且要全部启动之后才开
// 始等待（它们同时运行）；子进程 `i` 只做一件事：以状态 `codes[i]` 退出。然后
// 写出 `join`：等待一个子进程（参数 `pid` 指定的那个），返回它的退出状态。已经
// 结束、却没有被等待回收的子进程就是僵尸进程：测试会检查一个都没有留下。
//
// fork 的规则（见 `exercises::child_main`）：在 `fork()` 之前调用
// `exercises::flush_before_fork()`，并在子进程分支里运行
// `exercises::child_main(|| code)`，它会用 `_exit` 结束子进程。

use nix::sys::wait::{waitpid, WaitStatus};
use nix::unistd::{fork, ForkResult, Pid};

/// Starts one child per code; each exits with its code. Returns their pids.
fn start_all(codes: &[i32]) -> nix::Result<Vec<Pid>> {
    todo!("fork one child per code in {codes:?}, all before any wait")
}

/// Waits for the child `pid` to end and returns its exit status.
fn join(pid: Pid) -> nix::Result<i32> {
    todo!("waitpid({pid}) and return its exit status")
}

#[cfg(test)]
mod tests {
    use super::*;
    use exercises::within;

    /// True once `/proc/<pid>` is gone: the process ended AND was reaped.
    fn is_gone(pid: Pid) -> bool {
        !std::path::Path::new(&format!("/proc/{pid}")).exists()
    }

    /// One child is another process; `join` returns its exit status and reaps it: no zombie.
    /// 中文：子进程是另一个进程；`join` 返回它的退出状态并回收它，不留僵尸进程。
    #[test]
    fn one_child_and_its_exit_status() {
        within(10, || {
            let pids = start_all(&[7]).unwrap();
            assert_eq!(pids.len(), 1);
            assert_ne!(
                pids[0],
                nix::unistd::getpid(),
                "the child is another process"
            );
            assert_eq!(join(pids[0]).unwrap(), 7);
            assert!(
                is_gone(pids[0]),
                "joined child must be reaped, not a zombie"
            );
        });
    }

    /// Four children, one process each; `join` waits for the child it is given (joined in reverse order) and leaves no zombie.
    /// 中文：四个子进程各是一个进程；`join` 等的是指定的那个子进程（倒着 join 也对），最后不留僵尸进程。
    #[test]
    fn several_children_each_with_its_own_status() {
        within(15, || {
            let codes = [0, 1, 42, 255];
            let pids = start_all(&codes).unwrap();
            assert_eq!(pids.len(), codes.len());
            let mut distinct = pids.clone();
            distinct.sort();
            distinct.dedup();
            assert_eq!(distinct.len(), codes.len(), "one process per code");
            // Join in reverse order: join waits for THAT child, not "any child".
            for (pid, code) in pids.iter().zip(codes).rev() {
                assert_eq!(join(*pid).unwrap(), code, "status of child {pid}");
            }
            assert!(pids.iter().all(|p| is_gone(*p)), "no zombie left");
        });
    }

    /// Every child is started before the first `join`: they all exist at the same time.
    /// 中文：所有子进程都在第一次 `join` 之前启动，它们同时存在。
    #[test]
    fn the_children_run_at_the_same_time() {
        within(10, || {
            // All started before any join: while the first is joined, the
            // others exist (running, or finished and waiting as zombies).
            let pids = start_all(&[3, 4, 5]).unwrap();
            assert!(
                pids.iter().all(|p| !is_gone(*p)),
                "all children exist before join"
            );
            let codes: Vec<i32> = pids.iter().map(|p| join(*p).unwrap()).collect();
            assert_eq!(codes, [3, 4, 5]);
        });
    }
}
