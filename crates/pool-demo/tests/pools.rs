//! The pools' claims, checked with real threads and real worker processes.
#![cfg(unix)]

// The demo told in Chinese: in this binary, so it runs alongside the claims.
#[path = "pools/lang.rs"]
mod lang;

use pool_demo::process_pool::ProcessPool;
use pool_demo::thread_pool::ThreadPool;
use pool_demo::{compare, JobError};
use serde_json::json;
use std::path::Path;
use std::time::Duration;

const EXE: &str = env!("CARGO_BIN_EXE_pool-demo");
const T: Option<Duration> = Some(Duration::from_secs(20));

#[test]
fn the_thread_pool_returns_correct_results_in_order() {
    let pool = ThreadPool::new(3, "t").unwrap();
    let got: Vec<u64> = pool
        .map(|x: u64| x * x, 0..100)
        .into_iter()
        .map(Result::unwrap)
        .collect();
    assert_eq!(got, (0..100u64).map(|x| x * x).collect::<Vec<_>>());
    assert_eq!(pool.submit(|| "hi").result(T), Ok("hi"));
    pool.shutdown(true);
}

#[test]
fn result_with_a_timeout_can_be_retried() {
    let pool = ThreadPool::new(1, "t").unwrap();
    let (go, gate) = crossbeam_channel::bounded::<()>(1);
    let h = pool.submit(move || gate.recv_timeout(Duration::from_secs(20)).is_ok());
    assert_eq!(
        h.result(Some(Duration::from_millis(20))),
        Err(JobError::Timeout(Duration::from_millis(20)))
    );
    assert!(!h.done());
    go.send(()).unwrap();
    // done() turns true once the outcome waits to be taken.
    assert_eq!(
        demo_kit::wait::until(Duration::from_secs(20), || h.done().then_some(())),
        Some(()),
        "done() never became true"
    );
    assert_eq!(h.result(T), Ok(true));
}

#[test]
fn a_job_error_says_what_happened() {
    let say = |e: JobError| e.to_string();
    assert_eq!(
        say(JobError::Panicked("boom".into())),
        "the job panicked: boom"
    );
    assert_eq!(
        say(JobError::WorkerDied("killed".into())),
        "the worker died: killed"
    );
    assert_eq!(
        say(JobError::Failed("unknown op".into())),
        "the worker reported: unknown op"
    );
    assert_eq!(
        say(JobError::Timeout(Duration::from_millis(20))),
        "no result within 20ms"
    );
    assert_eq!(
        say(JobError::Lost),
        "the pool ended before the job produced a result"
    );
}

/// `cores()` counts the CPUs this thread may run on (the affinity mask is
/// per thread, sched_setaffinity(2)): pinned to one CPU it says 1, to two
/// (where the process may use two) 2, unless a cgroup quota allows fewer.
#[test]
fn cores_follows_the_affinity_mask() {
    use nix::sched::{sched_getaffinity, sched_setaffinity, CpuSet};
    let me = nix::unistd::Pid::from_raw(0);
    let allowed = sched_getaffinity(me).unwrap();
    let cpus: Vec<usize> = (0..CpuSet::count())
        .filter(|&c| allowed.is_set(c).unwrap_or(false))
        .collect();
    // What the whole mask allows, a cgroup quota included.
    let quota = std::thread::available_parallelism().unwrap().get();
    std::thread::spawn(move || {
        for n in 1..=cpus.len().min(2) {
            let mut set = CpuSet::new();
            for &c in &cpus[..n] {
                set.set(c).unwrap();
            }
            sched_setaffinity(me, &set).unwrap();
            assert_eq!(pool_demo::cores(), n.min(quota), "pinned to {n} CPU(s)");
        }
    })
    .join()
    .unwrap();
}

#[test]
fn sizing_times_each_pool_size_in_order() {
    let times = compare::sizing(&[1, 3], 3, || ()).unwrap();
    let sizes: Vec<usize> = times.iter().map(|&(size, _)| size).collect();
    assert_eq!(sizes, [1, 3]);
    assert!(times.iter().all(|&(_, t)| t > Duration::ZERO), "{times:?}");
}

