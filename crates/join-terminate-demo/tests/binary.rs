//! Runs the demo binary itself: help, bad input, full run, and — with this
//! test process as a subreaper — proof that the demo leaves no process behind;
//! `binary/lang.rs`: the same run, help and errors in Chinese.

use demo_kit::testing::run_demo;
use std::sync::{RwLock, RwLockReadGuard};

#[path = "binary/lang.rs"]
mod lang;

const BIN: &str = env!("CARGO_BIN_EXE_join-terminate-demo");

/// The full run's last check is that no process has this test process as
/// its parent; but while another test of this binary runs the demo, one
/// does. So each test that starts the demo holds this lock for reading,
/// and the full run holds it for writing: it runs alone.
static DEMOS: RwLock<()> = RwLock::new(());

/// Held while a test's demo runs, alongside the other tests' but never
/// alongside the full run.
fn a_demo_runs() -> RwLockReadGuard<'static, ()> {
    DEMOS.read().unwrap_or_else(|e| e.into_inner())
}

#[test]
fn help_exits_0() {
    let _running = a_demo_runs();
    let (code, out, _) = run_demo(BIN, &["--help"]);
    assert_eq!(code, 0);
    assert!(out.contains("--no-subreaper"), "{out}");
}

#[test]
fn bad_input_is_a_message_not_a_panic() {
    let _running = a_demo_runs();
    let (code, _, err) = run_demo(BIN, &["--exit-code", "300"]);
    assert_eq!(code, 1);
    assert!(
        err.starts_with("error: bad value \"300\" for --exit-code"),
        "{err}"
    );
    assert!(!err.contains("panicked"));
}

#[test]
fn full_run_narrates_real_results_and_leaves_nothing_behind() {
    let _alone = DEMOS.write().unwrap_or_else(|e| e.into_inner());
    // Orphans of the demo (if it leaked any) would come to us.
    nix::sys::prctl::set_child_subreaper(true).unwrap();
    let (code, text, err) = run_demo(BIN, &["--exit-code", "9"]);
    assert_eq!(code, 0, "{text}\n{err}");
    for needle in [
        "state Z — a zombie (comm \"join-terminate-\"",
        "= Exited(9); Python's p.exitcode = 9",
        "Signaled(SIGTERM); Python's p.exitcode = -15",
        "Signaled(SIGKILL); Python's p.exitcode = -9",
        "/comm = \"子进程1\"",
        "re-parented to this demo (the subreaper)",
        "every child was reaped",
        "observed: p.is_alive() = True while the handler runs",
        "it survived; p.is_alive() = True",
    ] {
        assert!(text.contains(needle), "missing {needle:?} in:\n{text}");
    }
    // Of the four children, only the one with SIG_IGN shows it in SigIgn.
    let ignored = "SigIgn has signal 15's bit (0x4000) set: SIGTERM is ignored";
    assert_eq!(text.matches(ignored).count(), 1, "{text}");
    assert!(!text.contains("\x1b["), "NO_COLOR must disable colours");
    // No process of the demo's survives it: none was handed to us.
    let me = nix::unistd::getpid().as_raw();
    let left = join_terminate_demo::leftovers::children_of(me);
    assert!(left.is_empty(), "left behind: {left:?}");
}
