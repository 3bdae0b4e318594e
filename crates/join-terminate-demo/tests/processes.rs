//! The demo's claims, checked on real processes (Linux). Each test starts
//! its own children, reaps them, and asserts on what the kernel reported.

use demo_kit::child::exit_code;
use join_terminate_demo::process::Child;
use join_terminate_demo::terminate::{terminate, Disposition};
use join_terminate_demo::{alive, join, names, orphan};
use nix::sys::signal::Signal;
use nix::sys::wait::WaitStatus;
use nix::unistd::{getpid, Pid};
use std::time::Duration;

#[test]
fn join_sees_the_zombie_then_reaps_it() {
    demo_kit::say::set_quiet(true);
    let r = join::zombie_then_join(7).unwrap();
    let pid = Pid::from_raw(r.pid);
    assert_eq!(
        r.peeked,
        WaitStatus::Exited(pid, 7),
        "waitid(WNOWAIT) saw the exit"
    );
    assert_eq!(r.state_before_join, Some('Z'), "unreaped child is a zombie");
    // A forked child keeps the name of the thread that forked it: ours
    // (libtest names a test's thread after the test).
    let ours = std::fs::read_to_string("/proc/thread-self/comm").unwrap();
    assert_eq!(r.comm_before_join.as_deref(), Some(ours.trim_end()));
    assert_eq!(r.status, WaitStatus::Exited(pid, 7));
    assert_eq!(r.exitcode, Some(7));
    assert!(r.gone_after_join, "/proc entry must vanish once reaped");
}

#[test]
fn sigterm_with_default_action_reports_signaled_minus_15() {
    demo_kit::say::set_quiet(true);
    let r = terminate(Disposition::Default).unwrap();
    assert_eq!(
        r.status,
        WaitStatus::Signaled(Pid::from_raw(r.pid), Signal::SIGTERM, false)
    );
    assert_eq!(r.exitcode, Some(-15));
    assert!(!r.sent_sigkill);
    assert_eq!(r.ignored_per_proc, Some(false), "not in SigIgn");
    // alive_right_after may be true or false: that is the point of the step.
}

#[test]
fn a_cleanup_handler_keeps_it_alive_then_it_dies_by_sigterm() {
    demo_kit::say::set_quiet(true);
    let r = terminate(Disposition::CleanupThenDie).unwrap();
    assert!(r.handler_ran);
    assert!(
        r.alive_right_after,
        "is_alive() must be True while the handler runs"
    );
    assert_eq!(
        r.status,
        WaitStatus::Signaled(Pid::from_raw(r.pid), Signal::SIGTERM, false)
    );
    assert_eq!(r.exitcode, Some(-15));
}

#[test]
fn a_handler_that_returns_refuses_sigterm_but_not_sigkill() {
    demo_kit::say::set_quiet(true);
    let r = terminate(Disposition::CatchAndCarryOn).unwrap();
    assert!(r.handler_ran && r.survived && r.alive_right_after && r.sent_sigkill);
    assert_eq!(r.ignored_per_proc, Some(false), "caught is not ignored");
    assert_eq!(
        r.status,
        WaitStatus::Signaled(Pid::from_raw(r.pid), Signal::SIGKILL, false)
    );
    assert_eq!(r.exitcode, Some(-9));
}

#[test]
fn an_ignored_sigterm_is_discarded_and_sigkill_still_works() {
    demo_kit::say::set_quiet(true);
    let r = terminate(Disposition::Ignore).unwrap();
    assert_eq!(
        r.ignored_per_proc,
        Some(true),
        "SigIgn has signal 15's bit (0x4000) in /proc/<pid>/status"
    );
    assert!(!r.handler_ran && r.survived && r.alive_right_after && r.sent_sigkill);
    assert_eq!(
        r.status,
        WaitStatus::Signaled(Pid::from_raw(r.pid), Signal::SIGKILL, false)
    );
}

