//! What starting a thread costs, against starting a process (lesson 08).
//!
//! Each way starts something that does nothing and waits for it to end,
//! `runs` times; the median is reported (one slow run — a page-cache miss,
//! another program on the core — does not move a median). The Python
//! figures come from the same loop written in Python, run in the same run.

use crate::HELPER_NOOP;
use demo_kit::child::{child_main, flush_before_fork};
use demo_kit::measure::time_median;
use demo_kit::{bail_msg, tr, Context, Result};
use nix::sys::wait::{waitpid, WaitStatus};
use nix::unistd::{fork, ForkResult};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

/// `thread::spawn(|| {})` + `join()`.
pub fn thread_spawn_join(runs: usize) -> Result<Duration> {
    time_median(runs, || {
        std::thread::spawn(|| {})
            .join()
            .map_err(|_| demo_kit::Error::msg("a no-op thread panicked"))
    })
}

/// `fork()` + child `_exit(0)` + `waitpid()`.
pub fn fork_waitpid(runs: usize) -> Result<Duration> {
    time_median(runs, || {
        flush_before_fork();
        // SAFETY: the child only calls _exit (async-signal-safe).
        match unsafe { fork() }.context("fork() failed")? {
            ForkResult::Child => child_main(|| 0),
            ForkResult::Parent { child } => match waitpid(child, None).context("waitpid")? {
                WaitStatus::Exited(_, 0) => Ok(()),
                other => bail_msg(tr!(
                    "no-op child ended with {other:?}",
                    "什么也不做的子进程以 {other:?} 结束"
                )),
            },
        }
    })
}

/// Re-executing our own program with the no-op helper, and waiting.
pub fn reexec(exe: &Path, runs: usize) -> Result<Duration> {
    time_median(runs, || {
        let status = Command::new(exe)
            .arg(HELPER_NOOP)
            .stdin(Stdio::null())
            .status()
            .with_context(|| tr!("re-executing {}", "重新执行 {}", exe.display()))?;
        if !status.success() {
            return bail_msg(tr!(
                "the no-op helper ended with {status}",
                "什么也不做的辅助进程以 {status} 结束"
            ));
        }
        Ok(())
    })
}

/// Python's `Thread().start(); join()` and `Process().start(); join()`
/// (fork start method), medians in nanoseconds.
pub const PY: &str = r#"
import multiprocessing as mp, statistics, sys, threading, time
def med(make, runs):
    s = []
    for _ in range(runs):
        w = make()
        t = time.perf_counter(); w.start(); w.join(); s.append(time.perf_counter() - t)
    return int(statistics.median(s) * 1e9)
if __name__ == "__main__":
    runs = int(sys.argv[1])
    print("thread", med(threading.Thread, runs))
    print("process", med(mp.get_context("fork").Process, max(10, runs // 4)))
"#;

/// The four medians; Python's are `None` without python3.
#[derive(Debug)]
pub struct Costs {
    pub thread: Duration,
    pub fork: Duration,
    pub reexec: Duration,
    pub py_thread: Option<Duration>,
    pub py_process: Option<Duration>,
}

pub fn measure(exe: &Path, runs: usize) -> Result<Costs> {
    let thread = thread_spawn_join(runs)?;
    let fork = fork_waitpid(runs)?;
    let reexec = reexec(exe, (runs / 4).max(10))?;
    let py = demo_kit::python::run(PY, &[runs.to_string()], Duration::from_secs(120))?;
    let (py_thread, py_process) = match py {
        None => (None, None),
        Some(out) => {
            let get =
                |k| demo_kit::python::field(&out, k).map(|ns| Duration::from_nanos(ns as u64));
            (Some(get("thread")?), Some(get("process")?))
        }
    };
    Ok(Costs {
        thread,
        fork,
        reexec,
        py_thread,
        py_process,
    })
}
