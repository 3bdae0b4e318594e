//! The demo as a student runs it: what it narrates must agree with itself.
//! Every number it prints that is derived from others (a ratio, half a
//! time, a delay from two clock readings) is recomputed here from the
//! printed figures, and every conclusion it states (which came first,
//! overlapped or not, the verdict) must follow from the figures it printed.

#[path = "narration/lang.rs"]
mod lang;

use spawn_demo::bench::BenchRuns;
use spawn_demo::speed;
use std::process::Command;

const EXE: &str = env!("CARGO_BIN_EXE_spawn-demo");

fn run_demo(args: &[&str]) -> (i32, String, String) {
    demo_kit::testing::run_demo(EXE, args)
}

/// The number at the start of `s` ("7.7× that" gives 7.7).
fn number(s: &str) -> f64 {
    let end = s
        .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == '-'))
        .unwrap_or(s.len());
    s[..end]
        .parse()
        .unwrap_or_else(|_| panic!("no number at the start of {s:?}"))
}

/// The number right after `marker` in `line`.
fn after(line: &str, marker: &str) -> f64 {
    let at = line
        .find(marker)
        .unwrap_or_else(|| panic!("no {marker:?} in {line:?}"));
    number(line[at + marker.len()..].trim_start())
}

/// The lines that contain `marker`.
fn lines<'a>(out: &'a str, marker: &str) -> Vec<&'a str> {
    out.lines().filter(|l| l.contains(marker)).collect()
}

/// The one line that contains `marker`.
fn line<'a>(out: &'a str, marker: &str) -> &'a str {
    match lines(out, marker)[..] {
        [one] => one,
        ref other => panic!("{} lines with {marker:?}: {other:?}\n{out}", other.len()),
    }
}

