//! The tour, run as a learner runs it: what lessons 15 and 16 show of its
//! output is what it prints.
//!
//! The tour takes about 2 s here (`--work-ms 20`). A run is given
//! [`TOUR_LIMIT`], not demo-kit's 90 s: a tour that takes many times its
//! usual time is broken (a semaphore that never lets anyone in, a
//! measurement that waits out its 10 s safety bound), and the test says so
//! while the rest of the suite is still running, instead of holding it up.

use demo_kit::testing::OutputWithin;
use std::process::Command;
use std::time::Duration;

const EXE: &str = env!("CARGO_BIN_EXE_thread-demo");

/// Fifteen times the tour's usual 2 s.
pub const TOUR_LIMIT: Duration = Duration::from_secs(30);

/// Runs the demo with `args` as demo-kit's `run_demo` does (`NO_COLOR=1`,
/// an English locale unless `--lang` says otherwise), within
/// [`TOUR_LIMIT`]: its exit code, stdout and stderr.
pub fn run_tour(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(EXE)
        .args(args)
        .env("NO_COLOR", "1")
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .env("LANG", "C.UTF-8")
        .output_within_limit(TOUR_LIMIT);
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// The first line of `out` containing `marker`; fails the test without one.
pub fn line<'a>(out: &'a str, marker: &str) -> &'a str {
    out.lines()
        .find(|l| l.contains(marker))
        .unwrap_or_else(|| panic!("no line with {marker:?} in:\n{out}"))
}

/// The number in `text` between `before` and the next `after`.
pub fn number_between(text: &str, before: &str, after: &str) -> f64 {
    let rest = text
        .split_once(before)
        .unwrap_or_else(|| panic!("no {before:?} in {text:?}"))
        .1;
    let n = rest.split_once(after).map_or(rest, |(n, _)| n);
    n.trim()
        .parse()
        .unwrap_or_else(|e| panic!("{n:?} in {text:?} is not a number: {e}"))
}

/// One run of the tour, read three ways (one run: the tour is the suite's
/// longest test, and the machine is shared).
#[test]
fn the_tour_runs_clean() {
    let (code, out, err) = run_tour(&["--work-ms", "20"]);
    assert_eq!(code, 0, "stdout:\n{out}\nstderr:\n{err}");
    the_first_threads_tid_is_the_pid(&out);
    one_pid_and_a_measured_gil_line(&out);
    the_deadlock_the_guard_and_the_semaphore(&out);
}

fn the_first_threads_tid_is_the_pid(out: &str) {
    assert!(out.contains("deadlock"));
    assert!(out.contains("no child left"));
    // The process's first thread: its tid is the pid.
    let line = line(out, "[parent] main thread \"main\": getpid() = ");
    // "... getpid() = 31078, gettid() = 31078": the digits after each " = ".
    let ids: Vec<i32> = line
        .split(" = ")
        .skip(1)
        .filter_map(|s| s.split(|c: char| !c.is_ascii_digit()).next()?.parse().ok())
        .collect();
    assert_eq!(ids.len(), 2, "{line}");
    assert_eq!(ids[0], ids[1], "the first thread's tid is the pid: {line}");
}

/// Lesson 15's steps 1 and 3: one pid in every thread, and the GIL table's
/// Rust line with the figures of a real run (speed-ups are printed, never
/// asserted: only that they are measured, serial time over parallel time).
fn one_pid_and_a_measured_gil_line(out: &str) {
    line(out, "[note] same pid in every thread: true;");
    let rust = line(out, "[parent] Rust  : serial ");
    // 2 or more tasks of about 20 ms each, one after another: tens of ms.
    let serial = number_between(rust, " tasks ", " ms");
    assert!(
        (2.0..1000.0).contains(&serial),
        "serial {serial} ms: {rust}"
    );
    let speedup = number_between(rust, "threads: speed-up ", "×");
    assert!(speedup > 0.0, "{rust}");
    // The same in Python, and CPython's switch interval (5 ms by default,
    // Python/ceval_gil.c).
    if !python3_installed() {
        demo_kit::testing::skip("python3 is not installed: no Python GIL line, no Lock/RLock");
        return;
    }
    let python = line(out, "[parent] Python: serial ");
    let serial = number_between(python, " tasks ", " ms");
    assert!(serial > 0.0, "{python}");
    line(out, "sys.getswitchinterval() = 0.005 s");
}

/// Asked of the system, not of the demo's output (which says so when it
/// found none): a demo that skipped Python with python3 installed fails.
pub fn python3_installed() -> bool {
    Command::new("python3")
        .arg("-V")
        .output()
        .is_ok_and(|o| o.status.success())
}

/// Lesson 16's steps 5 to 7, as the lesson prints them.
fn the_deadlock_the_guard_and_the_semaphore(out: &str) {
    // Step 5: both threads say what they want before the watchdog starts.
    let at = |marker: &str| {
        out.find(marker)
            .unwrap_or_else(|| panic!("no {marker:?} in:\n{out}"))
    };
    let watchdog = at("[parent] watchdog: reading /proc/");
    assert!(
        at(") wants B") < watchdog && at(") wants A") < watchdog,
        "{out}"
    );
    // Each deadlocked thread, in the kernel's words (proc(5)).
    for name in ["locks-A-B", "locks-B-A"] {
        let l = out
            .lines()
            .find(|l| l.starts_with("[kernel] tid") && l.contains(name))
            .unwrap_or_else(|| panic!("no state line of {name} in:\n{out}"));
        assert!(
            l.contains("state S (sleeping, interruptible)")
                || l.contains("state D (sleeping, uninterruptible)"),
            "{l}"
        );
    }
    // Step 6: the guard passed down; 100 + 100 / 10.
    let balance = line(out, "add_interest(&mut guard) → balance ");
    assert!(balance.ends_with("→ balance 110"), "{balance}");
    if python3_installed() {
        line(
            out,
            "timeout=0.2, returned False (without a timeout it would wait forever)",
        );
        line(out, "RLock().acquire() twice → the second returned True");
    }
    // Step 7: the peak, and the broken semaphore caught.
    line(out, "[parent] peak number inside at once: 3 (limit 3)");
    line(out, "(Semaphore::new(4) in its place): peak 4 — caught");
    line(out, "[child] event.wait() returned true after ");
    line(out, "timer.cancel(): f ran = false");
}
