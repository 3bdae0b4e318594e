//! The classic Unix daemon (守护进程 in the Unix sense): a process that
//! keeps running on its own, detached from the terminal and the session of
//! whoever started it.
//!
//! The recipe (Stevens, *Advanced Programming in the UNIX Environment*):
//!
//! 1. `fork()`, and let the parent go on (or exit): the child is now surely
//!    not a process-group leader, which `setsid` requires;
//! 2. `setsid()`: the child starts a new session and a new process group,
//!    and loses its controlling terminal (Ctrl-C on that terminal no longer
//!    reaches it, closing the terminal sends it no SIGHUP);
//! 3. `fork()` again and let the first child exit: the grandchild is not a
//!    session leader, so opening a terminal can never make it acquire one;
//! 4. `chdir("/")` (don't keep a directory, or a mount, busy) and `umask(0)`;
//! 5. close every inherited descriptor it does not need, and point stdin,
//!    stdout, stderr at `/dev/null`: nobody is reading.
//!
//! When the first child exits, the daemon is an orphan and is adopted —
//! normally by init (pid 1). This demo marks itself a *child subreaper*
//! first, so the daemon is adopted by the demo instead: then the demo can
//! stop it by pid at the end and `waitpid` it, and nothing is left running
//! (in a container, pid 1 is not always a process that reaps orphans).

mod outside;

pub use outside::{look, stop};

use crate::{describe, Cleanup, PATIENCE};
use demo_kit::child::{
    child_main, child_say, flush_before_fork, keep_only_fds, wait_within, write_fd,
};
use demo_kit::procfs::{self, ProcStat};
use demo_kit::report::recv_line;
use demo_kit::say::{colors_enabled, say};
use demo_kit::{tr, Context, Result, Side};
use nix::fcntl::{open, OFlag};
use nix::sys::prctl;
use nix::sys::stat::{umask, Mode};
use nix::sys::wait::WaitStatus;
use nix::unistd::{chdir, dup2_stderr, dup2_stdin, dup2_stdout, fork, getpid, pipe, setsid};
use nix::unistd::{ForkResult, Pid};
use std::os::fd::AsRawFd;
use std::path::PathBuf;
use std::time::Duration;

/// What we observed about the daemon, all read back from the kernel.
#[derive(Clone, Debug)]
pub struct DaemonReport {
    /// The demo itself, from `/proc/self/stat`.
    pub demo: ProcStat,
    /// The first child (session leader), and how it ended.
    pub first_child: Pid,
    pub first_child_status: WaitStatus,
    /// The daemon, from `/proc/<pid>/stat` while it runs.
    pub daemon: ProcStat,
    /// `/proc/<pid>/cwd` of the daemon.
    pub cwd: PathBuf,
    /// Where the daemon's fds 0, 1, 2 point (`/proc/<pid>/fd/N`).
    pub stdio: Vec<PathBuf>,
    /// How it ended after we sent SIGTERM.
    pub daemon_status: WaitStatus,
    /// `/proc/<pid>` was gone after reaping.
    pub gone: bool,
}

/// A daemon we started and have not stopped yet.
pub struct Running {
    pub demo: ProcStat,
    pub first_child: Pid,
    pub first_child_status: WaitStatus,
    pub pid: Pid,
    pub(crate) cleanup: Cleanup,
}

/// Starts a daemon the classic way ([`start`]), looks at it ([`look`]),
/// stops it again ([`stop`]).
pub fn run(lifetime: Duration) -> Result<DaemonReport> {
    let running = start(lifetime)?;
    let (daemon, cwd, stdio) = look(&running)?;
    let (first_child, first_child_status, demo) = (
        running.first_child,
        running.first_child_status,
        running.demo.clone(),
    );
    let (daemon_status, gone) = stop(running)?;
    Ok(DaemonReport {
        demo,
        first_child,
        first_child_status,
        daemon,
        cwd,
        stdio,
        daemon_status,
        gone,
    })
}