#[test]
fn a_panicking_job_is_reported_and_the_pool_survives() {
    let pool = ThreadPool::new(1, "t").unwrap();
    let bad = pool.submit(|| -> u32 { panic!("boom {}", 7) });
    assert_eq!(bad.result(T), Err(JobError::Panicked("boom 7".into())));
    // The only worker thread caught it and runs the next job.
    assert_eq!(pool.submit(|| 5).result(T), Ok(5));
    pool.shutdown(true);
}

#[test]
fn a_callback_runs_on_the_worker_thread_before_the_result_is_seen() {
    let pool = ThreadPool::new(1, "cb").unwrap();
    let (tx, rx) = crossbeam_channel::unbounded();
    let h = pool.submit_with_callback(
        || 9,
        move |r| {
            tx.send((r.clone(), std::thread::current().name().map(String::from)))
                .unwrap();
        },
    );
    assert_eq!(h.result(T), Ok(9));
    assert_eq!(rx.try_recv().unwrap(), (Ok(9), Some("cb-0".to_string())));
}

#[test]
fn shutdown_without_wait_still_runs_queued_jobs() {
    let pool = ThreadPool::new(1, "t").unwrap();
    let handles: Vec<_> = (0..5).map(|i| pool.submit(move || i)).collect();
    pool.shutdown(false);
    let got: Vec<_> = handles.iter().map(|h| h.result(T).unwrap()).collect();
    assert_eq!(got, [0, 1, 2, 3, 4]);
}

#[test]
fn shutdown_without_wait_returns_while_a_job_still_runs() {
    let pool = ThreadPool::new(1, "t").unwrap();
    let (go, gate) = crossbeam_channel::bounded::<()>(1);
    let h = pool.submit(move || gate.recv_timeout(Duration::from_secs(20)).is_ok());
    pool.shutdown(false);
    // Had shutdown waited, the job would have given up on its gate by now.
    assert!(!h.done(), "shutdown(false) waited for the job");
    go.send(()).unwrap();
    assert_eq!(h.result(T), Ok(true));
}

#[test]
fn a_dropped_thread_pool_finishes_its_queued_jobs_first() {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;
    let done = Arc::new(AtomicUsize::new(0));
    let pool = ThreadPool::new(2, "t").unwrap();
    for _ in 0..6 {
        let done = done.clone();
        pool.submit(move || {
            std::thread::sleep(Duration::from_millis(5));
            done.fetch_add(1, Ordering::SeqCst);
        });
    }
    drop(pool); // Python: leaving the `with ThreadPoolExecutor()` block
    assert_eq!(done.load(Ordering::SeqCst), 6);
}

#[test]
fn a_dropped_process_pool_has_reaped_its_workers() {
    let pool = ProcessPool::new(Path::new(EXE), 2).unwrap();
    let pids = pool.pids();
    drop(pool);
    for pid in pids {
        assert!(
            demo_kit::procfs::is_gone(pid),
            "worker {pid} outlived the pool"
        );
    }
}

#[test]
fn a_pool_has_the_threads_asked_for_and_at_least_one() {
    assert_eq!(ThreadPool::new(3, "t").unwrap().size(), 3);
    assert_eq!(ThreadPool::new(0, "t").unwrap().size(), 1);
}

#[test]
fn a_panic_message_is_the_payload_text() {
    use pool_demo::thread_pool::panic_message;
    // The one text checked that the demo translates is the English one.
    demo_kit::lang::set(demo_kit::lang::Lang::En);
    assert_eq!(panic_message(&"a str"), "a str");
    assert_eq!(panic_message(&String::from("a String")), "a String");
    assert_eq!(panic_message(&7u8), "(a panic without a message)");
}

