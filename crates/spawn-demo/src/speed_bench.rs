//! `--bench`, narrated: the median cost of each way of starting a child,
//! ours and Python's, in both languages (split from [`crate::speed`], which
//! narrates step 4). The forking and timing live in [`crate::bench`].

use crate::bench;
use demo_kit::say::{say, step};
use demo_kit::{tr, Context, Result, Side};
use std::time::Duration;

pub fn run_bench(runs: usize) -> Result<()> {
    step(
        1,
        tr!(
            "start + wait for a child that does nothing, median of {runs} runs",
            "启动并等待一个什么也不做的子进程，取 {runs} 次的中位数"
        ),
    );
    let exe = std::env::current_exe()
        .with_context(|| tr!("finding our own executable", "找不到本程序自己的可执行文件"))?;
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
        tr!(
            "our start() + join() (two pipes):   {:>8.1} µs",
            "我们的 start()+join()，两个管道：   {:>8.1} µs",
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
        tr!(
            "re-exec (spawn method), {reexec_runs} runs:  {:>8.1} µs",
            "重新执行（spawn 方式），{reexec_runs} 次：   {:>8.1} µs",
            micros(reexec)
        ),
    );
    say(
        Side::Note,
        tr!(
            "re-exec / fork = {:.1}×",
            "重新执行 / fork = {:.1}×",
            ratio(reexec, fork)
        ),
    );
    say(Side::Parent, tr!(
        "python3 -c <script>: Process().start(); join(), fork {py_fork_runs} runs, spawn {py_spawn_runs} runs",
        "python3 -c <脚本>：Process().start(); join()，fork 方式 {py_fork_runs} 次，spawn 方式 {py_spawn_runs} 次"
    ));
    match bench::python(py_fork_runs, py_spawn_runs, Duration::from_secs(120)) {
        // Our own numbers above are still valid: report, don't abort.
        Err(e) => say(
            Side::Note,
            tr!("Python comparison failed: {e}", "与 Python 的对比失败：{e}"),
        ),
        Ok(None) => say(
            Side::Note,
            tr!(
                "python3 not found: Python comparison skipped",
                "没有找到 python3：跳过与 Python 的对比"
            ),
        ),
        Ok(Some(py)) => {
            say(
                Side::Parent,
                tr!(
                    "Python Process, fork method:        {:>8.1} µs",
                    "Python Process，fork 方式：         {:>8.1} µs",
                    micros(py.fork)
                ),
            );
            say(
                Side::Parent,
                tr!(
                    "Python Process, spawn method:       {:>8.1} µs",
                    "Python Process，spawn 方式：        {:>8.1} µs",
                    micros(py.spawn)
                ),
            );
            say(
                Side::Note,
                tr!(
                    "Python fork / our fork+exit+waitpid = {:.1}× (target ≥ 5×)",
                    "Python fork / 我们的 fork+exit+waitpid = {:.1}×（目标 ≥ 5×）",
                    ratio(py.fork, fork)
                ),
            );
            say(
                Side::Note,
                tr!(
                    "Python fork / our start()+join()    = {:.1}×",
                    "Python fork / 我们的 start()+join()    = {:.1}×",
                    ratio(py.fork, ours)
                ),
            );
            say(
                Side::Note,
                tr!(
                    "Python spawn / our re-exec          = {:.1}×",
                    "Python spawn / 我们的重新执行          = {:.1}×",
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
