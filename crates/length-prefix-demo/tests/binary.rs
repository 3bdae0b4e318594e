//! Runs the demo binary as a student would and checks its narration,
//! exit codes and error messages.

// The demo told in Chinese: in this binary, so it runs alongside these tests.
#[path = "binary/lang.rs"]
mod lang;

use demo_kit::testing::run_demo;

fn demo(args: &[&str]) -> (i32, String, String) {
    run_demo(env!("CARGO_BIN_EXE_length-prefix-demo"), args)
}

#[test]
fn default_runs_all_scenarios_and_every_message_is_exact() {
    let (code, out, err) = demo(&[]);
    assert_eq!(code, 0, "stderr: {err}");
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
        "read_header: rejected: the header is not a JSON object: number out of range",
        "[server] a.txt: header = {\"filename\":\"a.txt\"",
        // The words around the bytes: which prefix, how Python unpacks it,
        // the same length in the other order, a header's bytes as text, and
        // the end of the long reply.
        "[note] prefix: 4 bytes, struct.pack('i', n) — signed 32-bit little-endian, byte-compatible with the course's Python",
        "prefix 05 00 00 00 -> 5 (struct.unpack('i')), payload b'hello'",
        "[note] length 5: struct.pack('i', n) = 05 00 00 00; struct.pack('!I', n) = 00 00 00 05",
        "+048: 3a 33 30 30 30 7d                                :3000}",
        "reply 1 body: b'-rwxr-xr-x 1 root root    1000 Jan  1 00' ... b'oot root    3035' — == sent",
        "the first 1024 bytes and the other 1976 would show up as the answer to the next command",
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
        let (code, out, _) = demo(&[arg]);
        assert_eq!(code, 0, "{arg}");
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
    let (code, out, _) = demo(&["merge", "--network"]);
    assert_eq!(code, 0);
    assert!(out.contains("struct.pack('!I', n)"), "{out}");
    for needle in [
        "[note] prefix: 4 bytes, struct.pack('!I', n) — unsigned 32-bit big-endian (network order)",
        "prefix 00 00 00 05 -> 5 (struct.unpack('!I')), payload b'hello'",
        "[note] length 5: struct.pack('!I', n) = 00 00 00 05; struct.pack('i', n) = 05 00 00 00",
    ] {
        assert!(out.contains(needle), "missing {needle:?} in:\n{out}");
    }
    assert!(out.contains("prefix 00 00 00 05 + 5 bytes"), "{out}");
    assert!(out.contains("b'\\x00\\x00\\x00\\x05hello"), "{out}");
}

#[test]
fn size_sets_the_long_replys_length() {
    let (code, out, _) = demo(&["split", "--size", "5000"]);
    assert_eq!(code, 0);
    assert!(
        out.contains("1024 + 1024 + 1024 + 1024 + 904 = 5000 bytes"),
        "{out}"
    );
}

#[test]
fn a_reply_that_fits_one_recv_says_so() {
    let (code, out, _) = demo(&["split", "--size", "1000"]);
    assert_eq!(code, 0);
    assert!(out.contains("this reply fits in one recv(1024)"), "{out}");
}

#[test]
fn help_exits_zero() {
    let (code, out, _) = demo(&["--help"]);
    assert_eq!(code, 0);
    assert!(out.contains("USAGE:"));
}

fn assert_refused(args: &[&str], message: &str) {
    let (code, _, err) = demo(args);
    assert_eq!(code, 1, "{args:?} should fail: {err}");
    assert!(
        err.starts_with("error: ") && err.contains(message),
        "{args:?}: {err}"
    );
    assert!(
        err.contains("--help"),
        "{args:?} should point at --help: {err}"
    );
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn an_unknown_scenario_is_refused() {
    assert_refused(&["bogus"], "unknown mode \"bogus\"");
}

#[test]
fn two_scenarios_at_once_are_refused() {
    assert_refused(&["merge", "split"], "unexpected argument \"split\"");
}

#[test]
fn a_size_that_is_not_a_number_is_refused() {
    assert_refused(&["--size", "lots"], "bad value \"lots\" for --size");
}

#[test]
fn a_size_without_a_value_is_refused() {
    assert_refused(&["--size"], "--size needs a value");
}

#[test]
fn a_size_over_16_mib_is_refused() {
    assert_refused(
        &["--size", "99999999"],
        "--size must be between 0 and 16777216",
    );
}

#[test]
fn an_unknown_option_is_refused() {
    assert_refused(&["--frobnicate"], "unexpected argument \"--frobnicate\"");
}