#[test]
fn the_process_pool_returns_correct_results() {
    let pool = ProcessPool::new(Path::new(EXE), 2).unwrap();
    let handles: Vec<_> = (0..50u64)
        .map(|n| pool.submit(json!({"op": "square", "n": n})))
        .collect();
    for (n, h) in handles.iter().enumerate() {
        assert_eq!(h.result(T), Ok(json!(n * n)));
    }
    assert_eq!(
        pool.submit(json!({"op": "primes", "n": 100})).result(T),
        Ok(json!(25))
    );
    // The worker's own error, word for word.
    assert_eq!(
        pool.submit(json!({"op": "fly"})).result(T),
        Err(JobError::Failed("unknown op \"fly\"".into()))
    );
    let pids = pool.pids();
    pool.shutdown();
    for pid in pids {
        assert!(
            demo_kit::procfs::is_gone(pid),
            "worker {pid} exited and was reaped"
        );
    }
}

#[test]
fn a_killed_worker_is_replaced_and_its_job_reported_failed() {
    let pool = ProcessPool::new(Path::new(EXE), 1).unwrap();
    let first = pool.pids()[0];
    assert_eq!(pool.replaced(), 0, "nothing replaced yet");
    let long = json!({"op": "sleep", "n": 30_000});
    let doomed = pool.submit(long.clone());
    let pid = demo_kit::wait::until(Duration::from_secs(20), || pool.running(&long))
        .expect("the job started");
    assert_eq!(pid, first);
    // Never 0 or -1: kill(2) would signal a process group, or every process.
    assert!(pid > 0, "{pid}");
    nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(pid),
        nix::sys::signal::Signal::SIGKILL,
    )
    .unwrap();
    match doomed.result(T) {
        Err(JobError::WorkerDied(m)) => {
            assert!(m.contains("SIGKILL") || m.contains("signal: 9"), "{m}")
        }
        other => panic!("expected WorkerDied, got {other:?}"),
    }
    assert_eq!(pool.replaced(), 1);
    let now = pool.pids()[0];
    assert_ne!(now, first, "a new worker took the slot");
    assert!(
        demo_kit::procfs::is_gone(first),
        "the killed worker was reaped"
    );
    assert_eq!(pool.submit(json!({"op": "pid"})).result(T), Ok(json!(now)));
    pool.shutdown();
    assert!(demo_kit::procfs::is_gone(now));
}

#[test]
fn pool_and_per_task_give_the_same_answers() {
    // pool_vs_per_task fails unless each way's sum of results is the same.
    let r = compare::pool_vs_per_task(Path::new(EXE), 200).unwrap();
    assert!(r.thread_pool > Duration::ZERO && r.process_each > Duration::ZERO);
}

#[test]
fn sync_waits_for_each_job_async_for_all() {
    // With 4 threads, 4 sleeping jobs submitted together overlap; one at a
    // time they cannot. Sleeping needs no CPU, so they overlap on one core
    // too: about 30 ms against at least 120, so half is a wide margin.
    let (sync, asyn) = compare::sync_vs_async(4, 4, Duration::from_millis(30)).unwrap();
    assert!(sync >= Duration::from_millis(120), "{sync:?}");
    assert!(
        asyn < sync / 2,
        "submitted together, the jobs overlap: async {asyn:?}, sync {sync:?}"
    );
}

#[test]
fn help_and_bad_input() {
    let (code, out, _) = demo_kit::testing::run_demo(EXE, &["--help"]);
    assert_eq!(code, 0);
    assert!(out.contains("--tasks"));
    let (code, _, err) = demo_kit::testing::run_demo(EXE, &["--tasks", "5"]);
    assert_eq!(code, 1);
    assert_eq!(
        err,
        "error: --tasks must be between 10 and 100000; see --help\n"
    );
    let (code, _, err) = demo_kit::testing::run_demo(EXE, &["--frobnicate"]);
    assert_eq!(code, 1, "{err}");
    assert_eq!(
        err,
        "error: unexpected argument \"--frobnicate\"; see --help\n"
    );
}

