//! The measured parts, narrated: `--bench` (thread vs process cost, the GIL
//! table as medians of three runs) and the tour's one quick GIL run.

use demo_kit::say::{heading, say};
use demo_kit::{tr, Result, Side};
use std::path::Path;
use std::time::Duration;
use thread_demo::plot::Medians;
use thread_demo::{cores, cost, gil};

fn us(d: Duration) -> f64 {
    d.as_secs_f64() * 1e6
}

pub fn run(exe: &Path, runs: usize, work: Duration, svg: Option<&Path>) -> Result<()> {
    let comments = demo_kit::plot::provenance("thread-demo");
    // Headings, not numbered steps: the tour's steps 1–8 keep their numbers.
    heading(tr!(
        "bench 1/2: start + join something that does nothing, median of {runs} runs ({} for re-exec and Python's Process)", "测量 1/2：启动并 join 一个什么也不做的东西，取 {runs} 次的中位数（re-exec 和 Python 的 Process 取 {} 次）",
        (runs / 4).max(10)
    ));
    let c = cost::measure(exe, runs)?;
    say(
        Side::Parent,
        tr!(
            "Rust thread::spawn + join:       {:>9.1} µs",
            "Rust thread::spawn + join：      {:>9.1} µs",
            us(c.thread)
        ),
    );
    say(
        Side::Parent,
        tr!(
            "Rust fork + _exit + waitpid:     {:>9.1} µs  ({:.1}× a thread)",
            "Rust fork + _exit + waitpid：    {:>9.1} µs（线程的 {:.1}×）",
            us(c.fork),
            us(c.fork) / us(c.thread)
        ),
    );
    say(
        Side::Parent,
        tr!(
            "Rust re-exec + wait:             {:>9.1} µs  ({:.1}× a thread)",
            "Rust re-exec + wait：            {:>9.1} µs（线程的 {:.1}×）",
            us(c.reexec),
            us(c.reexec) / us(c.thread)
        ),
    );
    match (c.py_thread, c.py_process) {
        (Some(pt), Some(pp)) => {
            say(
                Side::Parent,
                tr!(
                    "Python Thread start + join:      {:>9.1} µs  ({:.1}× a Rust thread)",
                    "Python Thread start + join：     {:>9.1} µs（Rust 线程的 {:.1}×）",
                    us(pt),
                    us(pt) / us(c.thread)
                ),
            );
            say(
                Side::Parent,
                tr!(
                    "Python Process (fork) + join:    {:>9.1} µs  ({:.1}× a Python thread)",
                    "Python Process (fork) + join：   {:>9.1} µs（Python 线程的 {:.1}×）",
                    us(pp),
                    us(pp) / us(pt)
                ),
            );
        }
        _ => say(
            Side::Note,
            tr!(
                "python3 not found: Python's Thread and Process not measured",
                "没有找到 python3：没有测量 Python 的 Thread 和 Process"
            ),
        ),
    }
    heading(tr!(
        "bench 2/2: the GIL, median of 3 runs, one task ≈ {} ms",
        "测量 2/2：GIL，3 次的中位数，一个任务约 {} ms",
        work.as_millis()
    ));
    let (rust, python) = gil_runs(work, 3)?;
    if let Some(dir) = svg {
        let n = cores().max(2);
        let chart =
            thread_demo::plot::chart(n, cores(), work.as_millis() as u64, &rust, python.as_ref());
        for path in demo_kit::plot::write(dir, "15-gil", &comments, &chart)? {
            say(Side::Note, tr!("wrote {}", "已写入 {}", path.display()));
        }
    }
    Ok(())
}

pub fn gil_once(work: Duration) -> Result<()> {
    gil_runs(work, 1).map(drop)
}

/// The GIL table, narrated; returns Rust's medians and Python's (if any).
fn gil_runs(work: Duration, repeats: usize) -> Result<(Medians, Option<Medians>)> {
    let n = cores().max(2);
    say(
        Side::Kernel,
        tr!(
            "CPU cores this process may use (available_parallelism: affinity mask and cgroup quota): {}; N = {n} tasks", "这个进程可以使用的 CPU 核数（available_parallelism：亲和性掩码和 cgroup 配额）：{}；N = {n} 个任务",
            cores()
        ),
    );
    if let Ok(load) = std::fs::read_to_string("/proc/loadavg") {
        let one_minute = load.split_whitespace().next().unwrap_or("?");
        say(Side::Kernel, tr!("load average (1 min, /proc/loadavg; tasks runnable or in uninterruptible sleep): {one_minute}; other programs on these cores get their share too", "平均负载（1 分钟，/proc/loadavg；可运行或处于不可中断睡眠的任务数）：{one_minute}；这些核上的其他程序也要分走一部分 CPU"));
    }
    let limit = gil::calibrate(work);
    let mut rust = Vec::new();
    let mut py = Vec::new();
    let mut switch = None;
    for _ in 0..repeats {
        rust.push(gil::rust(n, limit)?);
        if let Some((t, s)) = gil::python(n, work)? {
            py.push(t);
            switch = Some(s);
        }
    }
    let rust = show("Rust", &rust, n);
    let mut python = None;
    if py.is_empty() {
        say(
            Side::Note,
            tr!(
                "python3 not found: the Python half of the GIL table is skipped",
                "没有找到 python3：跳过 GIL 表里 Python 的那一半"
            ),
        );
    } else {
        python = Some(show("Python", &py, n));
        if let Some(s) = switch {
            say(Side::Kernel, tr!("python3: sys.getswitchinterval() = {s} s: a thread that has waited this long for the GIL asks the holder to let go", "python3：sys.getswitchinterval() = {s} s：一个线程等 GIL 等了这么久，就会请持有者放手"));
        }
    }
    say(Side::Note, tr!("speed-up = serial time / parallel time; cores busy = CPU time (getrusage) / wall time; both at most {} here", "加速比 = 串行时间 / 并行时间；忙碌的核数 = CPU 时间（getrusage）/ 墙钟时间；这里两者最多都是 {}", cores()));
    Ok((rust, python))
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v.get(v.len() / 2).copied().unwrap_or(0.0)
}

fn show(lang: &str, runs: &[gil::Times], n: usize) -> Medians {
    let m = |f: fn(&gil::Times) -> f64| median(runs.iter().map(f).collect());
    let serial = m(|t| t.serial.as_secs_f64() * 1e3);
    let medians = Medians {
        threads_speedup: m(gil::Times::threads_speedup),
        threads_busy: m(gil::Times::threads_busy),
        processes_speedup: m(gil::Times::processes_speedup),
        processes_busy: m(gil::Times::processes_busy),
    };
    say(Side::Parent, tr!(
        "{lang:<6}: serial {n} tasks {serial:>5.0} ms | {n} threads: speed-up {:.2}×, cores busy {:.2} | {n} processes: speed-up {:.2}×, cores busy {:.2}", "{lang:<6}：串行 {n} 个任务 {serial:>5.0} ms | {n} 个线程：加速比 {:.2}×，忙碌的核数 {:.2} | {n} 个进程：加速比 {:.2}×，忙碌的核数 {:.2}",
        medians.threads_speedup, medians.threads_busy, medians.processes_speedup, medians.processes_busy
    ));
    medians
}
