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
use demo_kit::{bail_msg, Context, Result};
use std::io::Read;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

/// How long the detached thread sleeps before its last line.
pub const DAEMON_SLEEP: Duration = Duration::from_secs(10);
pub const LAST_LINE: &str = "last line: my sleep is over";

/// The helper process: start a detached thread, let it print, return.
pub fn helper_main() -> i32 {
    let (started, wait_started) = mpsc::channel();
    // The handle is dropped at once: the thread is detached.
    drop(thread::spawn(move || {
        println!("[thread] detached thread started; now sleeping {DAEMON_SLEEP:?}");
        let _ = started.send(());
        thread::sleep(DAEMON_SLEEP);
        println!("[thread] {LAST_LINE}");
    }));
    if wait_started.recv_timeout(Duration::from_secs(5)).is_err() {
        return 1;
    }
    println!("[main] main() returns now, without joining");
    0
}

#[derive(Debug)]
pub struct Report {
    pub output: String,
    pub lifetime: Duration,
    pub last_line_printed: bool,
}

pub fn show(exe: &Path) -> Result<Report> {
    say(Side::Parent, format!("running {} {HELPER_DAEMON}: its main starts a detached thread that sleeps {DAEMON_SLEEP:?}, then returns", exe.display()));
    let t = Instant::now();
    let mut child = Command::new(exe)
        .arg(HELPER_DAEMON)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .spawn()
        .with_context(|| format!("re-executing {}", exe.display()))?;
    let limit = DAEMON_SLEEP * 2;
    let Some(status) = demo_kit::wait::until(limit, || child.try_wait().ok().flatten()) else {
        let _ = child.kill();
        let _ = child.wait();
        return bail_msg(format!(
            "the helper ran longer than {limit:?}; killed and reaped it"
        ));
    };
    let lifetime = t.elapsed();
    let mut output = String::new();
    if let Some(mut out) = child.stdout.take() {
        out.read_to_string(&mut output)
            .context("reading the helper's output")?;
    }
    for line in output.lines() {
        say(Side::Child, line);
    }
    if !status.success() {
        return bail_msg(format!("the helper failed: {status}"));
    }
    let last_line_printed = output.contains(LAST_LINE);
    say(Side::Parent, format!(
        "the helper process ended after {} ms ({status}); the thread's last line printed: {last_line_printed}",
        lifetime.as_millis()
    ));
    say(Side::Note, "main returned → exit() → the kernel ended every thread of the process: a Rust thread is always a daemon thread");
    Ok(Report {
        output,
        lifetime,
        last_line_printed,
    })
}
