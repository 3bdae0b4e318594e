// Exercise `shared_counter` — lesson 15, threads (线程):
// docs/15-threads.md
//
// Eight threads each add 1 to ONE shared counter 100 000 times. Threads
// share their process's memory, so they can all see the same counter — but
// Rust will not let them write a plain integer together (that would be a
// data race; the lesson shows the compiler's message). Make it correct:
//
// 1. Put the counter where every thread can reach it: an `Arc<Mutex<u64>>`
//    (lock, add, unlock) or an `AtomicU64` (`fetch_add`).
// 2. Start `threads` threads with `thread::spawn`; each adds 1
//    `per_thread` times and returns `(getpid(), gettid())` — the process id
//    and its own thread id — as seen from inside the thread
//    (`nix::unistd::getpid`, `nix::unistd::gettid`).
// 3. `join` every thread, then return the final count and what each
//    thread returned.
//
// The tests check the count is exactly threads × per_thread, that every
// thread saw the test's own pid, and that every thread had its own tid.
//
// 中文：
// 练习 `shared_counter`——第 15 课，线程。
//
// 八个线程各自给同一个共享计数器加 1，每个加 100 000 次。线程共享所在进程的内
// 存，所以它们都能看到同一个计数器——但 Rust 不允许它们一起写一个普通整数（那是
// 数据竞争；本课给出了编译器的报错）。把它做对：
//
// 1. 把计数器放在每个线程都够得着的地方：`Arc<Mutex<u64>>`（加锁、加 1、解锁）
//    或者 `AtomicU64`（`fetch_add`）。
// 2. 用 `thread::spawn` 启动 `threads` 个线程；每个线程加 1 共 `per_thread`
//    次，并返回从线程内部看到的 `(getpid(), gettid())`——进程 id 和它自己的线程
//    id（`nix::unistd::getpid`、`nix::unistd::gettid`）。
// 3. `join` 每个线程，然后返回最终计数和每个线程的返回值。
//
// 测试检查：计数恰好是 threads × per_thread，每个线程看到的都是测试进程自己的
// pid，而且每个线程都有自己的 tid。

use nix::unistd::{getpid, gettid};
use std::sync::{Arc, Mutex};
use std::thread;

/// Returns the final count and each thread's `(pid, tid)`.
fn count_together(threads: usize, per_thread: u64) -> (u64, Vec<(i32, i32)>) {
    todo!("start {threads} threads, each adding 1 {per_thread} times to a shared counter")
}

#[cfg(test)]
mod tests {
    use super::*;
    use exercises::within;

    /// Eight threads adding 1 a hundred thousand times each give exactly 800,000: no update is lost.
    /// 中文：八个线程各加 10 万次 1，结果正好是 80 万，一次更新也没丢。
    #[test]
    fn eight_threads_times_100_000_is_800_000() {
        within(60, || {
            let (count, _) = count_together(8, 100_000);
            assert_eq!(count, 800_000, "lost updates: the increments raced");
        });
    }

    /// Every thread sees the process's own pid, and each has a tid of its own.
    /// 中文：每个线程看到的都是所在进程的 pid，但各有自己的 tid。
    #[test]
    fn every_thread_shares_the_pid_but_has_its_own_tid() {
        within(60, || {
            let (_, seen) = count_together(8, 10);
            assert_eq!(seen.len(), 8, "one (pid, tid) per thread");
            let pid = std::process::id() as i32;
            for &(p, t) in &seen {
                assert_eq!(p, pid, "a thread runs in its parent's process");
                assert_ne!(t, pid, "a spawned thread's tid is not the pid");
            }
            let mut tids: Vec<i32> = seen.iter().map(|s| s.1).collect();
            tids.sort_unstable();
            tids.dedup();
            assert_eq!(tids.len(), 8, "each thread is its own task: {seen:?}");
        });
    }

    /// With no threads, the count is 0 and nothing is returned.
    /// 中文：没有线程时，计数为 0，也没有返回任何结果。
    #[test]
    fn no_threads_count_nothing() {
        within(10, || assert_eq!(count_together(0, 5), (0, vec![])));
    }
}
