//! The measured parts, narrated: `--bench` (thread vs process cost, the GIL
//! table as medians of three runs) and the tour's one quick GIL run.

use demo_kit::say::{heading, say};
use demo_kit::{Result, Side};
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
    heading(format!(
        "bench 1/2: start + join something that does nothing, median of {runs} runs ({} for re-exec and Python's Process)",
        (runs / 4).max(10)
    ));
    let c = cost::measure(exe, runs)?;
    say(
        Side::Parent,
        format!("Rust thread::spawn + join:       {:>9.1} µs", us(c.thread)),
    );
    say(
        Side::Parent,
        format!(
            "Rust fork + _exit + waitpid:     {:>9.1} µs  ({:.1}× a thread)",
            us(c.fork),
            us(c.fork) / us(c.thread)
        ),
    );
    say(
        Side::Parent,
        format!(
            "Rust re-exec + wait:             {:>9.1} µs  ({:.1}× a thread)",
            us(c.reexec),
            us(c.reexec) / us(c.thread)
        ),
    );
    match (c.py_thread, c.py_process) {
        (Some(pt), Some(pp)) => {
            say(
                Side::Parent,
                format!(
                    "Python Thread start + join:      {:>9.1} µs  ({:.1}× a Rust thread)",
                    us(pt),
                    us(pt) / us(c.thread)
                ),
            );
            say(
                Side::Parent,
                format!(
                    "Python Process (fork) + join:    {:>9.1} µs  ({:.1}× a Python thread)",
                    us(pp),
                    us(pp) / us(pt)
                ),
            );
        }
        _ => say(
            Side::Note,
            "python3 not found: Python's Thread and Process not measured",
        ),
    }
    heading(format!(
        "bench 2/2: the GIL, median of 3 runs, one task ≈ {} ms",
        work.as_millis()
    ));
    let (rust, python) = gil_runs(work, 3)?;
    if let Some(dir) = svg {
        let n = cores().max(2);
        let chart =
            thread_demo::plot::chart(n, cores(), work.as_millis() as u64, &rust, python.as_ref());
        for path in demo_kit::plot::write(dir, "15-gil", &comments, &chart)? {
            say(Side::Note, format!("wrote {}", path.display()));
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
        format!(
            "CPU cores this process may use (available_parallelism: affinity mask and cgroup quota): {}; N = {n} tasks",
            cores()
        ),
    );
    if let Ok(load) = std::fs::read_to_string("/proc/loadavg") {
        let one_minute = load.split_whitespace().next().unwrap_or("?");
        say(Side::Kernel, format!("load average (1 min, /proc/loadavg; tasks runnable or in uninterruptible sleep): {one_minute}; other programs on these cores get their share too"));
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
            "python3 not found: the Python half of the GIL table is skipped",
        );
    } else {
        python = Some(show("Python", &py, n));
        if let Some(s) = switch {
            say(Side::Kernel, format!("python3: sys.getswitchinterval() = {s} s: a thread that has waited this long for the GIL asks the holder to let go"));
        }
    }
    say(Side::Note, format!("speed-up = serial time / parallel time; cores busy = CPU time (getrusage) / wall time; both at most {} here", cores()));
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
    say(Side::Parent, format!(
        "{lang:<6}: serial {n} tasks {serial:>5.0} ms | {n} threads: speed-up {:.2}×, cores busy {:.2} | {n} processes: speed-up {:.2}×, cores busy {:.2}",
        medians.threads_speedup, medians.threads_busy, medians.processes_speedup, medians.processes_busy
    ));
    medians
}