#[test]
fn the_tour_tells_what_it_measured() {
    let (code, out, err) = run_demo(&["--work-ms", "30"]);
    assert_eq!(code, 0, "stdout:\n{out}\nstderr:\n{err}");

    // Steps 1 and 2: 主 comes before each child's first line.
    let mains: Vec<_> = out.match_indices("[parent] 主").map(|(i, _)| i).collect();
    let runs: Vec<_> = out.match_indices(" is running").map(|(i, _)| i).collect();
    assert_eq!((mains.len(), runs.len()), (3, 3), "{out}");
    assert!(mains.iter().zip(&runs).all(|(m, r)| m < r), "{out}");
    for name in ["子进程 ", "子进程1 ", "子进程2 "] {
        assert!(out.contains(&format!("[child] {name}is running")), "{out}");
        assert!(out.contains(&format!("[child] {name}is done")), "{out}");
    }

    // Steps 1 and 2: the timeline agrees with the other lines, and the
    // note about who was first follows from it.
    let returned = lines(&out, "p.start() returned after ");
    let timelines = lines(&out, "[kernel] timeline (CLOCK_MONOTONIC");
    let notes = lines(
        &out,
        "when 主 was printed; either way the parent did not wait",
    );
    let exits = lines(&out, "; exitcode 0");
    assert_eq!(
        (returned.len(), timelines.len(), notes.len(), exits.len()),
        (2, 2, 2, 2),
        "{out}"
    );
    for ((returned, t), note) in returned.iter().zip(&timelines).zip(&notes) {
        let fork_returned = after(t, "fork returned in parent +");
        assert_eq!(after(returned, "returned after "), fork_returned, "{out}");
        let alive = after(t, "child alive +");
        let main = after(t, "parent printed 主 +");
        let began = after(t, "task began +");
        let done = after(t, "task done +");
        assert!(alive <= began, "alive before its task began: {t}");
        assert!(main <= began, "主 was printed before the gate opened: {t}");
        // The task sleeps 100 ms; each time is rounded down to a µs.
        assert!(done - began >= 99_999.0, "the task took its 100 ms: {t}");
        if alive < main {
            assert!(
                note.contains("the child was already running"),
                "{t}\n{note}"
            );
        } else if alive > main {
            assert!(
                note.contains("had not yet reached its first line"),
                "{t}\n{note}"
            );
        }
    }

    // Step 3: the go-ahead travelled, and the child was reaped.
    assert!(
        out.contains("[parent] child ") && out.contains(" ended: exit status: 0"),
        "{out}"
    );

    // Step 4: what the machine offers.
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let cores_line = line(&out, "CPU cores available to this process: ");
    assert_eq!(
        after(cores_line, "this process: "),
        cores as f64,
        "the demo counts the cores this test may use too"
    );
    let load = line(&out, "load average (1 min) from /proc/loadavg: ");
    assert!(after(load, "/proc/loadavg: ") >= 0.0, "{load}");
    assert!(
        after(line(&out, "one task = "), "one task = ") >= 1.0,
        "{out}"
    );

    // Step 4: three runs, each with its wall time, both tasks' spans and
    // an overlap note that follows from the spans.
    let walls = lines(&out, "[parent] wall time ");
    let spans = lines(&out, ": task ran from ");
    let overlaps: Vec<_> = out
        .lines()
        .filter(|l| l.contains("lifetimes overlapped") || l.contains("no overlap"))
        .collect();
    assert_eq!(
        (walls.len(), spans.len(), overlaps.len()),
        (3, 6, 3),
        "{out}"
    );
    for (pair, overlap) in spans.chunks(2).zip(&overlaps) {
        let span = |l: &str| (after(l, "task ran from "), after(l, " ms to "));
        for l in pair {
            let (b, e) = span(l);
            let took = number(l.rsplit('(').next().unwrap());
            // Each figure is rounded down to a ms.
            assert!((took - (e - b)).abs() <= 1.0, "{l}");
        }
        let ((a0, a1), (b0, b1)) = (span(pair[0]), span(pair[1]));
        if a0 < b1 && b0 < a1 {
            assert!(overlap.contains("overlapped"), "{pair:?} {overlap}");
        } else if a0 > b1 + 1.0 || b0 > a1 + 1.0 {
            assert!(overlap.contains("no overlap"), "{pair:?} {overlap}");
        }
    }
    assert!(
        overlaps[0].contains("no overlap"),
        "serial: B is forked only after A was reaped\n{out}"
    );

    // The conclusion: one task = half the serial wall time; the ratio is
    // the parallel wall time over it, and the verdict is the ratio's.
    let serial_wall = after(walls[0], "wall time ");
    let parallel_wall = after(walls[2], "wall time ");
    let last = line(&out, "(half the serial wall time)");
    let one_task = after(last, "one task ≈ ");
    assert_eq!(one_task, (serial_wall / 2.0).floor(), "{last}");
    let ratio = after(last, "parallel took ");
    // Both times are rounded down to a ms, the ratio to 2 decimals.
    let low = parallel_wall / (one_task + 1.0) - 0.005;
    assert!(ratio >= low - 1e-9, "{last}\n{}", walls[2]);
    if one_task > 0.0 {
        let high = (parallel_wall + 1.0) / one_task + 0.005;
        assert!(ratio <= high + 1e-9, "{last}\n{}", walls[2]);
    }
    let near_a_bound = [1.25, 1.75].iter().any(|b| (ratio - b).abs() <= 0.005);
    if !near_a_bound {
        // The demo ran in English (run_demo): so does the verdict here,
        // whatever this test's locale. No test of this binary asks for
        // Chinese in-process.
        demo_kit::lang::set(demo_kit::lang::Lang::En);
        assert!(last.ends_with(speed::verdict(cores, ratio)), "{last}");
    }

    assert!(
        out.contains("no child left: waitpid(-1, WNOHANG) says ECHILD"),
        "{out}"
    );
    assert!(!out.contains('\x1b'), "NO_COLOR must disable colours");
}

/// `printed` ≈ `a / b`, where all three were printed rounded to 1 decimal.
fn assert_ratio(printed: f64, a: f64, b: f64, what: &str) {
    let low = (a - 0.05) / (b + 0.05) - 0.05;
    let high = (a + 0.05) / (b - 0.05).max(0.01) + 0.05;
    assert!(
        low - 1e-9 <= printed && printed <= high + 1e-9,
        "{what}: printed {printed}, from the printed times {a} / {b}"
    );
}

