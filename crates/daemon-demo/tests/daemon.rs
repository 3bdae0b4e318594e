//! The demo's claims, checked on the real kernel with real processes.
//!
//! Each test thread forks its own processes and reaps them by pid; the test
//! process becomes a child subreaper (the library does that), so orphaned
//! grandchildren come back to it and can be reaped too.

// The demo told in Chinese: in this binary, so it runs alongside the claims.
#[path = "daemon/lang.rs"]
mod lang;

use daemon_demo::pdeathsig::{self, ParentEnd};
use daemon_demo::{daemonize, Cleanup, PATIENCE};
use demo_kit::child::{fork_child, keep_only_fds, wait_within};
use demo_kit::procfs;
use demo_kit::testing::run_demo;
use nix::fcntl::OFlag;
use nix::sys::signal::Signal;
use nix::sys::wait::WaitStatus;
use nix::unistd::{pipe2, Pid};
use std::os::fd::{AsRawFd, OwnedFd};
use std::time::Duration;

const BIN: &str = env!("CARGO_BIN_EXE_daemon-demo");

/// The scenarios narrate; these tests only want their reports.
fn quiet() {
    demo_kit::say::set_quiet(true);
}

#[test]
fn pdeathsig_kills_the_child_when_the_parent_exits() {
    quiet();
    let r = pdeathsig::run(Some(Signal::SIGTERM), ParentEnd::Exits).unwrap();
    assert_eq!(
        r.ppid_after_prctl, r.middle,
        "getppid() after prctl must be M"
    );
    assert_eq!(r.pdeathsig, Some(Signal::SIGTERM));
    assert_eq!(r.middle_status, WaitStatus::Exited(r.middle, 0));
    assert!(r.died_with_parent);
    assert_eq!(
        r.child_status,
        WaitStatus::Signaled(r.child, Signal::SIGTERM, false)
    );
    assert!(procfs::is_gone(r.child.as_raw()) && procfs::is_gone(r.middle.as_raw()));
}

#[test]
fn without_pdeathsig_the_child_survives_and_is_adopted() {
    quiet();
    let r = pdeathsig::run(None, ParentEnd::Exits).unwrap();
    assert_eq!(r.pdeathsig, None);
    assert!(!r.died_with_parent, "the child must outlive its parent");
    assert!(r.cleaned_up_by_us);
    let me = nix::unistd::getpid();
    assert_eq!(
        r.adopted_by,
        Some(me),
        "the subreaper (this test process) adopts the orphan"
    );
    // Our clean-up, not the kernel, ended it.
    assert_eq!(
        r.child_status,
        WaitStatus::Signaled(r.child, Signal::SIGTERM, false)
    );
    assert!(procfs::is_gone(r.child.as_raw()));
}

#[test]
fn pdeathsig_also_covers_a_sigkilled_parent() {
    quiet();
    let r = pdeathsig::run(Some(Signal::SIGTERM), ParentEnd::Killed).unwrap();
    assert_eq!(
        r.middle_status,
        WaitStatus::Signaled(r.middle, Signal::SIGKILL, false)
    );
    assert_eq!(
        r.child_status,
        WaitStatus::Signaled(r.child, Signal::SIGTERM, false)
    );
    assert!(procfs::is_gone(r.child.as_raw()));
}

#[test]
fn pdeathsig_fires_when_the_forking_thread_exits() {
    quiet();
    let r = pdeathsig::run(Some(Signal::SIGTERM), ParentEnd::ThreadExits).unwrap();
    assert!(r.reaped_by_middle, "M was alive to reap C");
    assert_eq!(
        r.child_status,
        WaitStatus::Signaled(r.child, Signal::SIGTERM, false)
    );
    assert_eq!(r.middle_status, WaitStatus::Exited(r.middle, 0));
    assert!(procfs::is_gone(r.child.as_raw()) && procfs::is_gone(r.middle.as_raw()));
}

#[test]
fn the_daemon_has_its_own_session_no_tty_and_is_stopped() {
    quiet();
    let r = daemonize::run(Duration::from_secs(120)).unwrap();
    let me = nix::unistd::getpid().as_raw();
    assert_eq!(r.first_child_status, WaitStatus::Exited(r.first_child, 0));
    assert_ne!(
        r.daemon.session, r.demo.session,
        "setsid() made a new session"
    );
    assert_eq!(
        r.daemon.session,
        r.first_child.as_raw(),
        "the first child led it"
    );
    assert_ne!(
        r.daemon.pid, r.daemon.session,
        "the daemon is not a session leader"
    );
    assert_eq!(r.daemon.tty_nr, 0, "no controlling terminal");
    assert_eq!(r.daemon.ppid, me, "adopted by the subreaper");
    assert_eq!(r.cwd, std::path::PathBuf::from("/"));
    assert_eq!(
        r.stdio,
        vec![std::path::PathBuf::from("/dev/null"); 3],
        "fds 0, 1 and 2 all on /dev/null"
    );
    assert_eq!(
        r.daemon_status,
        WaitStatus::Signaled(
            nix::unistd::Pid::from_raw(r.daemon.pid),
            Signal::SIGTERM,
            false
        )
    );
    assert!(r.gone);
}

/// A child that blocks reading a pipe until the returned write end closes:
/// it cannot end by itself while a test looks at it.
fn blocked_child() -> (Pid, OwnedFd) {
    let (r, w) = pipe2(OFlag::O_CLOEXEC).unwrap();
    let pid = fork_child(|| {
        keep_only_fds(&[r.as_raw_fd()]);
        let _ = nix::unistd::read(&r, &mut [0u8; 1]);
        0
    })
    .unwrap();
    (pid, w)
}

