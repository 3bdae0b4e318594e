// Exercise `daemonize` — lesson 11, daemons (守护进程):
// docs/11-daemon.md
//
// Python's `p.daemon = True` means "kill this child when the parent ends".
// A Unix daemon is the opposite: a process that outlives the one that
// started it, detached from any terminal. The classic recipe:
//   1. fork; the parent keeps going (here: it waits for a report)
//   2. in the child: `setsid()` — a new session, no controlling terminal
//   3. fork again and let the first child `_exit(0)`: the grandchild is not
//      a session leader, so it can never acquire a terminal again
//   4. the grandchild runs `daemon_body` (given; it idles for at most 60 s)
//   5. the parent reaps the first child (no zombie) and reads the report
//      that `daemon_body` writes into a pipe you create: one line of facts.
// Write `start_daemon`. Each child branch runs inside
// `exercises::child_main(|| ...)`; flush before each fork.
//
// 中文：
// 练习 `daemonize`——第 11 课，守护进程。
//
// Python 的 `p.daemon = True` 意思是“父进程结束时杀掉这个子进程”。Unix 的守护
// 进程恰恰相反：它比启动它的进程活得更久，并且脱离任何终端。经典做法：
//   1. fork；父进程继续往下走（在这里：它等待一份报告）
//   2. 在子进程里：`setsid()`——一个新的会话，没有控制终端
//   3. 再 fork 一次，让第一个子进程 `_exit(0)`：孙进程不是会话首进程，所以它再
//      也无法获得终端
//   4. 孙进程运行 `daemon_body`（已给出；它最多空转 60 s）
//   5. 父进程回收第一个子进程（不留僵尸进程），并读取 `daemon_body` 写进你创建
//      的管道里的报告：一行事实。
// 写出 `start_daemon`。每个子进程分支都在 `exercises::child_main(|| ...)` 里运
// 行；每次 fork 之前先 flush。

use nix::unistd::{fork, getpgrp, getpid, getsid, pipe, setsid, ForkResult, Pid};
use std::fs::File;
use std::io::{Read, Write};
use std::os::fd::OwnedFd;

/// What the daemon reported about itself.
#[derive(Debug)]
struct Facts {
    pid: Pid,
    sid: Pid,
    pgid: Pid,
}

/// Starts `daemon_body` as a daemon; returns its report.
fn start_daemon() -> nix::Result<Facts> {
    todo!("pipe, fork, setsid, fork again, daemon_body, reap, read the report")
}

/// The daemon's work (given). Reports "pid sid pgid" on `report`, closes it,
/// moves to "/", leaves the terminal's stdio for /dev/null, then idles for
/// at most 60 s (a real daemon would serve until told to stop).
fn daemon_body(report: OwnedFd) -> i32 {
    let facts = format!(
        "{} {} {}\n",
        getpid(),
        getsid(None).map_or(-1, |p| p.as_raw()),
        getpgrp()
    );
    let mut report = File::from(report);
    let _ = report.write_all(facts.as_bytes());
    drop(report); // the parent's read sees end-of-file
                  // Hold on to no directory (it could not be unmounted) and no terminal.
    let _ = std::env::set_current_dir("/");
    if let Ok(null) = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open("/dev/null")
    {
        let _ = nix::unistd::dup2_stdin(&null);
        let _ = nix::unistd::dup2_stdout(&null);
        let _ = nix::unistd::dup2_stderr(&null);
    }
    // A real daemon would serve requests here until told to stop.
    std::thread::sleep(std::time::Duration::from_secs(60));
    0
}

fn parse_facts(line: &str) -> Option<Facts> {
    let mut n = line.split_whitespace().map(|w| w.parse::<i32>().ok());
    Some(Facts {
        pid: Pid::from_raw(n.next()??),
        sid: Pid::from_raw(n.next()??),
        pgid: Pid::from_raw(n.next()??),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use exercises::within;
    use nix::sys::signal::{kill, Signal};
    use nix::sys::wait::{waitpid, WaitPidFlag};

    /// Kills the daemon when the test ends, passed or failed.
    struct KillOnDrop(Pid);
    impl Drop for KillOnDrop {
        fn drop(&mut self) {
            let _ = kill(self.0, Signal::SIGKILL);
        }
    }

    /// Field 7 of /proc/<pid>/stat: the controlling terminal (0 = none).
    fn tty_nr(pid: Pid) -> i64 {
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap();
        let after_comm = &stat[stat.rfind(')').unwrap() + 2..];
        after_comm
            .split_whitespace()
            .nth(4)
            .unwrap()
            .parse()
            .unwrap()
    }

    /// The daemon has its own session, is not its leader, has no controlling terminal, is not our child, and runs.
    /// 中文：守护进程有自己的会话，但不是会话首进程，没有控制终端，也不是我们的子进程，并且在运行。
    #[test]
    fn the_daemon_is_detached() {
        within(15, || {
            let facts = start_daemon().unwrap();
            let _cleanup = KillOnDrop(facts.pid);
            let me = getpid();
            assert_ne!(facts.pid, me, "the daemon is another process");
            assert_ne!(
                facts.sid,
                getsid(None).unwrap(),
                "setsid(): its own session"
            );
            assert_ne!(facts.pid, facts.sid, "second fork: not the session leader");
            assert_eq!(facts.pgid, facts.sid, "in the process group setsid() made");
            assert_eq!(tty_nr(facts.pid), 0, "no controlling terminal");
            // The first child was reaped: we have no child left at all.
            assert_eq!(
                waitpid(None::<Pid>, Some(WaitPidFlag::WNOHANG)),
                Err(nix::Error::ECHILD),
                "the intermediate child must be reaped, the daemon is not our child"
            );
            assert!(kill(facts.pid, None).is_ok(), "the daemon is running");
        });
    }
}
