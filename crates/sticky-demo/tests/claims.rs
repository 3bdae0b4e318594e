//! Each claim the demo prints, proven on the real kernel.

// The demo told in Chinese: in this binary, so it runs alongside the claims.
#[path = "claims/lang.rs"]
mod lang;

use demo_kit::testing::run_demo;
use sticky_demo::{merge, split, udp, DATAGRAMS, SMALL_MESSAGES};

fn quiet() {
    demo_kit::say::set_quiet(true);
}

fn demo(args: &[&str]) -> (i32, String, String) {
    run_demo(env!("CARGO_BIN_EXE_sticky-demo"), args)
}

#[test]
fn separate_writes_merge_into_one_read() {
    quiet();
    let report = merge::run(&SMALL_MESSAGES, false).unwrap();
    assert!(!report.nodelay);
    assert_eq!(report.queued, 19);
    // Five write() calls, one read() returned all of them.
    assert_eq!(report.first_read, SMALL_MESSAGES.concat());
}

#[test]
fn nodelay_is_really_on_and_writes_still_merge() {
    quiet();
    let report = merge::run(&SMALL_MESSAGES, true).unwrap();
    assert!(report.nodelay, "the kernel must report TCP_NODELAY on");
    assert_eq!(report.first_read, SMALL_MESSAGES.concat());
    // With Nagle off each write leaves as its own segment (on loopback
    // nothing delays them) — and the receiver still sees one stream.
    let Some(segments) = report.data_segments else {
        demo_kit::testing::skip("TCP_INFO has no tcpi_data_segs_out here (Linux 4.6+)");
        return;
    };
    assert!(segments >= 2, "expected separate segments, got {segments}");
}

#[test]
fn a_long_reply_splits_and_its_tail_sticks_to_the_next() {
    quiet();
    let report = split::run(2500, 1024).unwrap();
    let long = &report.replies[0];
    let sizes: Vec<usize> = report.reads.iter().map(Vec::len).collect();
    assert_eq!(sizes, [1024, 1024, 479]);
    // The second read — the course's "reply to the next command" — is
    // still the first reply.
    assert_eq!(report.reads[1], long[1024..2048]);
    // And the last read holds the first reply's tail stuck to the second reply.
    assert!(report.reads[2].ends_with(split::NEXT_REPLY));
    assert_eq!(report.reads.concat(), report.replies.concat());
}

#[test]
fn a_buffer_as_large_as_both_replies_merges_them_instead() {
    quiet();
    let report = split::run(65536, 65536 + split::NEXT_REPLY.len()).unwrap();
    assert_eq!(
        report.reads.len(),
        1,
        "one read, both replies stuck together"
    );
    assert_eq!(report.reads[0], report.replies.concat());
}

#[test]
fn udp_keeps_each_datagram_separate() {
    quiet();
    let report = udp::run(&DATAGRAMS, 1500).unwrap();
    assert_eq!(report.sent, DATAGRAMS);
    assert_eq!(report.received, DATAGRAMS, "one receive per datagram");
    assert_eq!(report.next_sizes, vec![5, 5, 1]);
}

#[test]
fn a_datagram_larger_than_the_buffer_is_cut_and_its_tail_lost() {
    quiet();
    let report = udp::run(&DATAGRAMS, 1500).unwrap();
    assert_eq!(report.big_received, udp::RECV_BUFFER);
    assert!(report.big_truncated, "recvmsg must report MSG_TRUNC");
    // What arrived is the datagram's head: the first 1024 of the 1500
    // bytes sent (a, b, c, ... z, a, b, ...).
    let sent: Vec<u8> = (0..1500).map(|i| b'a' + (i % 26) as u8).collect();
    assert_eq!(report.big_head, sent[..udp::RECV_BUFFER]);
    // The 476 bytes that did not fit are not queued as another datagram:
    // the next receive returns the next datagram.
    assert_eq!(report.after_big, b"next");
}

#[test]
fn a_datagram_that_fits_is_not_flagged() {
    quiet();
    let report = udp::run(&DATAGRAMS, 1000).unwrap();
    assert_eq!(report.big_received, 1000);
    assert!(!report.big_truncated);
}

#[test]
fn the_binary_narrates_every_scenario() {
    let (code, text, err) = demo(&[]);
    assert_eq!(code, 0, "{err}");
    for expected in [
        "[server] recv(1024) returned 19 bytes: b'helloworldhowareyou'",
        "[kernel] TCP_NODELAY on the client socket, read back: on",
        "[client] read #2: 1024 bytes = reply 1 bytes 1024..2048",
        "[server] recvfrom(1024) returned 1 byte: b'!'",
        // FIONREAD before each recvfrom: the size of the next datagram only.
        "[kernel] FIONREAD: the next datagram is 5 bytes\n[server] recvfrom(1024) returned 5 bytes: b'hello'",
        "[kernel] FIONREAD: the next datagram is 1 byte\n[server] recvfrom(1024) returned 1 byte: b'!'",
        "[kernel] FIONREAD: the next datagram is 1500 bytes\n",
        "[server] recvmsg(1024) returned 1024 bytes, msg_flags: MSG_TRUNC (the datagram was cut)",
        "[kernel] FIONREAD: the next datagram is 4 bytes: the other 476 are gone, not queued",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in:\n{text}");
    }
}

#[test]
fn no_colours_without_a_terminal() {
    let (_, text, _) = demo(&["merge"]);
    assert!(
        !text.contains('\x1b'),
        "no colours with NO_COLOR or in a pipe"
    );
}

/// Each scenario named runs, and runs alone: its heading and no other.
#[test]
fn each_scenario_runs_alone() {
    for scenario in ["merge", "split", "nodelay", "udp"] {
        let (code, text, err) = demo(&[scenario]);
        assert_eq!(code, 0, "{scenario}: {err}");
        let headings: Vec<&str> = text.lines().filter(|l| l.starts_with("=== ")).collect();
        assert_eq!(headings.len(), 1, "{scenario}: {text}");
        assert!(
            headings[0].starts_with(&format!("=== {scenario}: ")),
            "{scenario}: {text}"
        );
    }
}

fn assert_refused(args: &[&str], message: &str) {
    let (code, _, err) = demo(args);
    assert_eq!(code, 1, "{args:?}");
    assert!(err.starts_with("error: "), "{err}");
    assert!(err.contains(message), "{args:?}: {err}");
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn an_unknown_scenario_is_refused() {
    assert_refused(&["bogus"], "unknown mode \"bogus\"");
}

#[test]
fn a_size_out_of_range_is_refused() {
    assert_refused(&["--size", "0"], "--size must be between 1 and 65536");
}

#[test]
fn a_non_number_is_refused() {
    assert_refused(&["--buffer", "x"], "bad value \"x\" for --buffer");
}

#[test]
fn an_unknown_option_is_refused() {
    assert_refused(
        &["merge", "--frobnicate"],
        "unexpected argument \"--frobnicate\"",
    );
}

#[test]
fn help_lists_the_scenarios() {
    let (code, text, _) = demo(&["--help"]);
    assert_eq!(code, 0);
    assert!(text.contains("SCENARIOS"), "{text}");
}
