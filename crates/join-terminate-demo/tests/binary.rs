//! Runs the demo binary itself: help, bad input, full run, and — with this
//! test process as a subreaper — proof that the demo leaves no process behind.
#![cfg(target_os = "linux")]

use demo_kit::testing::OutputWithin;
use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_join-terminate-demo");

#[test]
fn help_exits_0() {
    let out = Command::new(BIN).arg("--help").output_within();
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("--no-subreaper"));
}

#[test]
fn bad_input_is_a_message_not_a_panic() {
    let out = Command::new(BIN)
        .args(["--exit-code", "300"])
        .output_within();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.starts_with("error: bad value \"300\" for --exit-code"),
        "{err}"
    );
    assert!(!err.contains("panicked"));
}

#[test]
fn full_run_narrates_real_results_and_leaves_nothing_behind() {
    // Orphans of the demo (if it leaked any) would come to us.
    nix::sys::prctl::set_child_subreaper(true).unwrap();
    let out = Command::new(BIN)
        .args(["--exit-code", "9"])
        .env("NO_COLOR", "1")
        .output_within();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{text}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for needle in [
        "state Z",
        "= Exited(9); Python's p.exitcode = 9",
        "Signaled(SIGTERM); Python's p.exitcode = -15",
        "Signaled(SIGKILL); Python's p.exitcode = -9",
        "/comm = \"子进程1\"",
        "re-parented to this demo (the subreaper)",
        "every child was reaped",
    ] {
        assert!(text.contains(needle), "missing {needle:?} in:\n{text}");
    }
    assert!(!text.contains("\x1b["), "NO_COLOR must disable colours");
    // No process of the demo's survives it: none was handed to us.
    let me = nix::unistd::getpid().as_raw();
    let left = join_terminate_demo::orphan::children_of(me);
    assert!(left.is_empty(), "left behind: {left:?}");
}
