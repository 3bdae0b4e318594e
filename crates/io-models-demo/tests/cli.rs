//! The demo binary: finishes on its own, narrates, rejects bad input.

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
    for bad in [
        &["--clients", "0"][..],
        &["--idle", "10,x"],
        &["--wait-ms", "1"],
        &["--bogus"],
    ] {
        let (code, _, err) = run_demo(BIN, bad);
        assert_eq!(code, 1, "{bad:?}");
        assert!(
            err.starts_with("error: ") && err.contains("--help"),
            "{bad:?}: {err}"
        );
        assert!(!err.contains("panicked"), "{err}");
    }
}
