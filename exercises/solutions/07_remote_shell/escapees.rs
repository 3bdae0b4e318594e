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
    // SAFETY: prctl with integer arguments only.
    let rc = unsafe { nix::libc::prctl(nix::libc::PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) };
    assert_eq!(rc, 0, "prctl(PR_SET_CHILD_SUBREAPER): {}", Errno::last());
}

/// Kills and reaps every process below this one.
fn sweep() {
    loop {
        // Reap whatever has died; ECHILD means no child is left at all.
        loop {
            match waitpid(Pid::from_raw(-1), Some(WaitPidFlag::WNOHANG)) {
                Err(Errno::ECHILD) => return,
                Ok(WaitStatus::StillAlive) => break,
                Ok(_) | Err(Errno::EINTR) => continue,
                Err(e) => panic!("waitpid: {e}"),
            }
        }
        for pid in children() {
            let _ = kill(Pid::from_raw(pid), Signal::SIGKILL);
        }
        std::thread::sleep(Duration::from_millis(1));
    }
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

// The tests are the exercise's own, kept once: see exercises/07_remote_shell/escapees.rs.
// (`cargo run -p course -- verify` runs them against this solution.)