/// Steps 1-5 of the recipe. `lifetime` is a safety net: our demo daemon
/// exits by itself after that long, so even a crashed demo never leaves it
/// behind for good.
pub fn start(lifetime: Duration) -> Result<Running> {
    prctl::set_child_subreaper(true).context("prctl(PR_SET_CHILD_SUBREAPER)")?;
    let color = colors_enabled();
    let demo = procfs::stat(getpid().as_raw()).context(tr!(
        "reading /proc/self/stat (is /proc mounted?)",
        "读取 /proc/self/stat（/proc 挂载了吗？）"
    ))?;
    // The daemon says "ready" through this pipe *after* its stdio went to
    // /dev/null: the pipe is not fd 0, 1 or 2, so the redirection spares it.
    let (ready_r, ready_w) =
        pipe().context(tr!("pipe() for the ready report", "为就绪报告创建 pipe()"))?;

    flush_before_fork();
    // SAFETY: the child only runs the closure, ending in `_exit`.
    let first_child = match unsafe { fork() }.context(tr!("first fork()", "第一次 fork()"))? {
        ForkResult::Child => child_main(|| {
            drop(ready_r);
            // A daemon keeps no descriptor it does not need: an inherited
            // pipe end (ours, or a parallel test's) would otherwise stay open
            // for the daemon's whole life and delay someone's end-of-file.
            keep_only_fds(&[ready_w.as_raw_fd()]);
            // Step 2: a new session; we are its leader and have no terminal.
            let Ok(sid) = setsid() else { return 2 };
            child_say(
                Side::Child,
                tr!(
                    "first child (pid {}): setsid() -> new session {sid}",
                    "第一个子进程（pid {}）：setsid() -> 新会话 {sid}",
                    getpid()
                ),
                color,
            );
            // Step 3: fork again; the grandchild is the daemon. No
            // flush_before_fork() here: this child never buffered output
            // (child_say writes directly), and taking the stdout lock in a
            // forked child can deadlock if another thread held it at fork.
            // SAFETY: as above.
            match unsafe { fork() } {
                Err(_) => 3,
                Ok(ForkResult::Parent { child }) => {
                    child_say(
                        Side::Child,
                        tr!(
                            "first child: forked the daemon {child}, exiting so it is orphaned",
                            "第一个子进程：已 fork 出守护进程 {child}，现在退出，让它成为孤儿进程"
                        ),
                        color,
                    );
                    0
                }
                Ok(ForkResult::Child) => child_main(|| daemon_life(ready_w, lifetime, color)),
            }
        }),
        ForkResult::Parent { child } => child,
    };
    drop(ready_w);
    let mut cleanup = Cleanup::default();
    cleanup.track(first_child);
    // The daemon's "ready" comes after all the children's narration.
    let line = recv_line(&ready_r, PATIENCE, "the daemon's ready line")?;
    let first_child_status = wait_within(first_child, PATIENCE)?
        .context(tr!("the first child did not exit", "第一个子进程没有退出"))?;
    cleanup.done(first_child);
    say(
        Side::Kernel,
        tr!(
            "waitpid(first child {first_child}): {}",
            "waitpid({first_child})（第一个子进程）：{}",
            describe(&first_child_status)
        ),
    );
    let pid = line
        .strip_prefix("ready ")
        .and_then(|p| p.parse::<i32>().ok())
        .map(Pid::from_raw)
        .with_context(|| {
            tr!(
                "unexpected report from the daemon: {line:?}",
                "守护进程发来了意料之外的报告：{line:?}"
            )
        })?;
    cleanup.track(pid);
    Ok(Running {
        demo,
        first_child,
        first_child_status,
        pid,
        cleanup,
    })
}

/// The daemon's whole life: finish detaching, say ready, then "work".
fn daemon_life(ready_w: std::os::fd::OwnedFd, lifetime: Duration, color: bool) -> i32 {
    let me = getpid();
    // Step 4.
    if chdir("/").is_err() {
        return 4;
    }
    umask(Mode::empty());
    child_say(
        Side::Child,
        tr!(
            "daemon (pid {me}): cwd is now /, closing stdio; you won't hear from me again",
            "守护进程（pid {me}）：cwd 现在是 /，正在关闭标准输入输出；之后你再也听不到我说话了"
        ),
        color,
    );
    // Step 5: stdin, stdout, stderr -> /dev/null.
    let Ok(null) = open("/dev/null", OFlag::O_RDWR, Mode::empty()) else {
        return 5;
    };
    if dup2_stdin(&null).is_err() || dup2_stdout(&null).is_err() || dup2_stderr(&null).is_err() {
        return 5;
    }
    drop(null);
    write_fd(ready_w.as_raw_fd(), format!("ready {me}\n").as_bytes());
    drop(ready_w);
    // The "work" of our daemon: sleep until stopped (or the safety net).
    std::thread::sleep(lifetime);
    0
}
