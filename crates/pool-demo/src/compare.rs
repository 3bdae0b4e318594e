//! The measurements of lesson 17, each returning raw wall times.
//!
//! * 同步调用 vs 异步调用: submit one job and wait for it, one at a time,
//!   against submit all, then collect;
//! * pool vs one per task: many tiny tasks on a pool, against a new thread
//!   or a new process for each;
//! * sizing: a CPU-bound and a sleeping job at several pool sizes.

use crate::process_pool::ProcessPool;
use crate::thread_pool::ThreadPool;
use demo_kit::child::{child_main, flush_before_fork};
/// A `limit` for which `count_primes(limit)` takes about `target` (the
/// same calibration as lesson 15's GIL experiment).
pub use demo_kit::work::calibrate;
use demo_kit::{bail_msg, tr, Context, Result};
use nix::sys::wait::{waitpid, WaitStatus};
use nix::unistd::{fork, ForkResult, Pid};
use serde_json::json;
use std::collections::VecDeque;
use std::path::Path;
use std::time::{Duration, Instant};

/// The tiny task: a number's square, modulo 251 (so it also fits a
/// process's 8-bit exit status).
pub fn tiny(n: u64) -> u64 {
    (n * n) % 251
}

/// `jobs` sleeping jobs on a pool of `size`: (synchronous, asynchronous).
pub fn sync_vs_async(size: usize, jobs: usize, sleep: Duration) -> Result<(Duration, Duration)> {
    let pool = ThreadPool::new(size, "sync-async")?;
    let t = Instant::now();
    for _ in 0..jobs {
        // 同步调用: submit, then wait right away.
        pool.submit(move || std::thread::sleep(sleep))
            .result(None)
            .map_err(|e| demo_kit::Error::msg(e.to_string()))?;
    }
    let sync = t.elapsed();
    let t = Instant::now();
    let handles: Vec<_> = (0..jobs)
        .map(|_| pool.submit(move || std::thread::sleep(sleep)))
        .collect();
    for h in handles {
        h.result(None)
            .map_err(|e| demo_kit::Error::msg(e.to_string()))?;
    }
    Ok((sync, t.elapsed()))
}

/// Wall times for `tasks` tiny tasks four ways.
#[derive(Debug, Clone, Copy)]
pub struct PerTask {
    pub thread_pool: Duration,
    pub thread_each: Duration,
    pub process_pool: Duration,
    pub process_each: Duration,
}

/// How many per-task threads or processes may be alive at once.
pub const WINDOW: usize = 64;

pub fn pool_vs_per_task(exe: &Path, tasks: u64) -> Result<PerTask> {
    let want: u64 = (0..tasks).map(tiny).sum();
    let check = |got: u64, how: &str| {
        if got == want {
            Ok(())
        } else {
            bail_msg(tr!(
                "{how}: sum of results {got}, expected {want}",
                "{how}：结果之和是 {got}，应为 {want}"
            ))
        }
    };

    let pool = ThreadPool::new(crate::cores(), "tiny")?;
    let t = Instant::now();
    let mut got = 0;
    for r in pool.map(tiny, 0..tasks) {
        got += r.map_err(|e| demo_kit::Error::msg(e.to_string()))?;
    }
    let thread_pool = t.elapsed();
    pool.shutdown(true);
    check(got, &tr!("thread pool", "线程池"))?;

    let t = Instant::now();
    let mut alive = VecDeque::with_capacity(WINDOW);
    let mut got = 0;
    for n in 0..tasks {
        if alive.len() == WINDOW {
            got += join_thread(alive.pop_front())?;
        }
        alive.push_back(
            std::thread::Builder::new()
                .spawn(move || tiny(n))
                .context(tr!("spawning a thread per task", "每个任务创建一个线程"))?,
        );
    }
    while let Some(h) = alive.pop_front() {
        got += join_thread(Some(h))?;
    }
    let thread_each = t.elapsed();
    check(got, &tr!("a thread per task", "每个任务一个线程"))?;

    let pool = ProcessPool::new(exe, crate::cores())?;
    let t = Instant::now();
    let handles: Vec<_> = (0..tasks)
        .map(|n| pool.submit(json!({"op": "square", "n": n})))
        .collect();
    let mut got = 0;
    for h in handles {
        let v = h
            .result(Some(Duration::from_secs(30)))
            .map_err(|e| demo_kit::Error::msg(e.to_string()))?;
        got += v.as_u64().unwrap_or(0) % 251;
    }
    let process_pool = t.elapsed();
    pool.shutdown();
    check(got, &tr!("the process pool", "进程池"))?;

    let t = Instant::now();
    let mut alive = VecDeque::with_capacity(WINDOW);
    let mut got = 0;
    for n in 0..tasks {
        if alive.len() == WINDOW {
            got += reap(alive.pop_front())?;
        }
        flush_before_fork();
        // SAFETY: the child only does arithmetic and _exit.
        match unsafe { fork() }.context(tr!(
            "fork() for a process per task",
            "为每个任务 fork() 一个进程"
        ))? {
            ForkResult::Child => child_main(|| tiny(n) as i32),
            ForkResult::Parent { child } => alive.push_back(child),
        }
    }
    while let Some(pid) = alive.pop_front() {
        got += reap(Some(pid))?;
    }
    let process_each = t.elapsed();
    check(got, &tr!("a process per task", "每个任务一个进程"))?;
    Ok(PerTask {
        thread_pool,
        thread_each,
        process_pool,
        process_each,
    })
}

fn join_thread(h: Option<std::thread::JoinHandle<u64>>) -> Result<u64> {
    h.map_or(Ok(0), |h| {
        h.join()
            .map_err(|_| demo_kit::Error::msg("a per-task thread panicked"))
    })
}

fn reap(pid: Option<Pid>) -> Result<u64> {
    let Some(pid) = pid else { return Ok(0) };
    match waitpid(pid, None).context("waitpid")? {
        WaitStatus::Exited(_, code) => Ok(code as u64),
        other => bail_msg(tr!(
            "a per-task child ended with {other:?}",
            "为单个任务创建的子进程以 {other:?} 结束"
        )),
    }
}

/// Wall time of `jobs` copies of `job` on a thread pool of each size.
pub fn sizing(
    sizes: &[usize],
    jobs: usize,
    job: impl Fn() + Send + Sync + Clone + 'static,
) -> Result<Vec<(usize, Duration)>> {
    let mut out = Vec::new();
    for &size in sizes {
        let pool = ThreadPool::new(size, "sizing")?;
        let t = Instant::now();
        let job = job.clone();
        for r in pool.map(move |_| job(), 0..jobs) {
            r.map_err(|e| demo_kit::Error::msg(e.to_string()))?;
        }
        out.push((size, t.elapsed()));
    }
    Ok(out)
}
