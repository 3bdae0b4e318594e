//! `cargo run -p daemon-demo`: the two meanings of 守护进程 (daemon).
//!
//! The story: Python's `p.daemon = True` means "this child dies with its
//! parent". Linux can do that in the kernel, `prctl(PR_SET_PDEATHSIG)`, and
//! four experiments with three generations of processes show when it fires
//! (parent exits, parent SIGKILLed) and when it does not (child did not ask;
//! the forking *thread* ends). Then the classic Unix daemon, almost the
//! opposite: a process that outlives whoever started it — fork, setsid,
//! fork, chdir, /dev/null — looked at from outside in `/proc`, and stopped.
//! Every pid, status and `/proc` field printed is what the kernel reported.

use daemon_demo::daemonize;
use daemon_demo::pdeathsig::{self, ParentEnd};
use demo_kit::say::{heading, say, step};
use demo_kit::{cli::Args, tr, Result, Side};
use nix::sys::signal::Signal::{self, SIGTERM};
use std::process::ExitCode;
use std::time::Duration;

mod help;

fn main() -> ExitCode {
    demo_kit::fail::run(run)
}

fn run() -> Result<()> {
    let mut args = Args::parse((help::HELP, help::HELP_ZH));
    let only: Option<String> = args.value("--only")?;
    args.finish()?;
    if !matches!(only.as_deref(), None | Some("pdeathsig" | "daemon")) {
        return demo_kit::bail_msg(tr!(
            "--only takes pdeathsig or daemon, not {:?}; see --help",
            "--only 只能是 pdeathsig 或 daemon，不能是 {:?}；见 --help",
            only.unwrap_or_default()
        ));
    }
    say(Side::Note, tr!("the demo is pid {}; it makes itself a child subreaper (prctl PR_SET_CHILD_SUBREAPER), so orphaned grandchildren are re-parented to it, not to init, and it can reap them", "演示程序的 pid 是 {}；它把自己设成子进程收割者（prctl PR_SET_CHILD_SUBREAPER），这样成了孤儿的孙进程会被它收养，而不是被 init 收养，它也就能回收它们", std::process::id()));
    if only.as_deref() != Some("daemon") {
        part_pdeathsig()?;
    }
    if only.as_deref() != Some("pdeathsig") {
        part_daemon()?;
    }
    Ok(())
}

/// The four experiments: what C asks for, how M ends, and what it shows
/// (in English and in Chinese).
const EXPERIMENTS: [(Option<Signal>, ParentEnd, &str, &str); 4] = [
    (Some(SIGTERM), ParentEnd::Exits, "C asks for SIGTERM when its parent dies; M exits normally",
     "C 请求在父进程结束时收到 SIGTERM；M 正常退出"),
    (None, ParentEnd::Exits, "C does not ask; M exits normally: C survives as an orphan",
     "C 没有请求；M 正常退出：C 成为孤儿进程，继续活着"),
    (Some(SIGTERM), ParentEnd::Killed, "C asks; M is killed with SIGKILL (no exit handler can run)",
     "C 请求了；M 被 SIGKILL 杀死（任何退出处理函数都来不及执行）"),
    (Some(SIGTERM), ParentEnd::ThreadExits, "caveat: the parent is the *thread* that forked; M forks C from a helper thread, which returns",
     "注意：这里的“父”是执行 fork 的那个*线程*；M 在一个辅助线程里 fork 出 C，然后这个线程返回"),
];

fn part_pdeathsig() -> Result<()> {
    heading(tr!(
        "part 1: p.daemon = True  ->  prctl(PR_SET_PDEATHSIG)",
        "第 1 部分：p.daemon = True  ->  prctl(PR_SET_PDEATHSIG)"
    ));
    say(
        Side::Note,
        tr!(
            "three generations: the demo (D) forks a middle parent (M), M forks the child (C)",
            "三代进程：演示程序（D）fork 出中间的父进程（M），M 再 fork 出子进程（C）"
        ),
    );
    for (n, (signal, end, en, zh)) in EXPERIMENTS.into_iter().enumerate() {
        step(n + 1, demo_kit::lang::pick(en, zh));
        pdeathsig::run(signal, end)?;
        if end == ParentEnd::Killed {
            say(Side::Note, tr!("Python's daemon flag would NOT have helped here: it is an atexit handler in the parent, and a SIGKILLed parent runs no handlers", "这种情况下 Python 的 daemon 标志帮不上忙：它靠的是父进程里的 atexit 处理函数，而被 SIGKILL 杀死的父进程什么处理函数都不会执行"));
        }
    }
    Ok(())
}

fn part_daemon() -> Result<()> {
    heading(tr!(
        "part 2: the classic Unix daemon",
        "第 2 部分：经典的 Unix 守护进程"
    ));
    step(
        5,
        tr!(
            "fork, setsid, fork again, chdir(\"/\"), stdio to /dev/null",
            "fork，setsid，再 fork 一次，chdir(\"/\")，标准输入输出重定向到 /dev/null"
        ),
    );
    let daemon = daemonize::start(Duration::from_secs(60))?;
    step(
        6,
        tr!(
            "look at the daemon from outside, in /proc",
            "从外面通过 /proc 观察守护进程"
        ),
    );
    daemonize::look(&daemon)?;
    step(7, tr!("stop the daemon by pid", "按 pid 停止守护进程"));
    daemonize::stop(daemon)?;
    Ok(())
}
