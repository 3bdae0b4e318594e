// Exercise `escapees` — lesson 07, the remote shell (模拟ssh远程执行命令):
// docs/07-remote-shell-processes.md (processes and subreapers).
//
// `run_command` runs `sh -c CMD` in its own process group (进程组), waits for
// the shell, then kills what is left in that group: that is how the remote
// shell used to clean up. But a command can leave its group: `setsid sleep
// 1000 &` starts a new session (会话). `killpg` misses it, and when the shell
// exits it is re-parented to pid 1: it outlives its command.
//
// Fill in the two functions marked todo!():
//   1. `become_subreaper`: prctl(PR_SET_CHILD_SUBREAPER, 1) (`nix::libc::prctl`),
//      so that orphans below this process are re-parented to it, not to pid 1;
//   2. `sweep`: kill and reap every process left below this one, in rounds:
//      reap whatever has died (`waitpid(-1, WNOHANG)`); if waitpid fails with
//      ECHILD, nothing is left: done; else SIGKILL (`kill`) each pid that
//      `children()` lists, and look again a moment later. (Each death hands
//      that process's own children to you for the next round.)
//
// The test runs three commands that each leave a process behind (a `setsid`
// job, a double-forked daemon, a `nohup` job) and checks that each one is gone,
// reaped, when `run_command` returns.
//
// 中文：
// 练习 `escapees`——第 07 课，模拟 ssh 远程执行命令；见 docs/07-remote-shell.md
// 的 "Nothing a command starts outlives it" 一节。
//
// `run_command` 把 `sh -c CMD` 放在它自己的进程组里运行，等 shell 结束，再杀掉
// 这个组里剩下的进程：远程 shell 以前就是这样收尾的。但命令可以离开自己的组：
// `setsid sleep 1000 &` 会开启一个新的会话。`killpg` 杀不到它；shell 退出后，
// 它成了孤儿进程，被过继给 1 号进程：它比它的命令活得更久。
//
// 填上两个标着 todo!() 的函数：
//   1. `become_subreaper`：prctl(PR_SET_CHILD_SUBREAPER, 1)
//      （`nix::libc::prctl`），让这个进程之下的孤儿进程过继给它，而不是过继给
//      1 号进程；
//   2. `sweep`：分几轮杀掉并回收这个进程之下剩下的所有进程：先回收已经死掉的
//      （`waitpid(-1, WNOHANG)`）；如果 waitpid 以 ECHILD 失败，说明什么都不剩
//      了：结束；否则向 `children()` 列出的每个 pid 发 SIGKILL（`kill`），稍等
//      片刻再看一次。（每死掉一个进程，它自己的子进程就会交到你手里，留给下一
//      轮。）
//
// 测试运行三条命令，每条都会留下一个进程（一个 `setsid` 任务、一个两次 fork 的
// 守护进程、一个 `nohup` 任务），并检查 `run_command` 返回时它们都已经不在了，
// 而且已被回收。

use nix::errno::Errno;
use nix::sys::signal::{kill, killpg, Signal};
use nix::sys::wait::{waitpid, WaitPidFlag, WaitStatus};
use nix::unistd::Pid;
use std::os::unix::process::CommandExt;
use std::process::Command;
use std::time::Duration;

/// Runs `sh -c cmd` and returns its exit code. Nothing it started may be
/// left running when this returns.
fn run_command(cmd: &str) -> i32 {
    become_subreaper();
    let mut shell = Command::new("/bin/sh")
        .args(["-c", cmd])
        .process_group(0) // setpgid(0, 0): the shell leads a new group
        .spawn()
        .expect("start /bin/sh");
    let group = Pid::from_raw(shell.id() as i32);
    let status = shell.wait().expect("wait for the shell");
    let _ = killpg(group, Signal::SIGKILL); // reaches the group, not a new session
    sweep();
    status.code().unwrap_or(-1)
}

/// Makes this process a child subreaper.
fn become_subreaper() {
    todo!("prctl(PR_SET_CHILD_SUBREAPER, 1)")
}

/// Kills and reaps every process below this one.
fn sweep() {
    // `waitpid(Pid::from_raw(-1), Some(WaitPidFlag::WNOHANG))` returns
    // Ok(WaitStatus::StillAlive) when children are left but none has died yet.
    todo!("rounds of: reap the dead; stop at ECHILD; SIGKILL each of children()")
}

/// The pids whose parent is this process (field 4 of /proc/PID/stat).
fn children() -> Vec<i32> {
    let me = std::process::id() as i32;
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    dir.filter_map(|e| e.ok()?.file_name().to_str()?.parse::<i32>().ok())
        .filter(|pid| {
            let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
            // "pid (comm) state ppid ...": comm may hold spaces, so split after ')'.
            let after = stat.rsplit(')').next().unwrap_or("");
            after.split_whitespace().nth(1).and_then(|p| p.parse().ok()) == Some(me)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use exercises::within;

    /// Three ways to leave the command's process group. Each writes the
    /// escaped process's pid into PIDFILE, then becomes `sleep 1000`.
    const ESCAPES: [(&str, &str); 3] = [
        (
            "setsid",
            "setsid sh -c 'echo $$ > PIDFILE; exec sleep 1000' &",
        ),
        (
            "double fork",
            "sh -c 'setsid sh -c \"echo \\$\\$ > PIDFILE; exec sleep 1000\" &';",
        ),
        (
            "nohup",
            "nohup sh -c 'echo $$ > PIDFILE; exec sleep 1000' >/dev/null 2>&1 &",
        ),
    ];

    fn gone(pid: i32) -> bool {
        // Not even a zombie: reaped.
        !std::path::Path::new(&format!("/proc/{pid}")).exists()
    }

    /// A process that left its group (setsid, a double fork, nohup) is killed and reaped by the time `run_command` returns.
    /// 中文：离开了进程组的进程（setsid、两次 fork、nohup），在 `run_command` 返回时都已被杀掉并回收。
    #[test]
    fn every_escaped_process_is_killed_and_reaped_with_its_command() {
        within(30, || {
            for (name, escape) in ESCAPES {
                let dir = std::env::temp_dir().join(format!(
                    "escapees-{}-{}",
                    std::process::id(),
                    name.replace(' ', "-")
                ));
                std::fs::create_dir_all(&dir).unwrap();
                let pidfile = dir.join("pid").display().to_string();
                let cmd = format!(
                    "{} while [ ! -s {pidfile} ]; do sleep 0.01; done; exit 7",
                    escape.replace("PIDFILE", &pidfile)
                );
                let code = run_command(&cmd);
                let pid: i32 = std::fs::read_to_string(&pidfile)
                    .unwrap()
                    .trim()
                    .parse()
                    .unwrap();
                let _ = std::fs::remove_dir_all(&dir);
                let left = !gone(pid);
                if left {
                    // Clean up what escaped (a process this test started).
                    let _ = kill(Pid::from_raw(pid), Signal::SIGKILL);
                }
                assert!(!left, "{name}: pid {pid} outlived its command");
                assert_eq!(code, 7, "{name}: the shell's exit code");
            }
        });
    }
}
