//! The two measured steps of the tour, also what `--bench` runs: a pool
//! against one thread or process per task, and pool sizing. The timing is
//! done by `pool_demo::compare`; this module prints the rows.

use demo_kit::say::say;
use demo_kit::{tr, Result, Side};
use pool_demo::{compare, cores};
use std::path::Path;
use std::time::Duration;

pub fn per_task(exe: &Path, tasks: u64) -> Result<()> {
    let r = compare::pool_vs_per_task(exe, tasks)?;
    let row = |what: &str, d: Duration| {
        say(
            Side::Parent,
            tr!(
                "{what:<38} {:>8.1} ms  ({:>6.2} µs per task)",
                "{what:<30} {:>8.1} ms（每个任务 {:>6.2} µs）",
                d.as_secs_f64() * 1e3,
                d.as_secs_f64() * 1e6 / tasks as f64
            ),
        );
    };
    row(
        &tr!("thread pool of {}:", "{} 个线程的线程池：", cores()),
        r.thread_pool,
    );
    row(
        &tr!(
            "a new thread per task ({} alive max):",
            "每个任务新建一个线程（最多同时 {} 个）：",
            compare::WINDOW
        ),
        r.thread_each,
    );
    row(
        &tr!(
            "process pool of {} (pipes + framing):",
            "{} 个进程的进程池（管道 + 分帧）：",
            cores()
        ),
        r.process_pool,
    );
    row(
        &tr!(
            "a new process per task (fork+waitpid):",
            "每个任务新建一个进程（fork+waitpid）："
        ),
        r.process_each,
    );
    let x = |a: Duration, b: Duration| a.as_secs_f64() / b.as_secs_f64().max(1e-9);
    say(
        Side::Note,
        tr!(
        "a thread per task cost {:.1}× the thread pool; a process per task {:.1}× the process pool", "每个任务一个线程，耗时是线程池的 {:.1}×；每个任务一个进程，耗时是进程池的 {:.1}×",
        x(r.thread_each, r.thread_pool), x(r.process_each, r.process_pool)
    ),
    );
    Ok(())
}

pub fn sizing(job: Duration, jobs: usize) -> Result<()> {
    say(
        Side::Kernel,
        tr!(
            "CPU cores this process may use: {}",
            "这个进程可以使用的 CPU 核数：{}",
            cores()
        ),
    );
    if let Ok(load) = std::fs::read_to_string("/proc/loadavg") {
        let one_minute = load.split_whitespace().next().unwrap_or("?");
        say(Side::Kernel, tr!("load average (1 min, /proc/loadavg; tasks runnable or in uninterruptible sleep): {one_minute}; other programs on these cores get their share too", "平均负载（1 分钟，/proc/loadavg；可运行或处于不可中断睡眠的任务数）：{one_minute}；这些核上的其他程序也要分走一部分 CPU"));
    }
    let limit = compare::calibrate(job);
    let cpu = compare::sizing(&[1, 2, 4, 8], jobs, move || {
        std::hint::black_box(pool_demo::count_primes(std::hint::black_box(limit)));
    })?;
    let io = compare::sizing(&[1, 2, 4, 8, 16], jobs, move || std::thread::sleep(job))?;
    let show = |name: &str, rows: &[(usize, Duration)]| {
        let cells: Vec<String> = rows
            .iter()
            .map(|(n, d)| format!("{n} → {} ms", d.as_millis()))
            .collect();
        say(
            Side::Parent,
            tr!(
                "{jobs} {name} jobs of ≈{} ms, pool size: {}",
                "{jobs} 个 {name}任务，每个约 {} ms，池大小 → 耗时：{}",
                job.as_millis(),
                cells.join(", ")
            ),
        );
    };
    show(&tr!("CPU-bound", "CPU 密集型"), &cpu);
    show(&tr!("sleeping", "睡眠型"), &io);
    // "Enough" = within 10% of the fastest: the smallest such pool.
    let enough = |rows: &[(usize, Duration)]| {
        let best = rows.iter().map(|r| r.1).min().unwrap_or_default();
        rows.iter()
            .find(|r| r.1.as_secs_f64() <= best.as_secs_f64() * 1.1)
            .map_or(0, |r| r.0)
    };
    say(Side::Note, tr!(
        "smallest pool within 10% of the fastest: CPU-bound {} thread(s), sleeping {} thread(s) ({} cores, {jobs} jobs)", "与最快的相差不到 10% 的最小池：CPU 密集型 {} 个线程，睡眠型 {} 个线程（{} 个核，{jobs} 个任务）",
        enough(&cpu), enough(&io), cores()
    ));
    Ok(())
}
