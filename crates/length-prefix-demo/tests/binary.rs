//! Runs the demo binary as a student would and checks its narration,
//! exit codes and error messages.

use demo_kit::testing::OutputWithin;
use std::process::{Command, Output};

fn demo(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_length-prefix-demo"))
        .args(args)
        .env("NO_COLOR", "1")
        .output_within()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

#[test]
fn default_runs_all_scenarios_and_every_message_is_exact() {
    let o = demo(&[]);
    let out = stdout(&o);
    assert!(
        o.status.success(),
        "stderr: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    for needle in [
        "=== merge",
        "=== split",
        "=== course-header",
        "[client] write_frame(b'hello'): prefix 05 00 00 00",
        "[kernel] FIONREAD on the server socket: 39 bytes queued",
        "b'\\x05\\x00\\x00\\x00hello\\x05\\x00\\x00\\x00world",
        "5 of 5 messages came out exactly as sent",
        "1024 + 1024 + 952 = 3000 bytes",
        "nothing of it was eaten by reply 1",
        "reply 2 body: b'root\\n' — == sent",
        "json.dumps(header_dic).encode('utf-8') -> 507 bytes",
        "struct.pack('i', 507)  -> b'\\xfb\\x01\\x00\\x00' 4",
        "struct.pack('!I', 507) -> b'\\x00\\x00\\x01\\xfb' 4",
        "struct.unpack('i', b'\\xfb\\x01\\x00\\x00') -> (507,)",
        "[server] on the wire (511 bytes, peeked): fb 01 00 00 | 7b 22",
        "read_header: rejected",
        "[server] a.txt: header = {\"filename\":\"a.txt\"",
    ] {
        assert!(out.contains(needle), "missing {needle:?} in:\n{out}");
    }
    assert!(!out.contains("!= SENT"), "{out}");
    assert!(!out.contains("\x1b["), "NO_COLOR must turn colours off");
}

#[test]
fn one_scenario_at_a_time() {
    for (arg, heading, absent) in [
        ("merge", "=== merge", "=== split"),
        ("split", "=== split", "=== merge"),
        ("course-header", "=== course-header", "=== merge"),
    ] {
        let o = demo(&[arg]);
        let out = stdout(&o);
        assert!(o.status.success(), "{arg}");
        assert!(
            out.contains(heading) && !out.contains(absent),
            "{arg}:\n{out}"
        );
        assert!(
            out.contains("== sent") && !out.contains("!= SENT"),
            "{arg}:\n{out}"
        );
    }
}

#[test]
fn network_order_puts_the_high_byte_first() {
    let o = demo(&["merge", "--network"]);
    let out = stdout(&o);
    assert!(o.status.success());
    assert!(out.contains("struct.pack('!I', n)"), "{out}");
    assert!(out.contains("prefix 00 00 00 05 + 5 bytes"), "{out}");
    assert!(out.contains("b'\\x00\\x00\\x00\\x05hello"), "{out}");
}

#[test]
fn split_size_option() {
    let o = demo(&["split", "--size", "5000"]);
    let out = stdout(&o);
    assert!(o.status.success());
    assert!(
        out.contains("1024 + 1024 + 1024 + 1024 + 904 = 5000 bytes"),
        "{out}"
    );
}

#[test]
fn help_exits_zero() {
    let o = demo(&["--help"]);
    assert!(o.status.success());
    assert!(stdout(&o).contains("USAGE:"));
}

#[test]
fn bad_arguments_give_a_clear_error() {
    for (args, msg) in [
        (&["bogus"][..], "unknown scenario \"bogus\""),
        (&["merge", "split"][..], "unexpected argument \"split\""),
        (&["--size", "lots"][..], "bad value \"lots\" for --size"),
        (&["--size"][..], "--size needs a value"),
        (&["--size", "99999999"][..], "too large"),
        (
            &["--frobnicate"][..],
            "unexpected argument \"--frobnicate\"",
        ),
    ] {
        let o = demo(args);
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(!o.status.success(), "{args:?} should fail");
        assert!(
            err.starts_with("error: ") && err.contains(msg),
            "{args:?}: {err}"
        );
        assert!(
            err.contains("--help"),
            "{args:?} should point at --help: {err}"
        );
        assert!(!err.contains("panicked"), "{err}");
    }
}
