//! `cargo run -p thread-demo`: 线程 (threads) and their locks, lessons 15
//! and 16. Two ways to start a thread; one pid, many tids; a thread's write
//! seen by main; the GIL measured; a daemon thread cut off; a deadlock seen
//! from /proc and killed; a recursive lock refused; a semaphore, an event,
//! a timer and three queues. See docs/15-threads.md, docs/16-locks-and-sync.md.

use std::process::ExitCode;

#[cfg(target_os = "linux")]
mod bench;
#[cfg(target_os = "linux")]
mod help;

#[cfg(target_os = "linux")]
fn main() -> ExitCode {
    // Our `if __name__ == '__main__':` guard: a helper copy of this program
    // runs only its scenario, never the tour.
    if let Some(code) = thread_demo::helper_role() {
        return code;
    }
    demo_kit::fail::run(tour::run)
}

#[cfg(not(target_os = "linux"))]
fn main() -> ExitCode {
    println!("thread-demo reads gettid() and /proc/<pid>/task: it needs Linux.");
    ExitCode::SUCCESS
}

#[cfg(target_os = "linux")]
mod tour {
    use demo_kit::cli::Args;
    use demo_kit::say::{say, step};
    use demo_kit::{bail_msg, Context, Result, Side};
    use std::time::Duration;
    use thread_demo::*;

    pub fn run() -> Result<()> {
        let mut args = Args::parse(crate::help::HELP);
        let bench = args.flag("--bench");
        let work_ms = args.value_in("--work-ms", 10..=5000, if bench { 400 } else { 100 })?;
        let runs = args.value_in("--runs", 10..=5000, 200)?;
        let svg = args.value::<std::path::PathBuf>("--svg")?;
        args.finish()?;
        if svg.is_some() && !bench {
            return bail_msg("--svg draws the --bench table: use it with --bench; see --help");
        }
        let exe = std::env::current_exe().context("finding our own executable")?;
        let work = Duration::from_millis(work_ms);
        if bench {
            return crate::bench::run(&exe, runs, work, svg.as_deref());
        }
        step(1, "开启线程的两种方式: one pid, a tid per thread");
        start::two_ways()?;
        step(
            2,
            "threads share memory: the notes' x = 100 → x = 0, with a thread",
        );
        share::x_becomes_zero()?;
        step(
            3,
            "the GIL (全局解释器锁): a CPU-bound task, serial vs N threads vs N processes",
        );
        crate::bench::gil_once(work)?;
        step(4, "守护线程: a detached thread dies when main returns");
        daemon_thread::show(&exe)?;
        step(
            5,
            "死锁: two threads, two locks, opposite order — watched from /proc",
        );
        let d = deadlock::detect(&exe)?;
        if !d.gone_after_kill {
            return bail_msg(format!("the deadlocked helper {} is still in /proc", d.pid));
        }
        let took = deadlock::fixed_order(100_000)?;
        say(Side::Parent, format!("the fix, one global order (A before B): 2 threads × 100000 rounds finished in {} ms", took.as_millis()));
        step(6, "递归锁: the same thread locks a Mutex twice");
        recursive::show()?;
        step(7, "信号量, Event, 定时器 — each from Mutex + Condvar");
        sync_demo::show()?;
        step(8, "线程 queue: FIFO, LIFO, priority");
        queues::show()?;
        demo_kit::child::end_with_no_child_left(None)
    }
}
