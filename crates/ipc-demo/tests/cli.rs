//! Runs the demo binary itself: it finishes on its own, exits 0, narrates
//! the real outcome, and rejects bad input without a panic.

use demo_kit::testing::OutputWithin;
use std::process::Command;

fn demo(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_ipc-demo"))
        .args(args)
        .env("NO_COLOR", "1")
        .output_within()
}

#[test]
fn runs_all_steps_and_exits_zero() {
    let out = demo(&["--wait-ms", "200", "--increments", "1000"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{text}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(text.contains("no end-of-file after waiting"), "{text}");
    assert!(
        text.contains("closing my write end now... end-of-file: true"),
        "{text}"
    );
    assert!(text.contains("read() returned 0 = end-of-file"), "{text}");
    assert!(
        text.contains("MAP_SHARED  counter in the parent: 4000 "),
        "{text}"
    );
    assert!(
        text.contains("MAP_PRIVATE counter in the parent: 0 "),
        "{text}"
    );
    assert!(text.contains("received nothing from the child"), "{text}");
    assert!(
        text.contains("saw EOF and exited with code Some(0)"),
        "{text}"
    );
    // Children narrate with one write(2) each: every line is whole.
    assert!(
        text.lines().all(|l| l.is_empty()
            || l.starts_with('[')
            || l.starts_with("===")
            || l.starts_with("──")),
        "{text}"
    );
}

#[test]
fn help_and_bad_input() {
    let out = demo(&["--help"]);
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("USAGE"));
    let out = demo(&["--children", "0"]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.starts_with("error: ") && !err.contains("panicked"),
        "{err}"
    );
    let out = demo(&["--bogus"]);
    assert_eq!(out.status.code(), Some(1));
    // A zero wait made step 1 "prove" a missing EOF in under a microsecond;
    // zero increments made step 4 claim copies nobody wrote; 1e11 never ended.
    for args in [
        &["--wait-ms", "0"][..],
        &["--increments", "0"][..],
        &["--increments", "100000000000"][..],
    ] {
        let out = demo(args);
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.starts_with("error: "), "{args:?}: {err}");
    }
}
