//! The demo binary: finishes on its own, narrates, rejects bad input.

// The demo told in Chinese: in this binary, so it runs alongside the claims.
#[path = "cli/lang.rs"]
mod lang;

use demo_kit::testing::run_demo;

const BIN: &str = env!("CARGO_BIN_EXE_io-models-demo");

#[test]
fn runs_every_step_and_exits_zero() {
    let (code, out, err) = run_demo(BIN, &["--wait-ms", "100", "--idle", "10,1100"]);
    assert_eq!(code, 0, "{out}\n{err}");
    for needle in [
        "state S (sleeping)",
        "recv failed at once with EAGAIN",
        "select: 1 thread served 3 clients",
        "epoll: 1 thread served 3 clients",
        "select refused: select() cannot watch fd",
        "fd>=1024",
        "STALL: nothing reported",
        "read until EAGAIN: 1000 of 1000 bytes",
    ] {
        assert!(out.contains(needle), "missing {needle:?} in:\n{out}");
    }
}

/// `thread_cpu` is the calling thread's CPU time: a new thread has used no
/// more than its age, and a thread that spins until it has used 20 ms has
/// used no more than the wall time it spun (plus a tick of slack).
#[test]
fn thread_cpu_counts_the_calling_threads_cpu_time() {
    use std::time::{Duration, Instant};
    let slack = Duration::from_millis(20);
    let spawned = Instant::now();
    std::thread::spawn(move || {
        let before = io_models_demo::thread_cpu().unwrap();
        assert!(
            before <= spawned.elapsed() + slack,
            "a new thread used {before:?}"
        );
        // Bounded: on a machine too busy to give it 20 ms in 10 s, it fails.
        let start = Instant::now();
        let mut used = Duration::ZERO;
        while used < Duration::from_millis(20) && start.elapsed() < Duration::from_secs(10) {
            used = io_models_demo::thread_cpu().unwrap().saturating_sub(before);
        }
        let wall = start.elapsed();
        assert!(
            used >= Duration::from_millis(20),
            "spun {wall:?}, used {used:?}"
        );
        assert!(used <= wall + slack, "spun {wall:?}, used {used:?}");
    })
    .join()
    .unwrap();
}

#[test]
fn help_and_bad_input() {
    let (code, out, _) = run_demo(BIN, &["--help"]);
    assert_eq!(code, 0);
    assert!(out.contains("USAGE"));
    for (bad, says) in [
        (
            &["--clients", "0"][..],
            "--clients must be between 1 and 100",
        ),
        (
            &["--idle", "10,x"],
            "--idle: bad count \"x\": each must be 1..=15000",
        ),
        (
            &["--wait-ms", "1"],
            "--wait-ms must be between 10 and 10000",
        ),
        (&["--bogus"], "unexpected argument \"--bogus\""),
    ] {
        let (code, _, err) = run_demo(BIN, bad);
        assert_eq!(code, 1, "{bad:?}");
        assert_eq!(err, format!("error: {says}; see --help\n"), "{bad:?}");
    }
}