#[test]
fn wnohang_is_the_right_liveness_test_and_kill0_is_not() {
    demo_kit::say::set_quiet(true);
    let r = alive::alive_probes().unwrap();
    assert_eq!(r.running.is_alive, Some(true));
    assert!(r.running.kill0_ok);
    assert!(matches!(r.running.proc_state, Some('S' | 'R')));
    // The zombie: kill(pid, 0) says it exists; is_alive() says it finished.
    assert_eq!(r.zombie.proc_state, Some('Z'));
    assert!(
        r.zombie.kill0_ok,
        "kill(zombie, 0) succeeds — the wrong test"
    );
    assert_eq!(r.zombie.is_alive, Some(false));
    assert_eq!(r.status, Some(WaitStatus::Exited(Pid::from_raw(r.pid), 0)));
    // is_alive() reaped it.
    assert_eq!(r.reaped.proc_state, None);
    assert!(!r.reaped.kill0_ok);
}

#[test]
fn pid_ppid_and_the_name_in_proc_comm() {
    demo_kit::say::set_quiet(true);
    let r = names::name_the_child("子进程1").unwrap();
    assert_eq!(
        r.child_getpid, r.child_pid,
        "getpid() in the child = fork()'s return"
    );
    assert_eq!(
        r.child_getppid,
        getpid().as_raw(),
        "getppid() in the child = our pid"
    );
    assert_eq!(r.comm, "子进程1");
    assert!(!r.truncated, "10 bytes of UTF-8 fit in 15");
    assert_eq!(r.status, WaitStatus::Exited(Pid::from_raw(r.child_pid), 0));
    // `ps` reads the same /proc: the child's pid, our pid, its state, its name.
    match r.ps {
        None if std::process::Command::new("ps")
            .arg("--version")
            .output()
            .is_err() =>
        {
            demo_kit::testing::skip("ps (procps) is not installed")
        }
        None => panic!("ps is installed but gave no line for {}", r.child_pid),
        Some(line) => {
            let fields: Vec<&str> = line.split_whitespace().collect();
            assert_eq!(fields[0], r.child_pid.to_string(), "{line}");
            assert_eq!(fields[1], getpid().as_raw().to_string(), "{line}");
            assert_eq!(fields.last(), Some(&"子进程1"), "{line}");
        }
    }
}

#[test]
fn a_long_name_is_cut_to_15_bytes() {
    demo_kit::say::set_quiet(true);
    let r = names::name_the_child("a-very-long-process-name").unwrap();
    assert_eq!(
        r.comm.as_bytes(),
        names::comm_of("a-very-long-process-name")
    );
    assert_eq!(r.comm, "a-very-long-pro");
    assert!(r.truncated);
    // Exactly 15 bytes fit: no cut.
    let r = names::name_the_child("fifteen-bytes-x").unwrap();
    assert_eq!((r.comm.as_str(), r.truncated), ("fifteen-bytes-x", false));
}

/// The check that ends every run: our live children, from /proc.
#[test]
fn children_of_lists_a_live_child_and_forgets_it_once_reaped() {
    demo_kit::say::set_quiet(true);
    let mut child = std::process::Command::new("sleep")
        .arg("30")
        .spawn()
        .expect("sleep");
    let pid = child.id() as i32;
    let listed = join_terminate_demo::leftovers::children_of(getpid().as_raw());
    let _ = child.kill();
    let _ = child.wait();
    assert!(
        listed
            .iter()
            .any(|(p, comm, _)| *p == pid && comm == "sleep"),
        "{pid} not in {listed:?}"
    );
    let after = join_terminate_demo::leftovers::children_of(getpid().as_raw());
    assert!(after.iter().all(|(p, _, _)| *p != pid), "{after:?}");
}

#[test]
fn python_names_are_invisible_to_the_kernel() {
    demo_kit::say::set_quiet(true);
    match names::python_names("子进程1").unwrap() {
        None => demo_kit::testing::skip("python3 is not installed"),
        Some(py) => {
            assert_eq!(py.python_name, "子进程1");
            assert_ne!(
                py.comm, "子进程1",
                "Python does not call prctl(PR_SET_NAME)"
            );
        }
    }
}

#[test]
fn an_orphan_is_reparented_to_the_subreaper_and_reaped() {
    demo_kit::say::set_quiet(true);
    let r = orphan::orphan(true).unwrap();
    assert_eq!(
        r.ppid_before, r.parent_pid,
        "before: the orphan's parent is P"
    );
    assert_eq!(
        r.parent_status,
        WaitStatus::Exited(Pid::from_raw(r.parent_pid), 0)
    );
    assert_eq!(r.new_parent, orphan::NewParent::Us);
    assert_eq!(r.ppid_in_proc, getpid().as_raw());
    assert_eq!(
        r.ppid_after,
        getpid().as_raw(),
        "the orphan's own getppid() changed"
    );
    assert_eq!(
        r.orphan_status,
        Some(WaitStatus::Exited(Pid::from_raw(r.orphan_pid), 0))
    );
    assert!(r.orphan_gone);
    assert!(
        !nix::sys::prctl::get_child_subreaper().unwrap(),
        "flag restored"
    );
}

