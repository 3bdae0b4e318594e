//! The demo's claims, checked on the real kernel.
#![cfg(target_os = "linux")]

// The demo told in Chinese: in this binary, so it runs alongside the claims.
#[path = "threads/lang.rs"]
mod lang;
// Lesson 16's semaphore peak, and its measurement checked in turn.
#[path = "threads/semaphore.rs"]
mod semaphore;
// The tour as a learner runs it, within a limit of its own.
#[path = "threads/tour.rs"]
mod tour;
// Lesson 16's Event and queues: each wait timed.
#[path = "threads/waits.rs"]
mod waits;
// Lesson 15's measurements against the kernel's clocks.
#[path = "threads/measure.rs"]
mod measure;
// Lesson 16's watchdog: what it reads from /proc, checked.
#[path = "threads/proc_view.rs"]
mod proc_view;

use std::time::Duration;
use thread_demo::*;

const EXE: &str = env!("CARGO_BIN_EXE_thread-demo");

#[test]
fn threads_share_the_pid_but_each_has_its_own_tid() {
    let r = start::two_ways().unwrap();
    assert!(r.threads.iter().all(|t| t.pid == r.main.pid), "{r:?}");
    // (In the demo the calling thread is the process's first, so its tid
    // is the pid; a test runs on a thread of the harness, so it is not:
    // the_tour_runs_clean checks that in the demo's output.)
    let mut tids: Vec<i32> = r.threads.iter().map(|t| t.tid).collect();
    tids.push(r.main.tid);
    tids.sort_unstable();
    tids.dedup();
    assert_eq!(tids.len(), 3, "three distinct tids: {r:?}");
    for t in &r.threads {
        assert_ne!(t.tid, t.pid);
        assert!(
            r.tasks.contains(&t.tid),
            "{} not in /proc/self/task {:?}",
            t.tid,
            r.tasks
        );
    }
    assert_eq!(r.threads[1].name, "子线程1");
    assert!(!r.finished_before && r.finished_after);
}

#[test]
fn a_threads_write_is_seen_by_main() {
    let r = share::x_becomes_zero().unwrap();
    assert_eq!(
        r,
        share::Report {
            mutex: 0,
            atomic: 0,
            scoped: 0,
            moved_copy: 100
        }
    );
}

#[test]
fn the_deadlock_is_detected_and_its_process_killed() {
    let r = deadlock::detect(std::path::Path::new(EXE)).unwrap();
    let named: Vec<_> = r
        .threads
        .iter()
        .filter(|t| t.comm.starts_with("locks-"))
        .collect();
    assert_eq!(
        named.len(),
        2,
        "both deadlocked threads seen: {:?}",
        r.threads
    );
    for t in &named {
        assert!(
            matches!(t.state, 'S' | 'D'),
            "a deadlocked thread sleeps: {t:?}"
        );
    }
    assert!(r.stalled_for >= deadlock::QUIET);
    // Quiet and asleep is not yet deadlocked (a thread in sleep() is too):
    // each waits in the kernel for a lock, a futex (futex_do_wait,
    // futex_wait_queue... by kernel version).
    if named.iter().any(|t| t.wchan.is_none()) {
        demo_kit::testing::skip("/proc/<pid>/task/<tid>/wchan is not readable here");
        return;
    }
    for t in &named {
        let wchan = t.wchan.as_deref().unwrap_or_default();
        assert!(wchan.contains("futex"), "waits for a lock: {t:?}");
    }
    assert!(
        r.gone_after_kill,
        "the helper {} was killed and reaped",
        r.pid
    );
}

#[test]
fn a_detached_thread_dies_with_its_process() {
    demo_kit::lang::set(demo_kit::lang::Lang::En); // the helper's lines checked are English
    let r = daemon_thread::show(std::path::Path::new(EXE)).unwrap();
    assert!(r.output.contains("detached thread started"), "{}", r.output);
    assert!(r.output.contains("main() returns now"), "{}", r.output);
    assert!(!r.last_line_printed, "{}", r.output);
    assert!(r.lifetime < daemon_thread::DAEMON_SLEEP, "{:?}", r.lifetime);
}

#[test]
fn locking_twice_in_one_thread_would_block() {
    let r = recursive::show().unwrap();
    assert!(r.second_try_would_block);
    let Some((lock, rlock)) = r.python else {
        demo_kit::testing::skip("python3 is not installed: no Lock/RLock comparison");
        return;
    };
    assert!(!lock, "Python's Lock refuses its owner");
    assert!(rlock, "Python's RLock lets its owner in again");
}

#[test]
fn an_event_wakes_its_waiter() {
    let e = std::sync::Arc::new(sync::Event::new());
    assert!(!e.wait(Duration::from_millis(20)), "not set yet: times out");
    let e2 = e.clone();
    let waiter = std::thread::spawn(move || e2.wait(Duration::from_secs(10)));
    e.set();
    assert!(waiter.join().unwrap());
    assert!(e.is_set());
    e.clear();
    assert!(!e.is_set());
}

#[test]
fn a_timer_fires_once_unless_cancelled() {
    let (tx, rx) = crossbeam_channel::unbounded();
    let t = sync::Timer::start(Duration::from_millis(20), move || tx.send(()).unwrap());
    assert!(t.join());
    assert_eq!(rx.try_iter().count(), 1);
    let (tx, rx) = crossbeam_channel::unbounded::<()>();
    let t = sync::Timer::start(Duration::from_secs(10), move || tx.send(()).unwrap());
    t.cancel();
    assert!(!t.join(), "a cancelled timer does not run its function");
    assert_eq!(rx.try_iter().count(), 0);
}

