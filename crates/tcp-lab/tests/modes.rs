//! The lab's claims, on the real kernel (as root, as in CI; a normal user
//! without user namespaces or access to /dev/net/tun sees the exit-77 path
//! and the mode tests skip, saying why).
//!
//! Every mode runs as a child process (the binary), which moves itself
//! into a namespace of its own; this test process never changes namespace,
//! and checks that the host's interface list is the same before and after.

// The demo told in Chinese: in this binary, so it runs alongside the claims.
#[path = "modes/lang.rs"]
mod lang;

use demo_kit::testing::{run_demo, OutputWithin};
use std::process::Command;
use std::time::Duration;

const BIN: &str = env!("CARGO_BIN_EXE_tcp-lab");

/// How long a mode may run here. Each takes about 1 s (connect 2 s); a lab
/// that waits for ever (a device that reads empty packets loops) fails after
/// this, well within a mutation run's 60 s, instead of holding the suite.
/// Longer than the wire's own 20 s limit on its right side's accept(), so a
/// wire that forwards nothing ends with the lab's error, not ours.
const LIMIT: Duration = Duration::from_secs(30);

/// `run_demo` (English, no colour) within [`LIMIT`].
fn run_bounded(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(BIN)
        .args(args)
        .env("NO_COLOR", "1")
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .env("LANG", "C.UTF-8")
        .output_within_limit(LIMIT);
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// The host's network interfaces, as `ip link` would list them.
fn host_links() -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir("/sys/class/net")
        .expect("/sys/class/net")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// Runs a mode; `None` (test skipped, reason printed) on exit 77.
fn run_mode(args: &[&str]) -> Option<String> {
    let before = host_links();
    let (code, out, err) = run_bounded(args);
    assert_eq!(
        host_links(),
        before,
        "the host's interfaces changed during {args:?}"
    );
    assert!(!before.iter().any(|n| n.starts_with("tun")), "{before:?}");
    if code == 77 {
        demo_kit::testing::skip(&format!("no privilege for the lab here: {err}"));
        return None;
    }
    assert_eq!(code, 0, "{args:?}\nstdout:\n{out}\nstderr:\n{err}");
    Some(out)
}

#[test]
fn handshake_by_hand_is_accepted_and_bad_packets_are_graded() {
    let Some(out) = run_mode(&[]) else { return };
    for want in [
        "(exactly the course's seq = x -> ack = x+1)",
        "accept() returned",
        "read() returned \"hello\\n\"",
        "kernel states seen: ESTABLISHED -> CLOSE_WAIT -> LAST_ACK -> gone",
        "bad checksum dropped in silence: yes (InCsumErrors +1)",
        "wrong ack answered with RST: yes",
        "SYN to a closed port answered with RST: yes",
    ] {
        assert!(out.contains(want), "missing {want:?} in:\n{out}");
    }
    // The ladder: our SYN, the kernel's SYN|ACK acknowledging x+1.
    assert!(out.contains("|--- SYN  seq=x+0"), "{out}");
    assert!(
        out.contains("|<-- SYN|ACK  seq=y+0") && out.contains("ack=x+1"),
        "{out}"
    );
    assert!(
        out.contains("kernel read our data: \"hello\\n\"; we read the kernel's: \"HELLO\\n\""),
        "{out}"
    );
    // (a): the silence is told on the ladder; (c): the closed port is 7001,
    // next to the listener, as the note says.
    assert!(out.contains("| silence for 500 ms: dropped "), "{out}");
    assert!(
        out.contains("kernel 192.0.2.1:7001  kernel socket state"),
        "{out}"
    );
    // Our four SYNs (the handshake, (a), (b), (c)) each start at an ISN of
    // their own, drawn at random: no two equal (once in 2^30 runs or so).
    let mut isns: Vec<u32> = out
        .lines()
        .filter_map(|l| l.split("|--- SYN  seq=x+0 (").nth(1))
        .map(|rest| rest.split(')').next().unwrap().parse().unwrap())
        .collect();
    assert_eq!(isns.len(), 4, "{out}");
    isns.sort_unstable();
    isns.dedup();
    assert_eq!(isns.len(), 4, "the ISNs are not random: {out}");
}

/// Parses "SYN again after 1.023 s (predicted 1 s)" lines.
fn gaps(out: &str) -> Vec<(f64, f64)> {
    out.lines()
        .filter_map(|l| {
            let rest = l.split("SYN again after ").nth(1)?;
            let measured: f64 = rest.split(' ').next()?.parse().ok()?;
            let predicted: f64 = rest
                .split("(predicted ")
                .nth(1)?
                .split(' ')
                .next()?
                .parse()
                .ok()?;
            Some((measured, predicted))
        })
        .collect()
}

/// The sysctl line's value for `name`: a number, or the note that this
/// kernel has no such sysctl (read as 0, as the lab does).
fn sysctl_shown(out: &str, name: &str) -> u32 {
    let rest = out
        .split(&format!("net.ipv4.{name} = "))
        .nth(1)
        .unwrap_or_else(|| panic!("no {name} in:\n{out}"));
    let has_it = std::path::Path::new("/proc/sys/net/ipv4")
        .join(name)
        .exists();
    if !has_it && rest.starts_with("(not on this kernel: 0)") {
        return 0;
    }
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    digits
        .parse()
        .unwrap_or_else(|_| panic!("{name} is not a number (this kernel has it: {has_it}):\n{out}"))
}

#[test]
fn connect_mode_times_the_syn_retransmissions() {
    // Three SYNs, two gaps: each gap is measured from the SYN before it.
    let Some(out) = run_mode(&["connect", "--answer-after", "3"]) else {
        return;
    };
    sysctl_shown(&out, "tcp_syn_retries");
    let linear = sysctl_shown(&out, "tcp_syn_linear_timeouts");
    let g = gaps(&out);
    assert_eq!(g.len(), 2, "{out}");
    for (i, &(_, predicted)) in g.iter().enumerate() {
        let want = tcp_lab::connect::predicted_gap(i as u32 + 1, linear);
        assert_eq!(predicted, want.as_secs_f64(), "gap {}: {out}", i + 1);
    }
    for (measured, predicted) in g {
        assert!(
            measured >= predicted * 0.9 && measured <= predicted + 1.0,
            "SYN retransmitted after {measured} s, the sysctls predict {predicted} s"
        );
    }
    assert!(out.contains("SYN_SENT"), "{out}");
    assert!(out.contains("connect() returned"), "{out}");
    assert!(out.contains("waits in TIME_WAIT"), "{out}");
}

#[test]
fn bad_options_are_refused_with_a_hint() {
    let answer_range = "is out of range: 1..=7 (the 7th SYN comes 7 s after the first \
                        with tcp_syn_linear_timeouts = 4, 63 s without)";
    for (args, says) in [
        (
            &["connect", "--answer-after", "0"][..],
            format!("--answer-after 0 {answer_range}"),
        ),
        (
            &["connect", "--answer-after", "8"],
            format!("--answer-after 8 {answer_range}"),
        ),
        (
            &["connect", "--answer-after", "soon"],
            "bad value \"soon\" for --answer-after: invalid digit found in string".into(),
        ),
        (
            &["connect", "--answer-after"],
            "--answer-after needs a value".into(),
        ),
        (
            &["handshake", "--bogus"],
            "unexpected argument \"--bogus\"".into(),
        ),
        (
            &["wire", "--loss", "51"],
            "--loss 51 is out of range: 0..=50 percent".into(),
        ),
        (
            &["wire", "--loss", "-1"],
            "bad value \"-1\" for --loss: invalid digit found in string".into(),
        ),
        (
            &["wire", "--delay", "501"],
            "--delay 501 is out of range: 0..=500 ms".into(),
        ),
        (
            &["wire", "--reorder", "often"],
            "bad value \"often\" for --reorder: invalid digit found in string".into(),
        ),
        (
            &["wire", "--duplicate", "90"],
            "--duplicate 90 is out of range: 0..=50 percent".into(),
        ),
        (
            &["wire", "--bytes", "0"],
            "--bytes 0 is out of range: 1..=50000000 bytes".into(),
        ),
        (
            &["wire", "--bytes", "50000001"],
            "--bytes 50000001 is out of range: 1..=50000000 bytes".into(),
        ),
        (
            &["wire", "--jitter", "3"],
            "unexpected argument \"--jitter\"".into(),
        ),
        (
            &["teleport"],
            "unknown mode \"teleport\": use handshake, connect or wire".into(),
        ),
    ] {
        let (code, out, err) = run_demo(BIN, args);
        assert_eq!(code, 1, "{args:?}: {out}{err}");
        assert_eq!(err, format!("error: {says}; see --help\n"), "{args:?}");
        assert!(
            out.is_empty(),
            "nothing runs before the options are checked: {out}"
        );
    }
    let (code, out, _) = run_demo(BIN, &["--help"]);
    assert_eq!(code, 0);
    assert!(out.contains("usage: tcp-lab"));
}

/// Runs the binary as `nobody` (if we are root; else as ourselves), with
/// the test hook that refuses user namespaces when `no_userns`.
fn run_unprivileged(no_userns: bool) -> (Option<i32>, String, String) {
    use std::os::unix::process::CommandExt;
    let dir =
        std::env::temp_dir().join(format!("tcp-lab-nobody-{}-{no_userns}", std::process::id()));
    let mut cmd;
    if nix::unistd::Uid::effective().is_root() {
        // Copy the binary where `nobody` can surely execute it.
        std::fs::create_dir_all(&dir).unwrap();
        let copy = dir.join("tcp-lab");
        std::fs::copy(BIN, &copy).unwrap();
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();
        cmd = Command::new(&copy);
        cmd.uid(65534).gid(65534);
    } else {
        cmd = Command::new(BIN);
    }
    if no_userns {
        cmd.env("TCP_LAB_NO_USERNS", "1");
    }
    cmd.args(["--lang", "en"]); // the messages checked are the English ones
    let before = host_links();
    let out = cmd.env("NO_COLOR", "1").output_within_limit(LIMIT);
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(host_links(), before);
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn without_user_namespaces_a_normal_user_gets_77_and_the_fix() {
    if !nix::unistd::Uid::effective().is_root() {
        println!("(running as a normal user: the hook makes this user namespace-less)");
    }
    let (code, _, err) = run_unprivileged(true);
    assert_eq!(code, Some(77), "{err}");
    assert!(err.contains("user namespaces"), "{err}");
    assert!(err.contains("sudo"), "{err}");
    assert!(err.contains("TCP_LAB_NO_USERNS"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn as_nobody_the_lab_runs_or_says_exactly_what_is_missing() {
    use std::os::unix::fs::PermissionsExt;
    if !nix::unistd::Uid::effective().is_root() {
        demo_kit::testing::skip("needs root to become nobody (the other tests cover this user)");
        return;
    }
    let (code, out, err) = run_unprivileged(false);
    // With user namespaces allowed, nobody gets past unshare(); then
    // /dev/net/tun decides: mode 0666 lets nobody run the whole lab, 0600
    // refuses it. Which outcome is right depends on that mode.
    let tun_for_everyone =
        std::fs::metadata("/dev/net/tun").is_ok_and(|m| m.permissions().mode() & 0o006 == 0o006);
    match code {
        Some(0) => {
            assert!(
                tun_for_everyone,
                "nobody ran the lab although /dev/net/tun is not open to others: {out}"
            );
            assert!(
                out.contains("kernel states seen: ESTABLISHED -> CLOSE_WAIT -> LAST_ACK -> gone"),
                "exit 0 as nobody, so the handshake ran:\n{out}"
            );
        }
        Some(77) if tun_for_everyone => assert!(
            err.contains("user namespaces"),
            "/dev/net/tun is open to everyone: only user namespaces can be missing: {err}"
        ),
        Some(77) => assert!(
            err.contains("/dev/net/tun") || err.contains("user namespaces"),
            "{err}"
        ),
        other => panic!("exit {other:?}: {err}"),
    }
    assert!(!err.contains("panicked"), "{err}");
}

/// Pulls the number after `label` out of the output.
fn number_after(out: &str, label: &str) -> u64 {
    let rest = out
        .split(label)
        .nth(1)
        .unwrap_or_else(|| panic!("no {label:?} in:\n{out}"));
    let digits: String = rest.chars().take_while(|c| c.is_ascii_digit()).collect();
    digits
        .parse()
        .unwrap_or_else(|_| panic!("no number after {label:?} in:\n{out}"))
}

#[test]
fn over_a_lossy_wire_tcp_delivers_everything_and_udp_loses_what_was_dropped() {
    let args = [
        "wire",
        "--loss",
        "10",
        "--delay",
        "2",
        "--reorder",
        "10",
        "--duplicate",
        "5",
        "--bytes",
        "150000",
    ];
    let Some(out) = run_mode(&args) else { return };
    assert!(out.contains("the right kernel read 150000, same checksum (FNV-1a over the stream, order included): yes"), "{out}");
    assert!(
        out.contains("exactly the same: yes"),
        "UDP lost exactly what the wire dropped:\n{out}"
    );
    let dropped_data = number_after(&out, "TCP segments; ");
    let came_again = number_after(&out, "(or SYN/FIN); ");
    let retrans = number_after(&out, "tcpi_total_retrans = ");
    let snmp = number_after(&out, "RetransSegs +");
    // Every dropped piece of sequence space had to be sent again.
    assert!(
        dropped_data > 0,
        "with 10% loss some data is dropped:\n{out}"
    );
    assert!(came_again > 0 && came_again <= dropped_data, "{out}");
    assert!(
        retrans >= came_again,
        "the kernel retransmitted at least what the wire saw again:\n{out}"
    );
    assert!(snmp >= retrans, "{out}");
    // The wire's own log: the first 6 drops of TCP segments and the first 6
    // returns are told one by one, each sequence number counted from the
    // ISN (+N), then one line says there were more.
    let dropped_tcp = number_after(&out, "the wire dropped ");
    let told = |what: &str| out.lines().filter(|l| l.contains(what)).collect::<Vec<_>>();
    let drops = told("wire: DROP ");
    assert_eq!(drops.len() as u64, dropped_tcp.min(6), "{out}");
    assert!(drops.iter().all(|l| l.contains(" seq +")), "{out}");
    let more = told("wire: (more drops: only the first 6 are listed)");
    assert_eq!(more.len(), usize::from(dropped_tcp > 6), "{out}");
    let returns = told("after its drop: a retransmission");
    assert_eq!(returns.len() as u64, came_again.min(6), "{out}");
    assert!(returns.iter().all(|l| l.contains("wire: seq +")), "{out}");
    let more = told("wire: (more came again: only the first 6 are listed)");
    assert_eq!(more.len(), usize::from(came_again > 6), "{out}");
    // Its counts: every drop is counted (TCP, our UDP datagrams, and any
    // other packet), and at 5 % and 10 % of some 400 packets it doubled some
    // and held some back.
    let dropped_udp = number_after(&out, "; the wire dropped ");
    let duplicated = number_after(&out, "also on the wire: ");
    let held_back = number_after(&out, " duplicated, ");
    let dropped_all = number_after(&out, "held back (reordered), ");
    assert!(
        dropped_all >= dropped_tcp + dropped_udp && dropped_tcp >= dropped_data,
        "{out}"
    );
    assert!(duplicated > 0 && held_back > 0, "{out}");
}

#[test]
fn a_perfect_wire_loses_nothing() {
    let args = [
        "wire",
        "--loss",
        "0",
        "--delay",
        "0",
        "--reorder",
        "0",
        "--duplicate",
        "0",
        "--bytes",
        "100000",
    ];
    let Some(out) = run_mode(&args) else { return };
    assert!(
        out.contains("read 100000, same checksum (FNV-1a over the stream, order included): yes"),
        "{out}"
    );
    assert!(
        out.contains("UDP: sent 200, lost 0 []; the wire dropped 0 []"),
        "{out}"
    );
    assert!(out.contains("UDP delivered 0 duplicate"), "{out}");
    assert!(
        out.contains("the wire dropped 0 TCP segments; 0 of them")
            && out.contains(
                "also on the wire: 0 duplicated, 0 held back (reordered), 0 dropped in all"
            ),
        "{out}"
    );
}
