//! Each claim the demo prints, proven on the real kernel.

use demo_kit::testing::OutputWithin;
use std::process::Command;
use sticky_demo::{tcp, udp, SMALL_MESSAGES};

fn concat(parts: &[&[u8]]) -> Vec<u8> {
    parts.concat()
}

#[test]
fn separate_writes_merge_into_one_read() {
    let report = tcp::merge(&SMALL_MESSAGES, false).unwrap();
    assert!(!report.nodelay);
    assert_eq!(report.queued, 19);
    // Five write() calls, one read() returned all of them.
    assert_eq!(report.first_read, concat(&SMALL_MESSAGES));
}

#[test]
fn nodelay_is_really_on_and_writes_still_merge() {
    let report = tcp::merge(&SMALL_MESSAGES, true).unwrap();
    assert!(report.nodelay, "the kernel must report TCP_NODELAY on");
    assert_eq!(report.first_read, concat(&SMALL_MESSAGES));
    if let Some(segments) = report.data_segments {
        // With Nagle off each write leaves as its own segment (on loopback
        // nothing delays them) — and the receiver still sees one stream.
        assert!(segments >= 2, "expected separate segments, got {segments}");
    }
}

#[test]
fn a_long_reply_splits_and_its_tail_sticks_to_the_next() {
    let long: Vec<u8> = (0..2500u32).map(|i| b'a' + (i % 26) as u8).collect();
    let short = b"NEXT".to_vec();
    let report = tcp::split(&long, &short, 1024).unwrap();
    assert!(report.reads.len() >= 3, "{} reads", report.reads.len());
    assert_eq!(report.reads[0].len(), 1024);
    // The second read — the course's "reply to the next command" — is
    // still the first reply.
    assert_eq!(report.reads[1], long[1024..2048]);
    // And the last read holds the first reply's tail stuck to the second reply.
    let last = report.reads.last().unwrap();
    assert!(last.ends_with(b"NEXT") && last.len() > 4);
    assert_eq!(report.reads.concat(), [long, short].concat());
}

#[test]
fn udp_keeps_each_datagram_separate() {
    let msgs: [&[u8]; 3] = [b"hello", b"world", b"!"];
    let report = udp::datagrams(&msgs).unwrap();
    assert_eq!(report.received, report.sent);
    assert_eq!(report.next_sizes, vec![5, 5, 1]);
}

fn demo(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_sticky-demo"))
        .args(args)
        .env("NO_COLOR", "1")
        .output_within()
}

#[test]
fn the_binary_narrates_every_scenario() {
    let out = demo(&[]);
    assert!(out.status.success(), "{out:?}");
    let text = String::from_utf8(out.stdout).unwrap();
    for expected in [
        "[server] recv(1024) returned 19 bytes: b'helloworldhowareyou'",
        "[kernel] TCP_NODELAY on the client socket, read back: on",
        "[client] read #2: 1024 bytes = reply 1 bytes 1024..2048",
        "[server] recvfrom(1024) returned 1 byte: b'!'",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in:\n{text}");
    }
    assert!(
        !text.contains('\x1b'),
        "no colours with NO_COLOR or in a pipe"
    );
}

#[test]
fn bad_input_is_a_clear_error_not_a_panic() {
    for args in [
        &["bogus"][..],
        &["--buffer", "x"],
        &["--size", "0"],
        &["merge", "--frobnicate"],
    ] {
        let out = demo(args);
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.starts_with("error: "), "{err}");
        assert!(!err.contains("panicked"), "{err}");
    }
    let help = demo(&["--help"]);
    assert!(help.status.success());
    assert!(String::from_utf8_lossy(&help.stdout).contains("SCENARIOS"));
}