#[test]
fn queues_give_back_in_their_order() {
    let r = queues::show().unwrap();
    assert_eq!(r.fifo, [1, 2, 3]);
    assert_eq!(r.lifo, [3, 2, 1]);
    assert_eq!(
        r.priority.iter().map(|p| p.0).collect::<Vec<_>>(),
        [10, 20, 30]
    );
    assert!(r.bounded_full);
}

#[test]
fn a_queue_get_waits_for_a_put_from_another_thread() {
    let q = std::sync::Arc::new(queues::LifoQueue::default());
    let q2 = q.clone();
    let getter = std::thread::spawn(move || q2.get(Duration::from_secs(10)));
    q.put(7);
    assert_eq!(getter.join().unwrap(), Some(7));
}

#[test]
fn the_cpu_task_counts_primes_and_every_way_finishes() {
    assert_eq!(gil::count_primes(100), 25);
    let t = gil::rust(2, 2_000).unwrap();
    assert!(
        t.serial > Duration::ZERO && t.threads > Duration::ZERO && t.processes > Duration::ZERO
    );
}

#[test]
fn help_and_bad_input() {
    let (code, out, _) = demo_kit::testing::run_demo(EXE, &["--help"]);
    assert_eq!(code, 0);
    assert!(out.contains("--bench"));
    let (code, _, err) = demo_kit::testing::run_demo(EXE, &["--work-ms", "nope"]);
    assert_eq!(code, 1);
    assert_eq!(
        err,
        "error: bad value \"nope\" for --work-ms: invalid digit found in string; see --help\n"
    );
    let (code, _, err) = demo_kit::testing::run_demo(EXE, &["--runs", "3"]);
    assert_eq!(code, 1, "{err}");
    assert_eq!(
        err,
        "error: --runs must be between 10 and 5000; see --help\n"
    );
    let (code, _, err) = demo_kit::testing::run_demo(EXE, &["--svg", "/nonexistent"]);
    assert_eq!(code, 1, "{err}");
    assert_eq!(
        err,
        "error: --svg draws the --bench table: use it with --bench; see --help\n"
    );
}

/// `--bench --svg DIR` writes the GIL table's data file and both pictures,
/// drawn from it: a row per way that ran, with the figures it printed.
#[test]
fn bench_svg_writes_the_gil_plot() {
    let dir = std::env::temp_dir().join(format!(
        "thread-demo-svg-{}-{}",
        nix::unistd::getuid(),
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    let args = [
        "--bench",
        "--work-ms",
        "10",
        "--runs",
        "10",
        "--svg",
        dir.to_str().unwrap(),
    ];
    let (code, out, err) = demo_kit::testing::run_demo(EXE, &args);
    assert_eq!(code, 0, "stdout:\n{out}\nstderr:\n{err}");
    the_bench_prints_what_it_measured(&out);
    let data = std::fs::read_to_string(dir.join("15-gil.csv")).unwrap();
    let chart = demo_kit::plot::parse(&data).unwrap();
    assert_eq!(&chart.rows[0].name.en, "Rust threads");
    // The Rust line it printed holds the figures the data file has.
    let rust = out.lines().find(|l| l.contains("Rust  : serial")).unwrap();
    let (speedup, busy) = (&chart.rows[0].values[0], &chart.rows[0].values[1]);
    assert!(
        rust.contains(&format!(
            " threads: speed-up {speedup}×, cores busy {busy} |"
        )),
        "{rust} vs {data}"
    );
    assert_eq!(
        std::fs::read_to_string(dir.join("15-gil.svg")).unwrap(),
        demo_kit::plot::svg(&chart, demo_kit::plot::Lang::En)
    );
    assert_eq!(
        std::fs::read_to_string(dir.join("15-gil.zh-CN.svg")).unwrap(),
        demo_kit::plot::svg(&chart, demo_kit::plot::Lang::Zh)
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

/// What `--bench` printed: each cost a real time in µs (at least 1 µs, less
/// than a second: its order is printed, never asserted, see measure.rs),
/// Python's two rows when python3 is installed, and the GIL table's serial
/// time of 2 or more tasks of about 10 ms each.
fn the_bench_prints_what_it_measured(out: &str) {
    let us = |marker: &str| tour::number_between(tour::line(out, marker), marker, "µs");
    let mut rows = vec![
        "Rust thread::spawn + join:",
        "Rust fork + _exit + waitpid:",
        "Rust re-exec + wait:",
    ];
    if tour::python3_installed() {
        rows.extend([
            "Python Thread start + join:",
            "Python Process (fork) + join:",
        ]);
    } else {
        demo_kit::testing::skip("python3 is not installed: no Python rows in the bench");
    }
    for row in rows {
        let took = us(row);
        assert!(took > 1.0 && took < 1e6, "{row} {took} µs:\n{out}");
    }
    let rust = tour::line(out, "[parent] Rust  : serial ");
    let serial = tour::number_between(rust, " tasks ", " ms");
    assert!(
        (2.0..1000.0).contains(&serial),
        "serial {serial} ms: {rust}"
    );
}
