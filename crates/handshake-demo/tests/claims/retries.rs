//! The `retries` claim: a dropped SYN is retried on the schedule the
//! kernel's documentation gives — with `tcp_syn_linear_timeouts = 4` (the
//! default since Linux 6.5) and `tcp_syn_retries = 6`: waits of 1, 1, 1, 1,
//! 1, 2, 4 s, that is five one-second retries, then doubling.
//!
//! The schedule is checked on the kernel's own figure, the timeout it set
//! (`tcpi_rto`) after each retry, which a busy machine cannot blur; the
//! measured times only have to be no earlier than the schedule allows
//! (an observation can come late, never early). The retries are timed in
//! a network namespace of the test's own with one linear timeout instead
//! of four: the same rule, with its doubling 2 s after `connect()`
//! instead of 5 s (see [`a_dropped_syn_is_retried_on_the_kernels_schedule`]).

use demo_kit::testing::OutputWithin;
use handshake_demo::retries::{self, schedule};
use std::os::unix::process::CommandExt;
use std::process::{Command, Output};
use std::time::Duration;

#[test]
fn the_default_schedule_is_five_one_second_retries_then_doubling() {
    assert_eq!(schedule(4, 6), [1, 1, 1, 1, 1, 2, 4]);
}

/// Set in the environment of the copy of this test binary that runs
/// [`in_a_private_namespace`].
const CHILD: &str = "HANDSHAKE_RETRIES_IN_PRIVATE_NETNS";

/// The claim, timed in a network namespace of the test's own where
/// `tcp_syn_linear_timeouts` is 1 instead of 4. The schedule becomes 1, 1,
/// 2, 4 s: one linear retry, then doubling. Two retries (2 s) show both
/// halves of the rule and that the kernel follows the sysctl, where the
/// host's default needs five retries (5 s) before the first doubling.
///
/// A namespace is created by a single-threaded process only (unshare(2):
/// CLONE_NEWUSER), and this test binary runs threads; so it starts a copy
/// of itself that enters the namespace between fork and exec (`pre_exec`),
/// and runs only [`in_a_private_namespace`] there. The host's network is
/// never touched: a new namespace has its own loopback and its own sysctls
/// (`Documentation/networking/ip-sysctl.rst`; network_namespaces(7)).
#[test]
fn a_dropped_syn_is_retried_on_the_kernels_schedule() {
    let exe = std::env::current_exe().expect("this test binary");
    let mut cmd = Command::new(exe);
    cmd.args(["--exact", "retries::in_a_private_namespace", "--ignored"])
        .args(["--nocapture", "--test-threads", "1"])
        .env(CHILD, "1");
    let Some(out) = in_a_private_namespace_run(&mut cmd) else {
        return;
    };
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.status.success() && text.contains("1 passed"),
        "in its namespace: {text}"
    );
}

/// Runs `cmd` (within a deadline) in a network namespace of its own whose
/// `tcp_syn_linear_timeouts` is 1; `None`, after a skip, where this user
/// may not make one.
fn in_a_private_namespace_run(cmd: &mut Command) -> Option<Output> {
    if !std::path::Path::new("/proc/sys/net/ipv4/tcp_syn_linear_timeouts").exists() {
        demo_kit::testing::skip("this kernel has no tcp_syn_linear_timeouts (before Linux 6.5)");
        return None;
    }
    let root = nix::unistd::Uid::effective().is_root();
    // A program that exits at once first: may this user make a namespace?
    let mut probe = Command::new("true");
    for c in [&mut probe, &mut *cmd] {
        // SAFETY: the closure makes raw system calls only (no allocation,
        // no lock), as the child of a multi-threaded fork must.
        unsafe { c.pre_exec(move || private_namespace::enter(root)) };
    }
    match probe.status() {
        Err(e) if !root && e.raw_os_error() == Some(nix::libc::EPERM) => {
            demo_kit::testing::skip(&format!(
                "a private network namespace needs root or user namespaces: {e}"
            ));
            return None;
        }
        other => assert!(
            other
                .expect("entering a private network namespace")
                .success(),
            "`true` in a private network namespace"
        ),
    }
    Some(cmd.output_within())
}

/// The numbers of a `retry k:` line: seconds after connect(), seconds
/// after the send before, and the next wait (tcpi_rto).
fn retry_line(text: &str, k: usize) -> [f64; 3] {
    let line = text
        .lines()
        .find(|l| l.starts_with(&format!("[kernel] retry {k}: ")))
        .unwrap_or_else(|| panic!("no retry {k} in:\n{text}"));
    let numbers: Vec<f64> = line
        .split_whitespace()
        .filter_map(|w| w.parse().ok())
        .collect();
    numbers
        .try_into()
        .unwrap_or_else(|n| panic!("three numbers in {line:?}, not {n:?}"))
}

