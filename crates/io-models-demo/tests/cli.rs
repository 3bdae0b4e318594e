//! The demo binary: finishes on its own, narrates, rejects bad input.

// The demo told in Chinese: in this binary, so it runs alongside the claims.
#[path = "cli/lang.rs"]
mod lang;

use demo_kit::testing::{run_demo, OutputWithin};
use std::os::unix::process::CommandExt;
use std::process::Command;

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

/// `thread_cpu` is the calling thread's CPU time: a new thread has used no
/// more than its age, and a thread that spins until it has used 20 ms has
/// used no more than the wall time it spun (plus a tick of slack).
#[test]
fn thread_cpu_counts_the_calling_threads_cpu_time() {
    use std::time::{Duration, Instant};
    let slack = Duration::from_millis(20);
    let spawned = Instant::now();
    std::thread::spawn(move || {
        let before = io_models_demo::thread_cpu().unwrap();
        assert!(
            before <= spawned.elapsed() + slack,
            "a new thread used {before:?}"
        );
        // Bounded: on a machine too busy to give it 20 ms in 10 s, it fails.
        let start = Instant::now();
        let mut used = Duration::ZERO;
        while used < Duration::from_millis(20) && start.elapsed() < Duration::from_secs(10) {
            used = io_models_demo::thread_cpu().unwrap().saturating_sub(before);
        }
        let wall = start.elapsed();
        assert!(
            used >= Duration::from_millis(20),
            "spun {wall:?}, used {used:?}"
        );
        assert!(used <= wall + slack, "spun {wall:?}, used {used:?}");
    })
    .join()
    .unwrap();
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
        (
            &["--wait-ms", "10001"],
            "--wait-ms must be between 10 and 10000",
        ),
        // Both ends of --wait-ms are accepted: the next check speaks.
        (
            &["--wait-ms", "10", "--clients", "0"],
            "--clients must be between 1 and 100",
        ),
        (
            &["--wait-ms", "10000", "--clients", "0"],
            "--clients must be between 1 and 100",
        ),
        (&["--bogus"], "unexpected argument \"--bogus\""),
    ] {
        let (code, _, err) = run_demo(BIN, bad);
        assert_eq!(code, 1, "{bad:?}");
        assert_eq!(err, format!("error: {says}; see --help\n"), "{bad:?}");
    }
}

/// The open-files limit in a CHILD only: soft 1024, hard 1100. The demo
/// raises its soft limit to the hard one (step 4 needs fd 1024), measures
/// 1036 idle sockets (1036 + 64 = 1100: just enough) and skips 1100. Its
/// sockets take the lowest free descriptors after the inherited ones, so
/// along 1008..=1021 idle sockets the active one's number crosses 1024:
/// select is timed up to fd 1023 and refused from fd 1024 on.
#[test]
fn a_lowered_limit_is_raised_and_select_stops_at_fd_1024() {
    const SOFT: u64 = 1024;
    const HARD: u64 = 1100;
    let (_, hard) = nix::sys::resource::getrlimit(nix::sys::resource::Resource::RLIMIT_NOFILE)
        .expect("getrlimit");
    if hard < HARD {
        demo_kit::testing::skip(&format!(
            "the open-files hard limit is {hard}, below {HARD}"
        ));
        return;
    }
    let near: Vec<usize> = (1008..=1021).collect();
    let list: Vec<String> = near
        .iter()
        .chain(&[1036, 1100])
        .map(|n| n.to_string())
        .collect();
    let mut cmd = Command::new(BIN);
    cmd.args(["--wait-ms", "10", "--idle", &list.join(",")])
        .env("NO_COLOR", "1")
        .env("LANG", "C.UTF-8")
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES");
    // SAFETY: only setrlimit between fork and exec.
    unsafe {
        cmd.pre_exec(|| {
            let lim = nix::libc::rlimit {
                rlim_cur: SOFT,
                rlim_max: HARD,
            };
            if nix::libc::setrlimit(nix::libc::RLIMIT_NOFILE, &lim) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    let out = cmd.output_within();
    let (out, err) = (
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
    );
    assert!(err.is_empty(), "{err}\n{out}");
    assert!(out.contains("open-files limit raised to 1100"), "{out}");
    let row = |idle: usize| {
        let start = format!("[kernel] {idle:>15} | ");
        out.lines()
            .find_map(|l| l.strip_prefix(&start))
            .unwrap_or_else(|| panic!("no row for {idle}:\n{out}"))
            .to_string()
    };
    assert!(
        out.contains("1100 | skipped: needs 1100 descriptors, the limit is 1100"),
        "{out}"
    );
    assert!(row(1036).ends_with('s'), "{out}");
    // Timed, then refused, with one switch inside the range.
    let refused: Vec<bool> = near.iter().map(|&n| row(n).contains("fd>=1024")).collect();
    let switch = refused.iter().position(|&r| r);
    assert!(
        matches!(switch, Some(i) if i > 0 && refused[i..].iter().all(|&r| r)),
        "{refused:?}\n{out}"
    );
}
