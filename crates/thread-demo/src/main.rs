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
    use demo_kit::{bail_msg, tr, Context, Result, Side};
    use std::time::Duration;
    use thread_demo::*;

    pub fn run() -> Result<()> {
        let mut args = Args::parse((crate::help::HELP, crate::help::HELP_ZH));
        let bench = args.flag("--bench");
        let work_ms = args.value_in("--work-ms", 10..=5000, if bench { 400 } else { 100 })?;
        let runs = args.value_in("--runs", 10..=5000, 200)?;
        let svg = args.value::<std::path::PathBuf>("--svg")?;
        args.finish()?;
        if svg.is_some() && !bench {
            return bail_msg(tr!(
                "--svg draws the --bench table: use it with --bench; see --help",
                "--svg 画的是 --bench 的表：要和 --bench 一起用；见 --help"
            ));
        }
        let exe = std::env::current_exe().context(tr!(
            "finding our own executable",
            "查找我们自己的可执行文件"
        ))?;
        let work = Duration::from_millis(work_ms);
        if bench {
            return crate::bench::run(&exe, runs, work, svg.as_deref());
        }
        step(
            1,
            tr!(
                "开启线程的两种方式: one pid, a tid per thread",
                "开启线程的两种方式：同一个 pid，每个线程一个 tid"
            ),
        );
        start::two_ways()?;
        step(
            2,
            tr!(
                "threads share memory: the notes' x = 100 → x = 0, with a thread",
                "线程共享内存：笔记里的 x = 100 → x = 0，这次用线程"
            ),
        );
        share::x_becomes_zero()?;
        step(
            3,
            tr!(
                "the GIL (全局解释器锁): a CPU-bound task, serial vs N threads vs N processes",
                "GIL（全局解释器锁）：CPU 密集型任务，串行、N 个线程、N 个进程对比"
            ),
        );
        crate::bench::gil_once(work)?;
        step(
            4,
            tr!(
                "守护线程: a detached thread dies when main returns",
                "守护线程：main 返回时，分离的线程也随之结束"
            ),
        );
        daemon_thread::show(&exe)?;
        step(
            5,
            tr!(
                "死锁: two threads, two locks, opposite order — watched from /proc",
                "死锁：两个线程，两把锁，加锁顺序相反——从 /proc 观察"
            ),
        );
        let d = deadlock::detect(&exe)?;
        if !d.gone_after_kill {
            return bail_msg(tr!(
                "the deadlocked helper {} is still in /proc",
                "死锁的辅助进程 {} 还在 /proc 里",
                d.pid
            ));
        }
        let took = deadlock::fixed_order(100_000)?;
        say(Side::Parent, tr!("the fix, one global order (A before B): 2 threads × 100000 rounds finished in {} ms", "解决办法，全局统一加锁顺序（先 A 后 B）：2 个线程 × 100000 轮，{} ms 完成", took.as_millis()));
        step(
            6,
            tr!(
                "递归锁: the same thread locks a Mutex twice",
                "递归锁：同一个线程给一个 Mutex 加锁两次"
            ),
        );
        recursive::show()?;
        step(
            7,
            tr!(
                "信号量, Event, 定时器 — each from Mutex + Condvar",
                "信号量、Event、定时器——都用 Mutex + Condvar 实现"
            ),
        );
        sync_demo::show()?;
        step(
            8,
            tr!(
                "线程 queue: FIFO, LIFO, priority",
                "线程 queue：FIFO、LIFO、优先级"
            ),
        );
        queues::show()?;
        demo_kit::child::end_with_no_child_left(None)
    }
}
