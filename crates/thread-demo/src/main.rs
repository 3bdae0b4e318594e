//! `cargo run -p thread-demo`: 线程 (threads) and their locks, lessons 15
//! and 16. Two ways to start a thread; one pid, many tids; a thread's write
//! seen by main; the GIL measured; a daemon thread cut off; a deadlock seen
//! from /proc and killed; a recursive lock refused; a semaphore, an event,
//! a timer and three queues. See docs/15-threads.md, docs/16-locks-and-sync.md.

use std::process::ExitCode;

#[cfg(target_os = "linux")]
mod bench;

#[cfg(target_os = "linux")]
fn main() -> ExitCode {
    // Our `if __name__ == '__main__':` guard: a helper copy of this program
    // runs only its scenario, never the tour.
    match std::env::args().nth(1).as_deref() {
        Some(thread_demo::HELPER_DEADLOCK) => {
            ExitCode::from(thread_demo::deadlock::helper_main() as u8)
        }
        Some(thread_demo::HELPER_DAEMON) => {
            ExitCode::from(thread_demo::daemon_thread::helper_main() as u8)
        }
        Some(thread_demo::HELPER_NOOP) => ExitCode::SUCCESS,
        _ => demo_kit::fail::run(tour::run),
    }
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

    const HELP: &str = "\
thread-demo — 线程: threads, the GIL, deadlock, semaphore/event/timer, queues

USAGE:
    cargo run -p thread-demo [-- OPTIONS]

OPTIONS:
    --work-ms N   length of one CPU-bound task in the GIL step, in ms
                  (default 100 for the tour, 400 for --bench; 10..=5000)
    --bench       instead of the tour: the cost of a thread against a process
                  (and Python's Thread and Process), and the GIL speed-up
                  table, each the median of several runs
    --runs N      samples per cost figure for --bench (default 200, 10..=5000)
    -h, --help    this text

Python figures appear only when python3 is installed.
";

    pub fn run() -> Result<()> {
        let mut args = Args::parse(HELP);
        let bench = args.flag("--bench");
        let work_ms = args
            .value::<u64>("--work-ms")?
            .unwrap_or(if bench { 400 } else { 100 });
        let runs = args.value::<usize>("--runs")?.unwrap_or(200);
        args.finish()?;
        if !(10..=5000).contains(&work_ms) {
            return bail_msg("--work-ms must be between 10 and 5000; see --help");
        }
        if !(10..=5000).contains(&runs) {
            return bail_msg("--runs must be between 10 and 5000; see --help");
        }
        let exe = std::env::current_exe().context("finding our own executable")?;
        let work = Duration::from_millis(work_ms);
        if bench {
            return crate::bench::run(&exe, runs, work);
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
