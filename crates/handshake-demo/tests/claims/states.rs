//! The `states` claims, checked on the real kernel: the sequence of states
//! of both ends, the handshake done before accept(), half-close delivery,
//! TIME_WAIT only in /proc, and FIN_WAIT1 / LAST_ACK behind a full window.

use demo_kit::testing::run_demo;
use handshake_demo::kernel::TcpState::*;
use handshake_demo::states::Lab;
use handshake_demo::tour;

fn check_tour(ipv6: bool) {
    demo_kit::say::set_quiet(true);
    let r = tour::run(ipv6).expect("the tour runs");
    assert_eq!(r.listen, Some(Listen));
    assert!(r.backlog > 0, "listener reports its backlog");
    // Handshake finished by the kernel before accept().
    assert_eq!(r.queued_before_accept, 1);
    assert_eq!(r.after_connect.client_fd, Some(Established));
    assert_eq!(r.after_connect.server_proc, Some(Established));
    assert_eq!(r.after_connect.server_fd, None, "not accepted yet");
    // First FIN and its ACK.
    assert_eq!(r.after_half_close.client_fd, Some(FinWait2));
    assert_eq!(r.after_half_close.server_fd, Some(CloseWait));
    assert_eq!(r.after_half_close.client_proc, Some(FinWait2));
    assert_eq!(r.after_half_close.server_proc, Some(CloseWait));
    assert_eq!(r.server_read_before_eof, 0);
    // Half-close: data still flows server -> client.
    assert_eq!(r.client_got_in_fin_wait2, b"last words from the server");
    // After the server's close: TIME_WAIT only in /proc, the fd says CLOSE.
    assert_eq!(r.after_server_close.client_proc, Some(TimeWait));
    assert_eq!(r.after_server_close.client_fd, Some(Close));
    assert_eq!(r.after_server_close.server_proc, None);
    let left = r.time_wait_left.expect("TIME_WAIT timer visible");
    assert!(
        left > 30.0 && left <= 60.0,
        "TIME_WAIT lasts 60 s, {left} s left"
    );
    // FIN stuck behind a full window.
    assert_eq!(r.fin_wait1.client_fd, Some(FinWait1));
    assert_eq!(
        r.fin_wait1.server_fd,
        Some(Established),
        "FIN not delivered yet"
    );
    assert!(r.fin_wait1_queued > 65536);
    assert_eq!(r.fin_wait1_drained.client_fd, Some(FinWait2));
    assert_eq!(r.fin_wait1_drained.server_fd, Some(CloseWait));
    assert_eq!(r.last_ack.server_fd, Some(LastAck));
    assert_eq!(r.last_ack.client_fd, Some(FinWait2));
    assert_eq!(r.last_ack_done.server_fd, Some(Close));
    assert_eq!(r.last_ack_done.client_proc, Some(TimeWait));
}

#[test]
fn states_follow_the_course_pictures_ipv4() {
    check_tour(false);
}

#[test]
fn states_follow_the_course_pictures_ipv6() {
    if std::net::TcpListener::bind("[::1]:0").is_err() {
        demo_kit::testing::skip("no IPv6 loopback on this machine");
        return;
    }
    check_tour(true);
}

#[test]
fn half_close_delivers_data_in_both_directions() {
    use std::io::{Read, Write};
    let mut lab = Lab::listen(false).unwrap();
    lab.connect().unwrap();
    lab.accept().unwrap();
    lab.client().unwrap().write_all(b"request").unwrap();
    lab.client_shutdown_write().unwrap();
    // The server reads everything the client sent, then EOF.
    let mut got = Vec::new();
    lab.server().unwrap().read_to_end(&mut got).unwrap();
    assert_eq!(got, b"request");
    // ...and can still answer, several times, before closing.
    for _ in 0..3 {
        lab.server().unwrap().write_all(b"part ").unwrap();
    }
    lab.server = None;
    let mut answer = Vec::new();
    lab.client().unwrap().read_to_end(&mut answer).unwrap();
    assert_eq!(answer, b"part part part ");
}

#[test]
fn binary_runs_by_default_and_exits_zero() {
    let (code, text, err) = run_demo(env!("CARGO_BIN_EXE_handshake-demo"), &[]);
    assert_eq!(code, 0, "stderr: {err}");
    for needle in [
        "LISTEN",
        "ESTABLISHED",
        "FIN_WAIT2",
        "CLOSE_WAIT",
        "TIME_WAIT",
        "FIN_WAIT1",
        "LAST_ACK",
    ] {
        assert!(text.contains(needle), "output mentions {needle}:\n{text}");
    }
    assert!(
        !text.contains("\x1b["),
        "no colours with NO_COLOR or into a pipe"
    );
}
