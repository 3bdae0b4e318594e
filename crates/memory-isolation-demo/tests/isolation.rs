//! The demo's claims on real processes: a child's write stays in the child,
//! a thread's write is shared, the child sees the fork-time value at the
//! same address, the page is shared after fork and copied on write, every
//! child is reaped.
#![cfg(unix)]

use demo_kit::procfs;
use memory_isolation_demo::pagemap::{decode, encode, PageInfo};
use memory_isolation_demo::{cow, isolation, X};
use nix::sys::wait::WaitStatus;
use std::path::Path;
use std::sync::Mutex;

/// The tests share the one global `X` and run in parallel threads: take
/// turns, or the thread test's write would show up in the process test.
static TURN: Mutex<()> = Mutex::new(());

fn reaped(pid: nix::unistd::Pid) -> bool {
    procfs::is_gone(pid.as_raw()) || !Path::new("/proc/self").exists()
}

#[test]
fn a_child_write_does_not_reach_the_parent() {
    let _turn = TURN.lock().unwrap_or_else(|e| e.into_inner());
    let r = isolation::change_in_child(&X).unwrap();
    assert_eq!(r.status, WaitStatus::Exited(r.child, 0));
    assert_eq!((r.before_fork, r.child_saw, r.child_after), (100, 100, 0));
    assert_eq!(r.parent_after_join, 100);
    assert_eq!(r.parent_addr, r.child_addr);
    assert!(reaped(r.child));
}

#[test]
fn a_thread_write_does() {
    let _turn = TURN.lock().unwrap_or_else(|e| e.into_inner());
    let r = isolation::change_in_thread(&X).unwrap();
    assert_eq!((r.before, r.thread_saw, r.thread_after), (100, 100, 0));
    assert_eq!(r.parent_after_join, 0);
    assert_eq!(r.parent_addr, r.thread_addr);
}

#[test]
fn the_child_sees_a_snapshot_at_the_same_address() {
    let _turn = TURN.lock().unwrap_or_else(|e| e.into_inner());
    let r = cow::copy_on_write(&X, 7).unwrap();
    assert_eq!(r.status, WaitStatus::Exited(r.child, 0));
    assert_eq!(r.at_fork, 100);
    assert_eq!(
        r.child_saw, 100,
        "the child must see the fork-time value, not the parent's later write"
    );
    assert_eq!(
        r.parent_after_join, 7,
        "the child's x = 0 must not reach the parent"
    );
    assert_eq!(r.parent_addr, r.child_addr);
    assert!(reaped(r.child));
}

#[cfg(target_os = "linux")]
#[test]
fn the_page_is_shared_after_fork_and_copied_on_write() {
    let _turn = TURN.lock().unwrap_or_else(|e| e.into_inner());
    if std::env::var_os("CI").is_none()
        && memory_isolation_demo::pagemap::page_info(X.addr()).is_none()
    {
        eprintln!("skipped: /proc/self/pagemap is not readable here");
        return;
    }
    let r = cow::copy_on_write(&X, 1).unwrap();
    let child_after_fork = r.child_page_after_fork.expect("child read its pagemap");
    let parent_after = r.parent_page_after_write.expect("parent read its pagemap");
    // Right after fork, before anyone wrote, the page is mapped by both.
    assert!(child_after_fork.present);
    assert!(
        !child_after_fork.exclusive,
        "after fork the page must be shared: {child_after_fork:?}"
    );
    // The parent's write gave it a page of its own.
    assert!(parent_after.exclusive, "{parent_after:?}");
    match (
        r.parent_page_before.and_then(|p| p.frame),
        child_after_fork.frame,
        parent_after.frame,
    ) {
        (Some(before), Some(child), Some(after)) => {
            assert_eq!(before, child, "fork must not copy the page");
            assert_ne!(before, after, "the parent's write must copy the page");
        }
        _ => eprintln!(
            "physical frame numbers hidden (not root): checked the shared/exclusive bit only"
        ),
    }
}

#[test]
fn page_info_survives_the_pipe() {
    for info in [
        None,
        Some(PageInfo {
            present: true,
            exclusive: false,
            frame: Some(0x153be0),
        }),
        Some(PageInfo {
            present: true,
            exclusive: true,
            frame: None,
        }),
    ] {
        assert_eq!(decode(encode(info)), info);
    }
}

fn run_demo(args: &[&str]) -> (i32, String, String) {
    demo_kit::testing::run_demo(env!("CARGO_BIN_EXE_memory-isolation-demo"), args)
}

#[test]
fn the_demo_tells_the_course_story_and_leaves_no_child() {
    let (code, out, err) = run_demo(&[]);
    assert_eq!(code, 0, "stdout:\n{out}\nstderr:\n{err}");
    let after_child = out.find("[parent] print(x) -> 100").expect(&out);
    let after_thread = out.find("[parent] print(x) -> 0").expect(&out);
    assert!(after_child < after_thread, "{out}");
    assert!(out.contains("saw x = 100 at address"), "{out}");
    assert!(
        out.contains("no child left: waitpid(-1, WNOHANG) says ECHILD"),
        "{out}"
    );
    assert!(!out.contains('\x1b'), "NO_COLOR must disable colours");
}

#[test]
fn help_and_bad_input() {
    let (code, out, _) = run_demo(&["--help"]);
    assert_eq!(code, 0);
    assert!(out.contains("USAGE"));
    let (code, _, err) = run_demo(&["--bogus"]);
    assert_eq!(code, 1);
    assert!(
        err.starts_with("error: ") && !err.contains("panicked"),
        "{err}"
    );
}
