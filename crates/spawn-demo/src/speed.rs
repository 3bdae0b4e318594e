//! Step 4 (serial / concurrent / parallel) and `--bench`, narrated: the
//! part of the tour that is about *time*. Each run is made here, then what
//! it measured is said; the forking and timing live in [`crate::timing`]
//! and [`crate::bench`].

use crate::timing::{self, Mode, TwoTasks};
use crate::{bench, work};
use demo_kit::say::{heading, say, step};
use demo_kit::{Context, Result, Side};
use std::time::Duration;

pub fn serial_concurrent_parallel(work: Duration) -> Result<()> {
    step(4, "串行 serial vs 并发 concurrent vs 并行 parallel");
    let cores = timing::cores();
    say(
        Side::Kernel,
        format!("CPU cores available to this process: {cores}"),
    );
    if let Some(load) = load_average() {
        say(Side::Kernel, format!("load average (1 min) from /proc/loadavg: {load} — tasks running, waiting for a core or in uninterruptible sleep, averaged: the higher, the less likely two cores are free"));
    }
    let rounds = work::calibrate(work);
    say(
        Side::Parent,
        format!(
            "one task = {} rounds of arithmetic, calibrated to ≈ {} ms",
            rounds,
            work.as_millis()
        ),
    );
    let serial = timing::run_two(Mode::Serial, rounds)?;
    show(&serial, "serial: start A, join A, start B, join B");
    // "One task" = how long a task took when it had a core to itself.
    let one_task = serial.wall / 2;
    match timing::some_allowed_cpu() {
        Some(cpu) => show(
            &timing::run_two(Mode::OneCore(cpu), rounds)?,
            &format!("concurrent: both started, both pinned to CPU {cpu} (sched_setaffinity)"),
        ),
        None => say(
            Side::Note,
            "concurrent on one core: skipped, pinning a process to a CPU needs Linux",
        ),
    }
    let parallel = timing::run_two(Mode::Parallel, rounds)?;
    show(
        &parallel,
        "parallel: both started, the kernel may use every core",
    );
    let ratio = parallel.wall.as_secs_f64() / one_task.as_secs_f64().max(1e-9);
    say(
        Side::Note,
        format!(
            "one task ≈ {} ms (half the serial wall time); parallel took {ratio:.2}× that — {}",
            one_task.as_millis(),
            verdict(cores, ratio)
        ),
    );
    Ok(())
}

/// What a parallel run that took `ratio` × one task's time says. It varies
/// from run to run: two cores are two only if nothing else wants them, and
/// the scheduler shares a busy core between every runnable process.
pub fn verdict(cores: usize, ratio: f64) -> &'static str {
    if cores < 2 {
        "one core only: parallel cannot beat serial here"
    } else if ratio < 1.25 {
        "about one task's time: the two ran in parallel, on two cores at once"
    } else if ratio < 1.75 {
        "between one and two tasks' time: they had two cores only part of the time; other programs took turns on them (see the load average)"
    } else {
        "two tasks' time or more: no second core was free, so they took turns (concurrent, not parallel)"
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
        format!("wall time {} ms", run.wall.as_millis()),
    );
    if let Some(spans) = run.spans() {
        for (child, (b, e)) in run.children.iter().zip(spans) {
            say(
                Side::Child,
                format!(
                    "pid {}: task ran from {} ms to {} ms ({} ms)",
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
            "the two tasks' lifetimes overlapped"
        } else {
            "no overlap: one after the other"
        };
        say(Side::Note, what);
    }
}

pub fn run_bench(runs: usize) -> Result<()> {
    step(
        1,
        format!("start + wait for a child that does nothing, median of {runs} runs"),
    );
    let exe = std::env::current_exe().context("finding our own executable")?;
    let fork = bench::fork_exit_wait(runs)?;
    say(
        Side::Parent,
        format!(
            "fork() + _exit(0) + waitpid():      {:>8.1} µs",
            micros(fork)
        ),
    );
    let ours = bench::start_join(runs)?;
    say(
        Side::Parent,
        format!(
            "our start() + join() (two pipes):   {:>8.1} µs",
            micros(ours)
        ),
    );
    let bench::BenchRuns {
        reexec: reexec_runs,
        python_fork: py_fork_runs,
        python_spawn: py_spawn_runs,
    } = bench::BenchRuns::for_runs(runs);
    let reexec = bench::reexec(&exe, reexec_runs)?;
    say(
        Side::Parent,
        format!(
            "re-exec (spawn method), {reexec_runs} runs:  {:>8.1} µs",
            micros(reexec)
        ),
    );
    say(
        Side::Note,
        format!("re-exec / fork = {:.1}×", ratio(reexec, fork)),
    );
    say(Side::Parent, format!("python3 -c <script>: Process().start(); join(), fork {py_fork_runs} runs, spawn {py_spawn_runs} runs"));
    match bench::python(py_fork_runs, py_spawn_runs, Duration::from_secs(120)) {
        // Our own numbers above are still valid: report, don't abort.
        Err(e) => say(Side::Note, format!("Python comparison failed: {e}")),
        Ok(None) => say(Side::Note, "python3 not found: Python comparison skipped"),
        Ok(Some(py)) => {
            say(
                Side::Parent,
                format!(
                    "Python Process, fork method:        {:>8.1} µs",
                    micros(py.fork)
                ),
            );
            say(
                Side::Parent,
                format!(
                    "Python Process, spawn method:       {:>8.1} µs",
                    micros(py.spawn)
                ),
            );
            say(
                Side::Note,
                format!(
                    "Python fork / our fork+exit+waitpid = {:.1}× (target ≥ 5×)",
                    ratio(py.fork, fork)
                ),
            );
            say(
                Side::Note,
                format!(
                    "Python fork / our start()+join()    = {:.1}×",
                    ratio(py.fork, ours)
                ),
            );
            say(
                Side::Note,
                format!(
                    "Python spawn / our re-exec          = {:.1}×",
                    ratio(py.spawn, reexec)
                ),
            );
        }
    }
    Ok(())
}

fn micros(d: Duration) -> f64 {
    d.as_secs_f64() * 1e6
}

fn ratio(a: Duration, b: Duration) -> f64 {
    a.as_secs_f64() / b.as_secs_f64().max(1e-9)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_verdict_changes_exactly_at_its_bounds() {
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

    #[test]
    fn micros_and_ratios_are_what_they_say() {
        let close = |a: f64, b: f64| assert!((a - b).abs() < 1e-9 * b.abs().max(1.0), "{a} != {b}");
        close(micros(Duration::from_nanos(1_500)), 1.5);
        close(micros(Duration::from_millis(2)), 2_000.0);
        let us = Duration::from_micros;
        close(ratio(us(730), us(100)), 7.3);
        close(ratio(us(50), us(200)), 0.25);
        // A zero divisor gives a large number, not infinity or NaN.
        close(ratio(us(1), Duration::ZERO), 1e3);
    }
}