/// What keeps a failed step from leaving processes behind: a dropped
/// `Cleanup` kills and reaps every pid it tracks, except those marked done.
#[test]
fn a_dropped_cleanup_ends_what_it_tracks_and_spares_what_is_done() {
    let (spared, spared_w) = blocked_child();
    let (tracked, _tracked_w) = blocked_child();
    {
        let mut cleanup = Cleanup::default();
        cleanup.track(spared);
        cleanup.track(tracked);
        cleanup.done(spared);
    }
    assert!(
        procfs::is_gone(tracked.as_raw()),
        "a tracked pid is killed and reaped"
    );
    assert_eq!(
        wait_within(spared, Duration::ZERO).unwrap(),
        None,
        "a pid marked done is left running"
    );
    drop(spared_w); // its end of file: it exits by itself
    assert_eq!(
        wait_within(spared, PATIENCE).unwrap(),
        Some(WaitStatus::Exited(spared, 0))
    );
}

/// Runs the binary as a student would, and checks that none of the
/// processes it printed is still in /proc after it exits.
#[test]
fn the_binary_runs_and_leaves_nothing_behind() {
    let (code, text, err) = run_demo(BIN, &[]);
    assert_eq!(code, 0, "{text}\n{err}");
    assert!(
        text.contains("C was killed by SIGTERM — it died with its parent"),
        "{text}"
    );
    assert!(
        text.contains("/proc/") && text.contains("/fd/0 -> /dev/null"),
        "{text}"
    );
    assert!(!text.contains('\x1b'), "NO_COLOR must disable colours");
    // The seven steps, numbered in order, and the note on Python's flag
    // only under step 3, the SIGKILLed parent.
    let steps: Vec<&str> = text.split("\n── step ").skip(1).collect();
    let numbers: Vec<&str> = steps.iter().filter_map(|s| s.split(':').next()).collect();
    assert_eq!(numbers, ["1", "2", "3", "4", "5", "6", "7"], "{text}");
    let noted: Vec<bool> = steps
        .iter()
        .map(|s| s.contains("Python's daemon flag would NOT have helped here"))
        .collect();
    assert_eq!(
        noted,
        [false, false, true, false, false, false, false],
        "{text}"
    );
    // What the demo makes of the kernel's numbers: C's parent after prctl
    // is M (no note says otherwise), the orphan's new parent is the demo,
    // and the daemon's /proc fields read as the recipe promises. Without a
    // terminal, the demo has none either.
    for line in [
        "(the demo, as subreaper)",
        ", not the demo's ",
        " is the first child's pid: it called setsid() and has exited; the daemon ",
        "[note] tty_nr 0 = no controlling terminal (the demo has none either right now",
        " = the demo: as a subreaper it adopted the orphan",
    ] {
        assert!(text.contains(line), "no {line:?} in:\n{text}");
    }
    assert!(!text.contains("C saw parent"), "{text}");
    // Every "pid N" the demo printed must be gone now.
    let pids: Vec<i32> = text
        .split("pid ")
        .skip(1)
        .filter_map(|rest| {
            rest.split(|c: char| !c.is_ascii_digit())
                .next()?
                .parse()
                .ok()
        })
        .collect();
    assert!(pids.len() >= 8, "expected many pids in: {text}");
    for pid in pids.into_iter().filter(|&p| p > 1) {
        // A forked child keeps the name "daemon-demo"; any other process
        // with that pid would be an unrelated newcomer reusing the number.
        let left = procfs::stat(pid).filter(|s| s.comm == "daemon-demo");
        assert!(left.is_none(), "pid {pid} is still there: {left:?}");
    }
}

#[test]
fn an_unknown_part_is_refused_with_the_choices() {
    let (code, _, err) = run_demo(BIN, &["--only", "nonsense"]);
    assert_eq!(code, 1);
    assert!(
        err.starts_with("error: --only takes pdeathsig or daemon"),
        "{err}"
    );
}

#[test]
fn help_exits_zero() {
    let (code, out, _) = run_demo(BIN, &["--help"]);
    assert_eq!(code, 0);
    assert!(out.contains("USAGE"), "{out}");
}

#[test]
fn only_one_part_runs_when_asked() {
    let (code, out, err) = run_demo(BIN, &["--only", "pdeathsig"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("part 1") && !out.contains("part 2"), "{out}");
}

/// In CI nothing has a terminal, so "tty_nr 0" alone proves little. Here the
/// demo runs under a pseudo-terminal made by `script` (util-linux): the demo
/// itself then has a controlling terminal, and the daemon must not.
#[test]
fn under_a_terminal_the_demo_has_a_tty_and_the_daemon_has_none() {
    let has_script = std::process::Command::new("script")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !has_script {
        demo_kit::testing::skip(
            "`script` (util-linux) is not installed, no pseudo-terminal to test with",
        );
        return;
    }
    let cmd = format!("{} --only daemon", env!("CARGO_BIN_EXE_daemon-demo"));
    let (code, text, err) = run_demo("script", &["-qec", &cmd, "/dev/null"]);
    assert_eq!(code, 0, "{text}\n{err}");
    let tty_of = |who: &str| -> i32 {
        let line = text
            .lines()
            .find(|l| l.starts_with(&format!("[kernel] {who} ")))
            .unwrap_or_else(|| panic!("no {who} line in {text}"));
        line.rsplit("tty_nr ")
            .next()
            .unwrap()
            .trim()
            .parse()
            .unwrap()
    };
    assert_ne!(
        tty_of("demo"),
        0,
        "under script the demo has a terminal: {text}"
    );
    assert_eq!(tty_of("daemon"), 0, "the daemon has none: {text}");
    assert!(
        text.contains("[note] tty_nr 0 = no controlling terminal, while the demo still has one"),
        "{text}"
    );
}
