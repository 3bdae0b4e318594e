//! The start gate on real processes: a started child is blocked in `read()`
//! on the gate pipe until the parent opens it, and `release()` alone (no
//! `join()`) lets its task run.

use demo_kit::procfs;
use nix::sys::wait::WaitStatus;
use spawn_demo::process::{now_ns, start};
use std::time::Duration;

/// Waits (at most 30 s) until process `pid` is in one of `states`
/// (/proc/<pid>/stat, proc(5)), and returns that state.
fn wait_for_state(pid: i32, states: &[char]) -> char {
    demo_kit::wait::until(Duration::from_secs(30), || {
        procfs::stat(pid)
            .map(|s| s.state)
            .filter(|c| states.contains(c))
    })
    .unwrap_or_else(|| panic!("process {pid} never reached a state in {states:?} within 30 s"))
}

#[test]
fn the_child_waits_at_the_gate_and_release_alone_lets_it_run() {
    let mut p = start(|| 9).unwrap();
    let pid = p.pid.as_raw();
    // Sleeping (S), not finished (Z): its task waits for the gate. Nothing
    // else in the child before the task can block.
    assert_eq!(
        wait_for_state(pid, &['S', 'Z']),
        'S',
        "the child runs its task only once the gate opens"
    );
    let opened = now_ns();
    p.release().unwrap();
    // Released, the task runs and the child exits: a zombie until joined.
    // join() is not called yet, so release() alone did it.
    assert_eq!(wait_for_state(pid, &['Z']), 'Z');
    let done = p.join().unwrap();
    assert_eq!(done.status, WaitStatus::Exited(done.pid, 9));
    let t = done.timeline.expect("the child reported its timeline");
    assert!(t.released_ns >= opened, "the task began after the release");
    assert!(procfs::is_gone(pid), "join() reaped the zombie");
}

#[test]
fn join_opens_a_gate_that_was_never_opened() {
    let p = start(|| 4).unwrap();
    assert_eq!(wait_for_state(p.pid.as_raw(), &['S', 'Z']), 'S');
    let asked = now_ns();
    let done = p.join().unwrap();
    assert_eq!(done.exit_code(), 4);
    assert!(done.timeline.unwrap().released_ns >= asked);
}
