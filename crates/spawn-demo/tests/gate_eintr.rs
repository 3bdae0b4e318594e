//! A signal does not open the start gate. A handler installed without
//! `SA_RESTART` makes a `read()` blocked on a pipe return `EINTR`
//! (signal(7), "Interruption of system calls and library functions by
//! signal handlers"); the child must go back to waiting, not start its task.
//! Its own test binary: the handler is for the whole process.

use demo_kit::procfs;
use nix::sys::signal::{kill, sigaction, SaFlags, SigAction, SigHandler, SigSet, Signal};
use nix::unistd::Pid;
use spawn_demo::process::{now_ns, start_together};
use std::time::Duration;

extern "C" fn nothing(_: nix::libc::c_int) {}

/// True while SIGUSR1 is pending for `pid` (SigPnd, ShdPnd in
/// /proc/<pid>/status, proc(5)): sent, not yet taken by the process.
fn usr1_pending(pid: i32) -> bool {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let bit = 1u64 << (Signal::SIGUSR1 as u64 - 1);
    status
        .lines()
        .filter_map(|l| {
            l.strip_prefix("SigPnd:")
                .or_else(|| l.strip_prefix("ShdPnd:"))
        })
        .any(|mask| u64::from_str_radix(mask.trim(), 16).unwrap_or(0) & bit != 0)
}

/// The state of `pid` once `ready` holds for it and it is sleeping (S) or
/// finished (Z); fails the test after 30 s.
fn settled(pid: Pid, ready: impl Fn(i32) -> bool) -> char {
    let pid = pid.as_raw();
    demo_kit::wait::until(Duration::from_secs(30), || {
        let state = procfs::stat(pid)?.state;
        (ready(pid) && matches!(state, 'S' | 'Z')).then_some(state)
    })
    .unwrap_or_else(|| panic!("child {pid} did not settle within 30 s"))
}

#[test]
fn a_signal_at_the_gate_does_not_start_the_task() {
    let action = SigAction::new(
        SigHandler::Handler(nothing),
        SaFlags::empty(), // no SA_RESTART: the blocked read() returns EINTR
        SigSet::empty(),
    );
    // SAFETY: the handler does nothing at all.
    unsafe { sigaction(Signal::SIGUSR1, &action) }.unwrap();

    let (gate, children) = start_together(|| 0).unwrap();
    for child in &children {
        assert_eq!(settled(child.pid, |_| true), 'S', "waiting at the gate");
        kill(child.pid, Signal::SIGUSR1).unwrap();
        // Once the signal is taken, the child is back in read() (S); a
        // child that took EINTR for the gate's opening runs its task and
        // exits (Z).
        let state = settled(child.pid, |pid| !usr1_pending(pid));
        assert_eq!(state, 'S', "after EINTR the child waits at the gate again");
    }
    // The gate's end of file (with errno still EINTR from before) releases
    // both: each runs its task and exits, before any join.
    let opened = now_ns();
    gate.open();
    for child in &children {
        assert_eq!(
            settled(child.pid, |_| true),
            'Z',
            "released by the end of file"
        );
    }
    for child in children {
        let done = child.join().unwrap();
        assert_eq!(done.exit_code(), 0);
        assert!(done.timeline.unwrap().released_ns >= opened);
    }
}