#[test]
fn the_bench_tells_what_it_measured() {
    let (code, out, err) = run_demo(&["--bench", "--runs", "10"]);
    assert_eq!(code, 0, "stdout:\n{out}\nstderr:\n{err}");
    let want = BenchRuns::for_runs(10);
    let micros = |marker: &str| after(line(&out, marker), ":");
    let fork = micros("fork() + _exit(0) + waitpid():");
    let ours = micros("our start() + join() (two pipes):");
    let reexec_line = line(&out, "re-exec (spawn method), ");
    assert_eq!(
        after(reexec_line, "re-exec (spawn method), "),
        want.reexec as f64
    );
    let reexec = after(reexec_line, "runs:");
    // Starting a process takes a system call and a new address space:
    // microseconds at the very least.
    for t in [fork, ours, reexec] {
        assert!(t >= 1.0, "{out}");
    }
    let rf = after(line(&out, "re-exec / fork = "), "= ");
    assert_ratio(rf, reexec, fork, "re-exec / fork");
    assert!(out.contains("no child left"), "{out}");

    let has_python = Command::new("python3").arg("--version").output().is_ok();
    if !has_python {
        assert!(out.contains("python3 not found: Python comparison skipped"));
        demo_kit::testing::skip("python3 is not installed: the bench's Python half is unchecked");
        return;
    }
    let py = line(&out, "python3 -c <script>: Process().start(); join()");
    assert_eq!(after(py, "fork "), want.python_fork as f64, "{py}");
    assert_eq!(after(py, "spawn "), want.python_spawn as f64, "{py}");
    let py_fork = micros("Python Process, fork method:");
    let py_spawn = micros("Python Process, spawn method:");
    let r = |marker: &str| after(line(&out, marker), "= ");
    assert_ratio(
        r("Python fork / our fork+exit+waitpid"),
        py_fork,
        fork,
        "py fork / fork",
    );
    assert_ratio(
        r("Python fork / our start()+join()"),
        py_fork,
        ours,
        "py fork / ours",
    );
    assert_ratio(
        r("Python spawn / our re-exec"),
        py_spawn,
        reexec,
        "py spawn / re-exec",
    );
}

/// On one core nothing can run in parallel, and the demo must say so. The
/// core is the last this test may use, so a demo that pins to any other
/// (the first, say) is caught.
#[test]
fn on_one_core_the_demo_says_parallel_cannot_win() {
    if Command::new("taskset").arg("--version").output().is_err() {
        demo_kit::testing::skip("taskset (util-linux) is not installed");
        return;
    }
    let cpu = allowed_cpus()
        .pop()
        .expect("this process may run on some CPU");
    let cpu = cpu.to_string();
    let (code, out, err) =
        demo_kit::testing::run_demo("taskset", &["-c", &cpu, EXE, "--work-ms", "30"]);
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(
        out.contains("CPU cores available to this process: 1"),
        "{out}"
    );
    assert!(
        out.contains(&format!("both pinned to CPU {cpu} (sched_setaffinity)")),
        "{out}"
    );
    assert!(
        out.contains("one core only: parallel cannot beat serial here"),
        "{out}"
    );
}

/// The CPUs this process may run on, from `Cpus_allowed_list` in
/// /proc/self/status (proc(5)), e.g. `0-1,4`.
fn allowed_cpus() -> Vec<usize> {
    let status = std::fs::read_to_string("/proc/self/status").expect("/proc/self/status");
    let list = status
        .lines()
        .find_map(|l| l.strip_prefix("Cpus_allowed_list:"))
        .expect("Cpus_allowed_list in /proc/self/status")
        .trim();
    let mut cpus = Vec::new();
    for part in list.split(',') {
        let (a, b) = part.split_once('-').unwrap_or((part, part));
        cpus.extend(a.parse::<usize>().unwrap()..=b.parse::<usize>().unwrap());
    }
    cpus
}

#[test]
fn the_first_allowed_cpu_is_the_one_pinned_to() {
    let first = allowed_cpus()[0];
    assert_eq!(spawn_demo::timing::some_allowed_cpu(), Some(first));
}

#[test]
fn help_lists_the_bench() {
    let (code, out, _) = run_demo(&["--help"]);
    assert_eq!(code, 0);
    assert!(out.contains("--bench"), "{out}");
}

#[test]
fn a_non_number_is_refused_without_a_panic() {
    let (code, _, err) = run_demo(&["--work-ms", "abc"]);
    assert_eq!(code, 1);
    assert_eq!(
        err,
        "error: bad value \"abc\" for --work-ms: invalid digit found in string; see --help\n"
    );
}

#[test]
fn too_few_bench_runs_are_refused() {
    let (code, _, err) = run_demo(&["--runs", "1"]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("--runs must be between 10 and 5000"), "{err}");
}
