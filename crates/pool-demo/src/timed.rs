//! The two measured steps of the tour, also what `--bench` runs: a pool
//! against one thread or process per task, and pool sizing. The timing is
//! done by `pool_demo::compare`; this module prints the rows.

use demo_kit::say::say;
use demo_kit::{Result, Side};
use pool_demo::{compare, cores};
use std::path::Path;
use std::time::Duration;

pub fn per_task(exe: &Path, tasks: u64) -> Result<()> {
    let r = compare::pool_vs_per_task(exe, tasks)?;
    let row = |what: &str, d: Duration| {
        say(
            Side::Parent,
            format!(
                "{what:<38} {:>8.1} ms  ({:>6.2} µs per task)",
                d.as_secs_f64() * 1e3,
                d.as_secs_f64() * 1e6 / tasks as f64
            ),
        );
    };
    row(&format!("thread pool of {}:", cores()), r.thread_pool);
    row(
        &format!("a new thread per task ({} alive max):", compare::WINDOW),
        r.thread_each,
    );
    row(
        &format!("process pool of {} (pipes + framing):", cores()),
        r.process_pool,
    );
    row("a new process per task (fork+waitpid):", r.process_each);
    let x = |a: Duration, b: Duration| a.as_secs_f64() / b.as_secs_f64().max(1e-9);
    say(
        Side::Note,
        format!(
        "a thread per task cost {:.1}× the thread pool; a process per task {:.1}× the process pool",
        x(r.thread_each, r.thread_pool), x(r.process_each, r.process_pool)
    ),
    );
    Ok(())
}

pub fn sizing(job: Duration, jobs: usize) -> Result<()> {
    say(
        Side::Kernel,
        format!("CPU cores this process may use: {}", cores()),
    );
    if let Ok(load) = std::fs::read_to_string("/proc/loadavg") {
        let one_minute = load.split_whitespace().next().unwrap_or("?");
        say(Side::Kernel, format!("load average (1 min, /proc/loadavg; tasks runnable or in uninterruptible sleep): {one_minute}; other programs on these cores get their share too"));
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
            format!(
                "{jobs} {name} jobs of ≈{} ms, pool size: {}",
                job.as_millis(),
                cells.join(", ")
            ),
        );
    };
    show("CPU-bound", &cpu);
    show("sleeping", &io);
    // "Enough" = within 10% of the fastest: the smallest such pool.
    let enough = |rows: &[(usize, Duration)]| {
        let best = rows.iter().map(|r| r.1).min().unwrap_or_default();
        rows.iter()
            .find(|r| r.1.as_secs_f64() <= best.as_secs_f64() * 1.1)
            .map_or(0, |r| r.0)
    };
    say(Side::Note, format!(
        "smallest pool within 10% of the fastest: CPU-bound {} thread(s), sleeping {} thread(s) ({} cores, {jobs} jobs)",
        enough(&cpu), enough(&io), cores()
    ));
    Ok(())
}
