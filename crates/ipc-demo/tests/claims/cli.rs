//! Runs the demo binary itself, as a student would: one claim per test.

use demo_kit::testing::run_demo;

const BIN: &str = env!("CARGO_BIN_EXE_ipc-demo");

/// A fast full run: short waits and few increments.
fn quick_run() -> String {
    let (code, out, err) = run_demo(BIN, &["--wait-ms", "200", "--increments", "1000"]);
    assert_eq!(code, 0, "{out}\n{err}");
    out
}

#[test]
fn a_pipe_whose_reader_keeps_a_write_end_never_reports_eof() {
    let out = quick_run();
    assert!(out.contains("no end-of-file after waiting"), "{out}");
    assert!(
        out.contains("closing my write end now... end-of-file: true"),
        "{out}"
    );
}

#[test]
fn a_pipe_whose_reader_closed_its_write_end_reports_eof() {
    let out = quick_run();
    assert!(out.contains("read() returned 0 = end-of-file"), "{out}");
}

#[test]
fn shared_counter_sums_all_children_and_private_counter_stays_zero() {
    let out = quick_run();
    // Each number with what the demo makes of it: the expected total is
    // children x increments, the private and heap counters stay 0.
    for line in [
        "MAP_SHARED  counter in the parent: 4000 (= 4 x 1000: one physical page for all)",
        "MAP_PRIVATE counter in the parent: 0 (each child wrote to its own copy-on-write copy)",
        "heap variable in the parent:       0 (ordinary memory is private too: the course's x = 100)",
        "4 of 4 children saw exactly their own 1000 increments in their private copy",
    ] {
        assert!(out.contains(line), "no {line:?} in:\n{out}");
    }
}

#[test]
fn the_worker_exits_cleanly_on_eof_and_the_channel_carries_nothing_across_fork() {
    let out = quick_run();
    assert!(
        out.contains("saw EOF and exited with code Some(0)"),
        "{out}"
    );
    // The worker counts what it answered: the demo's four requests.
    assert!(
        out.contains(": end-of-file on the socket after 4 requests, exiting"),
        "{out}"
    );
    // The channel's child exits 0, and the parent says what 0 means.
    assert!(
        out.contains(
            "exited with code Some(0): its send() was Ok and its own receiver got the value back"
        ),
        "{out}"
    );
    assert!(out.contains("received nothing from the child"), "{out}");
}

#[test]
fn children_narrate_whole_lines() {
    // Children write each line with one write(2): no line is torn.
    let out = quick_run();
    assert!(
        out.lines().all(|l| l.is_empty()
            || l.starts_with('[')
            || l.starts_with("===")
            || l.starts_with("──")),
        "{out}"
    );
}

#[test]
fn help_prints_usage() {
    let (code, out, _) = run_demo(BIN, &["--help"]);
    assert_eq!(code, 0);
    assert!(out.contains("USAGE"), "{out}");
}

/// Refused with status 1 and a one-line `error:` message, never a panic.
fn refused(args: &[&str]) -> String {
    let (code, _, err) = run_demo(BIN, args);
    assert_eq!(code, 1, "{args:?}: {err}");
    assert!(
        err.starts_with("error: ") && !err.contains("panicked"),
        "{args:?}: {err}"
    );
    err
}

#[test]
fn zero_children_is_refused() {
    assert!(refused(&["--children", "0"]).contains("--children must be between 1 and 64"));
}

#[test]
fn an_unknown_option_is_refused() {
    assert_eq!(
        refused(&["--bogus"]),
        "error: unexpected argument \"--bogus\"; see --help\n"
    );
}

#[test]
fn a_zero_wait_is_refused() {
    // It would "prove" a missing EOF in under a microsecond.
    assert!(refused(&["--wait-ms", "0"]).contains("--wait-ms must be between 10 and 60000"));
}

#[test]
fn zero_or_huge_increment_counts_are_refused() {
    // Zero would claim copies nobody wrote; 1e11 would never end.
    for n in ["0", "100000000000"] {
        assert_eq!(
            refused(&["--increments", n]),
            "error: --increments must be between 1 and 10000000; see --help\n"
        );
    }
}