#[test]
fn a_panicking_child_exits_101() {
    demo_kit::say::set_quiet(true);
    let mut c = Child::start(|| panic!("boom in the child")).unwrap();
    // Bounded: a child that hung would be SIGKILLed (and reaped) by drop.
    let ended = demo_kit::wait::until(Duration::from_secs(30), || {
        (!c.is_alive().unwrap()).then_some(())
    });
    assert!(ended.is_some(), "the panicking child did not exit");
    let s = c.join().unwrap();
    assert_eq!(s, WaitStatus::Exited(c.pid(), 101));
    assert_eq!(exit_code(s), Some(101));
}

#[test]
fn dropping_an_unjoined_child_kills_and_reaps_it() {
    demo_kit::say::set_quiet(true);
    let c = Child::start(|| {
        // Block forever (until killed): pause() waits for any signal.
        loop {
            nix::unistd::pause();
        }
    })
    .unwrap();
    let pid = c.pid().as_raw();
    drop(c);
    assert!(
        demo_kit::procfs::is_gone(pid),
        "no zombie, no runaway child"
    );
}

/// The lesson's correction: join is not the only way to avoid a zombie. A
/// parent that sets SIGCHLD to SIG_IGN gets none: its waitpid blocks until
/// the child is gone, then fails with ECHILD (man 2 waitpid, NOTES). Done in
/// a forked "parent", so this test binary's own SIGCHLD stays untouched.
#[test]
fn a_parent_that_ignores_sigchld_gets_no_zombie() {
    demo_kit::say::set_quiet(true);
    use nix::errno::Errno;
    use nix::sys::signal::{signal, SigHandler};
    use nix::unistd::{fork, ForkResult};
    let mut parent = Child::start(|| {
        // SAFETY: SIG_IGN installs no handler code.
        if unsafe { signal(Signal::SIGCHLD, SigHandler::SigIgn) }.is_err() {
            return 2;
        }
        // SAFETY: the grandchild only _exits (child_main).
        match unsafe { fork() } {
            Ok(ForkResult::Child) => demo_kit::child::child_main(|| 0),
            Ok(ForkResult::Parent { child }) => match nix::sys::wait::waitpid(child, None) {
                Err(Errno::ECHILD) if demo_kit::procfs::is_gone(child.as_raw()) => 0,
                Err(Errno::ECHILD) => 3, // ECHILD, yet still in /proc
                _ => 4,                  // waitpid found something to reap
            },
            Err(_) => 5,
        }
    })
    .unwrap();
    let pid = parent.pid();
    assert_eq!(parent.join().unwrap(), WaitStatus::Exited(pid, 0));
}

/// The parent signals a child only once the child has said it is ready
/// (its `R` through the pipe), so the report never depends on who ran
/// first. Pinned with its child to one CPU, a parent that did not wait
/// would run on after fork(): read `SigIgn` and send SIGTERM before the
/// child ever ran, so the child would die of it, its SIG_IGN never set.
/// Five children, so a child that happened to run first cannot hide that.
#[test]
fn the_parent_waits_for_the_child_to_be_ready_before_signalling() {
    use nix::sched::{sched_getaffinity, sched_setaffinity, CpuSet};
    demo_kit::say::set_quiet(true);
    // This test's thread only (pid 0), and the children it forks.
    let me = Pid::from_raw(0);
    let all = sched_getaffinity(me).unwrap();
    let cpu = (0..CpuSet::count())
        .find(|&c| all.is_set(c).unwrap_or(false))
        .unwrap();
    let mut one = CpuSet::new();
    one.set(cpu).unwrap();
    sched_setaffinity(me, &one).unwrap();
    for _ in 0..5 {
        let r = terminate(Disposition::Ignore).unwrap();
        assert_eq!(r.ignored_per_proc, Some(true), "{r:?}");
        assert!(r.survived && r.sent_sigkill, "{r:?}");
    }
}
