//! 守护线程 (daemon thread): a thread still running when `main` returns dies
//! with the process.
//!
//! Returning from `main` calls `exit()`, which ends the whole thread group:
//! every thread, finished or not. So in Rust *every* detached thread behaves
//! like Python's `Thread(daemon=True)`. Python's default, `daemon=False`,
//! is the opposite: the interpreter joins those threads before exiting.
//! Lesson 11's daemon *process* was another thing: a `daemon=True` child
//! process is terminated by its parent at exit, and a Unix daemon
//! (`setsid`) outlives its parent on purpose.
//!
//! To show it live we need a process whose `main` returns, so the demo runs
//! itself again as a helper ([`crate::HELPER_DAEMON`]) and reads its output.

use crate::HELPER_DAEMON;
use demo_kit::say::{say, Side};
use demo_kit::{bail_msg, tr, Context, Result};
use std::io::Read;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

/// How long the detached thread sleeps before its last line.
pub const DAEMON_SLEEP: Duration = Duration::from_secs(10);
pub const LAST_LINE: &str = "last line: my sleep is over";
/// [`LAST_LINE`] in Chinese, printed when the helper speaks Chinese.
pub const LAST_LINE_ZH: &str = "最后一行：睡完了";

/// The helper process: start a detached thread, let it print, return.
pub fn helper_main() -> i32 {
    let (started, wait_started) = mpsc::channel();
    // The handle is dropped at once: the thread is detached.
    drop(thread::spawn(move || {
        println!(
            "{}",
            tr!(
                "[thread] detached thread started; now sleeping {DAEMON_SLEEP:?}",
                "[thread] 分离的线程已启动；现在睡 {DAEMON_SLEEP:?}"
            )
        );
        let _ = started.send(());
        thread::sleep(DAEMON_SLEEP);
        println!("[thread] {}", demo_kit::lang::pick(LAST_LINE, LAST_LINE_ZH));
    }));
    if wait_started.recv_timeout(Duration::from_secs(5)).is_err() {
        return 1;
    }
    println!(
        "{}",
        tr!(
            "[main] main() returns now, without joining",
            "[main] main() 现在返回，不 join"
        )
    );
    0
}

#[derive(Debug)]
pub struct Report {
    pub output: String,
    pub lifetime: Duration,
    pub last_line_printed: bool,
}

pub fn show(exe: &Path) -> Result<Report> {
    say(Side::Parent, tr!("running {} {HELPER_DAEMON}: its main starts a detached thread that sleeps {DAEMON_SLEEP:?}, then returns", "运行 {} {HELPER_DAEMON}：它的 main 启动一个睡 {DAEMON_SLEEP:?} 的分离线程，然后返回", exe.display()));
    let t = Instant::now();
    let mut child = demo_kit::lang::pass_to(&mut Command::new(exe))
        .arg(HELPER_DAEMON)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .spawn()
        .with_context(|| tr!("re-executing {}", "重新执行 {}", exe.display()))?;
    let limit = DAEMON_SLEEP * 2;
    let Some(status) = demo_kit::wait::until(limit, || child.try_wait().ok().flatten()) else {
        let _ = child.kill();
        let _ = child.wait();
        return bail_msg(tr!(
            "the helper ran longer than {limit:?}; killed and reaped it",
            "辅助进程运行超过了 {limit:?}；已杀掉并回收"
        ));
    };
    let lifetime = t.elapsed();
    let mut output = String::new();
    if let Some(mut out) = child.stdout.take() {
        out.read_to_string(&mut output)
            .context(tr!("reading the helper's output", "读取辅助进程的输出"))?;
    }
    for line in output.lines() {
        say(Side::Child, line);
    }
    if !status.success() {
        return bail_msg(tr!(
            "the helper failed: {status}",
            "辅助进程失败了：{status}"
        ));
    }
    let last_line_printed = output.contains(LAST_LINE) || output.contains(LAST_LINE_ZH);
    say(Side::Parent, tr!(
        "the helper process ended after {} ms ({status}); the thread's last line printed: {last_line_printed}", "辅助进程在 {} ms 后结束（{status}）；线程的最后一行打印出来了吗：{last_line_printed}",
        lifetime.as_millis()
    ));
    say(Side::Note, tr!("main returned → exit() → the kernel ended every thread of the process: a Rust thread is always a daemon thread", "main 返回 → exit() → 内核结束了进程里的每个线程：Rust 的线程总是守护线程"));
    Ok(Report {
        output,
        lifetime,
        last_line_printed,
    })
}
