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