#[test]
fn the_tour_runs_clean() {
    let (code, out, err) = demo_kit::testing::run_demo(EXE, &["--tasks", "100"]);
    assert_eq!(code, 0, "stdout:\n{out}\nstderr:\n{err}");
    assert!(out.contains("WorkerDied"));
    assert!(out.contains("Panicked"));
    assert!(out.contains("no child left"));
    for line in [
        "ThreadPool::new(4): 4 threads started",
        "submit(|| 6 * 7).result(None) → Ok(42)",
        "map(|x| x * x, 0..8) → [0, 1, 4, 9, 16, 25, 36, 49]",
        "[note] our panic hook: thread \"pool-",
        "[child] callback got Ok(49), running on thread \"pool-",
        "CPU cores this process may use: ",
    ] {
        assert!(out.contains(line), "no {line:?} in:\n{out}");
    }
    // One job panics on purpose, and only one: the hook speaks once.
    assert_eq!(out.matches("our panic hook").count(), 1, "{out}");
    per_task_ratios_follow_the_rows(&out);
    smallest_pools_follow_the_sizing_rows(&out);
}

/// The text after `key` on the line that holds it.
fn after<'a>(out: &'a str, key: &str) -> &'a str {
    let line = out.lines().find(|l| l.contains(key));
    let line = line.unwrap_or_else(|| panic!("no {key:?} in:\n{out}"));
    &line[line.find(key).unwrap() + key.len()..]
}

/// The first number in `text`.
fn number(text: &str) -> f64 {
    let start = text.find(|c: char| c.is_ascii_digit()).unwrap();
    let rest = &text[start..];
    let end = rest
        .find(|c: char| !c.is_ascii_digit() && c != '.')
        .unwrap_or(rest.len());
    rest[..end].parse().unwrap()
}

/// Step 5's note divides a per-task row by its pool's row (each row's last
/// parenthesis: µs per task). The rows print microseconds to 0.01 and the
/// note its ratio to 0.1: the note must lie within what those roundings allow.
fn per_task_ratios_follow_the_rows(out: &str) {
    let per_task = |key: &str| {
        let row = after(out, key);
        number(&row[row.rfind('(').unwrap()..])
    };
    let rows = [
        (
            per_task("a new thread per task ("),
            per_task("thread pool of "),
        ),
        (
            per_task("a new process per task "),
            per_task("process pool of "),
        ),
    ];
    let said = after(out, "a thread per task cost ");
    let said = [
        number(said),
        number(&said[said.find("a process").unwrap()..]),
    ];
    for ((each, pool), note) in rows.into_iter().zip(said) {
        let low = (each - 0.005) / (pool + 0.005) - 0.05;
        let high = (each + 0.005) / (pool - 0.005).max(1e-9) + 0.05;
        assert!(
            (low..=high).contains(&note),
            "rows give {each} / {pool}, the note says {note}:\n{out}"
        );
    }
}

/// Step 6's note names, for each kind of job, the smallest pool within 10 %
/// of the fastest. The rows print whole milliseconds (cut, not rounded),
/// hence the 2 ms of slack.
fn smallest_pools_follow_the_sizing_rows(out: &str) {
    let rows = |key: &str| -> Vec<(usize, f64)> {
        let line = after(out, key);
        line[line.find("pool size: ").unwrap() + "pool size: ".len()..]
            .split(", ")
            .map(|cell| {
                let (n, ms) = cell.trim().split_once(" → ").unwrap();
                (n.parse().unwrap(), number(ms))
            })
            .collect()
    };
    let note = after(out, "smallest pool within 10% of the fastest: ");
    let named = [
        number(note) as usize,
        number(&note[note.find("sleeping").unwrap()..]) as usize,
    ];
    for (rows, named) in [rows("CPU-bound jobs of"), rows("sleeping jobs of")]
        .iter()
        .zip(named)
    {
        let best = rows.iter().map(|r| r.1).fold(f64::MAX, f64::min);
        let at = rows.iter().position(|r| r.0 == named);
        let at = at.unwrap_or_else(|| panic!("{named} is not a pool size shown:\n{out}"));
        assert!(
            rows[at].1 <= best * 1.1 + 2.0,
            "{named} is not within 10 %:\n{out}"
        );
        assert!(
            rows[..at].iter().all(|r| r.1 >= best * 1.1 - 2.0),
            "a smaller pool than {named} is within 10 %:\n{out}"
        );
    }
}
