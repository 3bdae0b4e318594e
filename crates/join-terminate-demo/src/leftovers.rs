//! Step 6: nothing left behind. A demo that forks must reap every child —
//! a zombie is a leak, an orphan is someone else's problem. `/proc` lists
//! every process with its parent, so the check is a scan for children of
//! this process. (Linux-only: `/proc`.)

use demo_kit::say::say;
use demo_kit::{procfs, tr, Result, Side};
use nix::unistd::getpid;

/// Linux: every live process whose parent is `pid`, from `/proc`. Used to
/// check that a demo leaves no child behind.
pub fn children_of(pid: i32) -> Vec<(i32, String, char)> {
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    dir.filter_map(|e| e.ok()?.file_name().to_str()?.parse::<i32>().ok())
        .filter_map(procfs::stat)
        .filter(|s| s.ppid == pid)
        .map(|s| (s.pid, s.comm, s.state))
        .collect()
}

/// Step 6: no process has this demo as its parent any more, from `/proc`.
pub fn nothing_left_behind() -> Result<()> {
    let left = children_of(getpid().as_raw());
    if !left.is_empty() {
        return demo_kit::bail_msg(tr!(
            "children left behind: {left:?}",
            "有子进程被落下了：{left:?}"
        ));
    }
    say(
        Side::Kernel,
        tr!(
            "/proc: no process has this demo as its parent — every child was reaped",
            "/proc：没有哪个进程的父进程是本演示程序——每个子进程都被回收了"
        ),
    );
    Ok(())
}