/// The binary, in a namespace where the doubling starts after the second
/// retry: what it prints agrees with the sysctls and with itself.
#[test]
fn the_binary_narrates_the_schedule_it_measured() {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_handshake-demo"));
    cmd.args(["retries", "--count", "2"])
        .env("NO_COLOR", "1")
        .env("LANG", "C.UTF-8")
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES");
    let Some(out) = in_a_private_namespace_run(&mut cmd) else {
        return;
    };
    let text = String::from_utf8_lossy(&out.stdout);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{text}{err}");
    let syn_retries: u32 = text
        .split("net.ipv4.tcp_syn_retries = ")
        .nth(1)
        .and_then(|rest| rest.lines().next()?.parse().ok())
        .unwrap_or_else(|| panic!("no tcp_syn_retries in:\n{text}"));
    let waits: Vec<String> = schedule(1, syn_retries)
        .iter()
        .map(u64::to_string)
        .collect();
    for line in [
        "net.ipv4.tcp_syn_linear_timeouts = 1".to_string(),
        format!("the timer code predicts waits of {} s after the SYN", waits.join(", ")),
        "connect() -> EINPROGRESS; the kernel will wait 1.0 s (tcpi_rto)".into(),
        "client 2 is still SYN_SENT".into(),
        "2 one-second waits (tcp_syn_linear_timeouts + 1: the first SYN's counts too): retries 1 to 2 are each sent 1 s after the send before; then the wait doubled to 2.0 s".into(),
    ] {
        assert!(text.contains(&line), "no {line:?} in:\n{text}");
    }
    let [at1, gap1, rto1] = retry_line(&text, 1);
    let [at2, gap2, rto2] = retry_line(&text, 2);
    assert_eq!((at1, rto1, rto2), (gap1, 1.0, 2.0), "{text}");
    assert!((at2 - at1 - gap2).abs() < 0.015, "{text}");
    // A retry is never seen before it is due (printed to 0.01 s).
    assert!(at1 >= 0.995 && at2 >= 1.995, "{text}");
}

#[test]
#[ignore = "runs inside a namespace of its own: a_dropped_syn_is_retried_on_the_kernels_schedule starts it"]
fn in_a_private_namespace() {
    assert_eq!(
        std::env::var(CHILD).as_deref(),
        Ok("1"),
        "started by a_dropped_syn_is_retried_on_the_kernels_schedule, never alone"
    );
    demo_kit::say::set_quiet(true);
    let r = retries::run(false, 2).unwrap();
    assert_eq!(r.linear_timeouts, Some(1), "the namespace's own sysctl");
    assert_eq!(r.expected[..3], [1, 1, 2]);
    assert_eq!(
        r.retries_at.len(),
        2,
        "two retries seen: {:?}",
        r.retries_at
    );
    assert_eq!(
        r.rtos.get(2).copied().flatten(),
        Some(Duration::from_secs(2)),
        "after the second retry (one more than tcp_syn_linear_timeouts) the kernel doubles its timeout: {:?}",
        r.rtos
    );
    // The kernel's own timeouts: after the SYN, and after each retry.
    for (k, rto) in r.rtos.iter().enumerate() {
        if let Some(rto) = rto {
            let want = Duration::from_secs(r.expected[k]);
            assert_eq!(*rto, want, "tcpi_rto after send {k}: {:?}", r.rtos);
        }
    }
    // Each retry came no earlier than the schedule's sum of waits.
    let mut due = 0;
    for (k, at) in r.retries_at.iter().enumerate() {
        due += r.expected[k];
        assert!(
            at.as_secs_f64() >= due as f64 - 0.05,
            "retry {} at {at:?}, before {due} s",
            k + 1
        );
    }
}

/// Entering a fresh network namespace with `tcp_syn_linear_timeouts = 1`,
/// in the child between fork and exec: raw system calls only.
mod private_namespace {
    use nix::libc;
    use std::io;

    pub fn enter(root: bool) -> io::Result<()> {
        // Root may create a network namespace; a normal user creates a user
        // namespace with it, in which it holds CAP_NET_ADMIN (user_namespaces(7)).
        let flags = if root {
            libc::CLONE_NEWNET
        } else {
            libc::CLONE_NEWUSER | libc::CLONE_NEWNET
        };
        // SAFETY: plain system calls on our own arguments.
        unsafe {
            check(libc::unshare(flags))?;
            loopback_up()?;
            // /proc/sys/net shows the sysctls of the caller's namespace.
            let path = c"/proc/sys/net/ipv4/tcp_syn_linear_timeouts";
            let fd = check(libc::open(path.as_ptr(), libc::O_WRONLY | libc::O_CLOEXEC))?;
            let wrote = libc::write(fd, b"1\n".as_ptr().cast(), 2);
            libc::close(fd);
            check(wrote as i32)?;
        }
        Ok(())
    }

    /// A new namespace's `lo` is down (network_namespaces(7)): SIOCSIFFLAGS
    /// with IFF_UP, as `ip link set lo up` does (netdevice(7)).
    unsafe fn loopback_up() -> io::Result<()> {
        let fd = check(libc::socket(
            libc::AF_INET,
            libc::SOCK_DGRAM | libc::SOCK_CLOEXEC,
            0,
        ))?;
        let mut req: libc::ifreq = std::mem::zeroed();
        for (dst, src) in req.ifr_name.iter_mut().zip(b"lo") {
            *dst = *src as libc::c_char;
        }
        let result = check(libc::ioctl(fd, libc::SIOCGIFFLAGS, &mut req)).and_then(|_| {
            req.ifr_ifru.ifru_flags |= libc::IFF_UP as libc::c_short;
            check(libc::ioctl(fd, libc::SIOCSIFFLAGS, &req))
        });
        libc::close(fd);
        result.map(drop)
    }

    fn check(ret: i32) -> io::Result<i32> {
        if ret < 0 {
            Err(io::Error::last_os_error())
        } else {
            Ok(ret)
        }
    }
}
