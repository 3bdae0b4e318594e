//! Step 4 (serial / concurrent / parallel), narrated: the part of the tour
//! that is about *time*. Each run is made here, then what it measured is
//! said; the forking and timing live in [`crate::timing`]. `--bench` is
//! narrated in [`crate::speed_bench`].

use crate::timing::{self, Mode, TwoTasks};
use crate::work;
use demo_kit::lang::pick;
use demo_kit::say::{heading, say, step};
use demo_kit::{tr, Result, Side};
use std::time::Duration;

pub fn serial_concurrent_parallel(work: Duration) -> Result<()> {
    step(
        4,
        pick(
            "串行 serial vs 并发 concurrent vs 并行 parallel",
            "串行、并发与并行",
        ),
    );
    let cores = timing::cores();
    say(
        Side::Kernel,
        tr!(
            "CPU cores available to this process: {cores}",
            "本进程可用的 CPU 核数：{cores}"
        ),
    );
    if let Some(load) = load_average() {
        say(Side::Kernel, tr!(
            "load average (1 min) from /proc/loadavg: {load} — tasks running, waiting for a core or in uninterruptible sleep, averaged: the higher, the less likely two cores are free",
            "/proc/loadavg 里的平均负载（1 分钟）：{load}——正在运行、等着 CPU 核或处于不可中断睡眠的任务数的平均值；越高，两个核同时空闲的可能性越小"
        ));
    }
    let rounds = work::calibrate(work);
    say(
        Side::Parent,
        tr!(
            "one task = {} rounds of arithmetic, calibrated to ≈ {} ms",
            "一个任务 = {} 轮算术运算，校准到 ≈ {} ms",
            rounds,
            work.as_millis()
        ),
    );
    let serial = timing::run_two(Mode::Serial, rounds)?;
    show(
        &serial,
        &tr!(
            "serial: start A, join A, start B, join B",
            "串行：启动 A，join A，启动 B，join B"
        ),
    );
    // "One task" = how long a task took when it had a core to itself.
    let one_task = serial.wall / 2;
    match timing::some_allowed_cpu() {
        Some(cpu) => show(
            &timing::run_two(Mode::OneCore(cpu), rounds)?,
            &tr!(
                "concurrent: both started, both pinned to CPU {cpu} (sched_setaffinity)",
                "并发：两个都启动，都绑在 CPU {cpu} 上（sched_setaffinity）"
            ),
        ),
        None => say(
            Side::Note,
            tr!(
                "concurrent on one core: skipped, pinning a process to a CPU needs Linux",
                "单核并发：跳过，把进程绑到一个 CPU 上需要 Linux"
            ),
        ),
    }
    let parallel = timing::run_two(Mode::Parallel, rounds)?;
    show(
        &parallel,
        &tr!(
            "parallel: both started, the kernel may use every core",
            "并行：两个都启动，内核可以用上每一个核"
        ),
    );
    let ratio = parallel.wall.as_secs_f64() / one_task.as_secs_f64().max(1e-9);
    say(
        Side::Note,
        tr!(
            "one task ≈ {} ms (half the serial wall time); parallel took {ratio:.2}× that — {}",
            "一个任务 ≈ {} ms（串行墙钟时间的一半）；并行用了它的 {ratio:.2} 倍——{}",
            one_task.as_millis(),
            verdict(cores, ratio)
        ),
    );
    Ok(())
}

/// What a parallel run that took `ratio` × one task's time says. It varies
/// from run to run: two cores are two only if nothing else wants them, and
/// the scheduler shares a busy core between every runnable process.
/// In the language in use.
pub fn verdict(cores: usize, ratio: f64) -> &'static str {
    if cores < 2 {
        pick(
            "one core only: parallel cannot beat serial here",
            "只有一个核：在这里并行不可能比串行快",
        )
    } else if ratio < 1.25 {
        pick(
            "about one task's time: the two ran in parallel, on two cores at once",
            "约等于一个任务的时间：两个任务同时跑在两个核上，是真正的并行",
        )
    } else if ratio < 1.75 {
        pick(
            "between one and two tasks' time: they had two cores only part of the time; other programs took turns on them (see the load average)",
            "介于一个和两个任务的时间之间：它们只在部分时间里占到了两个核，别的程序也在轮流使用这两个核（见平均负载）",
        )
    } else {
        pick(
            "two tasks' time or more: no second core was free, so they took turns (concurrent, not parallel)",
            "达到两个任务的时间或更多：没有空闲的第二个核，它们只能轮流运行（是并发，不是并行）",
        )
    }
}

/// The 1-minute load average (Linux); `None` elsewhere.
fn load_average() -> Option<String> {
    let text = std::fs::read_to_string("/proc/loadavg").ok()?;
    text.split_whitespace().next().map(str::to_string)
}

fn show(run: &TwoTasks, what: &str) {
    heading(what);
    say(
        Side::Parent,
        tr!("wall time {} ms", "墙钟时间 {} ms", run.wall.as_millis()),
    );
    if let Some(spans) = run.spans() {
        for (child, (b, e)) in run.children.iter().zip(spans) {
            say(
                Side::Child,
                tr!(
                    "pid {}: task ran from {} ms to {} ms ({} ms)",
                    "pid {}：任务从 {} ms 运行到 {} ms（共 {} ms）",
                    child.pid,
                    b.as_millis(),
                    e.as_millis(),
                    (e - b).as_millis()
                ),
            );
        }
    }
    if let Some(overlap) = run.overlapped() {
        let what = if overlap {
            tr!(
                "the two tasks' lifetimes overlapped",
                "两个任务的生命周期有重叠"
            )
        } else {
            tr!("no overlap: one after the other", "没有重叠：一个接一个")
        };
        say(Side::Note, what);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_verdict_changes_exactly_at_its_bounds() {
        // This test binary never asks for Chinese: English whatever the locale.
        demo_kit::lang::set(demo_kit::lang::Lang::En);
        let about_one = "about one task's time: the two ran in parallel, on two cores at once";
        let between = "between one and two tasks' time";
        assert_eq!(verdict(2, 1.0), about_one);
        assert_eq!(verdict(2, 1.2499), about_one);
        assert!(verdict(2, 1.25).starts_with(between));
        assert!(verdict(2, 1.7499).starts_with(between));
        assert!(verdict(2, 1.75).starts_with("two tasks' time or more"));
        assert!(verdict(1, 0.5).starts_with("one core only"));
        assert!(verdict(0, 1.0).starts_with("one core only"));
        assert_eq!(verdict(3, 1.0), about_one);
    }
}
