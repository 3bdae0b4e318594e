//! Hostile and broken clients: each gets a clear error frame or a clean
//! close, the server logs it, and the next good client is served.

use crate::common::{ServerProc, PATIENCE};
use framing::Codec;
use remote_shell::client::Client;
use remote_shell::framed_proto::{self, COMMAND, ERROR, HELLO};
use remote_shell::security::MAX_COMMAND;
use remote_shell::Protocol;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

/// A good client right after: proves the server kept serving.
fn good_client_is_served(server: &ServerProc, proto: Protocol, token: Option<&[u8]>) {
    let mut c = Client::connect(server.addr, proto, token).expect("good client connects");
    let (mut out, mut err) = (Vec::new(), Vec::new());
    c.run(b"echo fine", &mut out, &mut err)
        .expect("good client served");
    assert_eq!(out, b"fine\n");
}

/// Send raw bytes, then read what the server answers until it closes.
fn send_raw(server: &ServerProc, bytes: &[u8], half_close: bool) -> Vec<u8> {
    let mut s = TcpStream::connect(server.addr).unwrap();
    s.set_read_timeout(Some(PATIENCE)).unwrap();
    s.write_all(bytes).unwrap();
    if half_close {
        s.shutdown(std::net::Shutdown::Write).unwrap();
    }
    let mut reply = Vec::new();
    let _ = s.read_to_end(&mut reply); // a reset after the error frame is fine
    reply
}

/// The first frame of a reply must be an error frame saying `what`.
fn assert_error_frame(reply: &[u8], what: &str) {
    let frame = Codec::network()
        .read_frame(&mut &reply[..])
        .expect("a whole frame")
        .expect("a frame, not just a close");
    assert_eq!(frame[0], ERROR, "{}", String::from_utf8_lossy(&frame));
    let text = String::from_utf8_lossy(&frame[1..]);
    assert!(
        text.contains(what),
        "error frame {text:?} should mention {what:?}"
    );
}

fn frame(tag: u8, payload: &[u8]) -> Vec<u8> {
    let mut v = Vec::new();
    framed_proto::send(&mut v, tag, payload).unwrap();
    v
}

#[test]
fn garbage_bytes_get_an_error_frame() {
    let server = ServerProc::start(&[]);
    let reply = send_raw(&server, b"GET / HTTP/1.1\r\nHost: x\r\n\r\n", false);
    assert_error_frame(&reply, "over the limit");
    server.expect_log("bad frame");
    good_client_is_served(&server, Protocol::Framed, None);
}

#[test]
fn huge_and_negative_length_prefixes_get_an_error_frame() {
    let server = ServerProc::start(&[]);
    for prefix in [[0x7f, 0xff, 0xff, 0xff], [0xff, 0xff, 0xff, 0xff]] {
        let reply = send_raw(&server, &prefix, false);
        assert_error_frame(&reply, "over the limit");
        good_client_is_served(&server, Protocol::Framed, None);
    }
    // The same after a proper hello, and for a too-long command.
    let mut bytes = frame(HELLO, b"");
    bytes.extend_from_slice(&frame(COMMAND, &vec![b'x'; MAX_COMMAND + 10]));
    let reply = send_raw(&server, &bytes, false);
    let ok_len = 4 + 1 + b"remote-shell/1".len();
    assert_error_frame(&reply[ok_len..], "over the limit");
    good_client_is_served(&server, Protocol::Framed, None);
}

#[test]
fn a_frame_cut_off_then_a_disconnect_is_logged_and_closed() {
    let server = ServerProc::start(&[]);
    let mut bytes = frame(HELLO, b"");
    bytes.extend_from_slice(&frame(COMMAND, b"echo this never arrives whole")[..12]);
    let reply = send_raw(&server, &bytes, true);
    let ok_len = 4 + 1 + b"remote-shell/1".len();
    // Named as what it is, not as an idle timeout.
    assert_error_frame(&reply[ok_len..], "bad frame: ");
    assert_error_frame(&reply[ok_len..], "in the middle of a frame");
    server.expect_log("closed the connection in the middle of a frame");
    good_client_is_served(&server, Protocol::Framed, None);
    // A hello cut off, too: not "no hello within".
    let reply = send_raw(&server, &frame(HELLO, b"token")[..6], true);
    assert_error_frame(&reply, "bad frame: ");
    assert_error_frame(&reply, "in the middle of a frame");
    good_client_is_served(&server, Protocol::Framed, None);
}

/// A framed client that resets its connection (SO_LINGER 0, then close),
/// before its hello or while the server waits for its next command: the
/// read fails with `ECONNRESET`, and the log names that error, not a
/// timeout ("no hello within", "idle for").
#[test]
fn a_framed_client_resetting_its_connection_is_logged_as_a_reset() {
    let server = ServerProc::start(&[]);
    for hello_first in [false, true] {
        let mut s = TcpStream::connect(server.addr).unwrap();
        s.set_read_timeout(Some(PATIENCE)).unwrap();
        let peer = s.local_addr().unwrap();
        if hello_first {
            s.write_all(&frame(HELLO, b"")).unwrap();
            let ok = Codec::network().read_frame(&mut s).unwrap().unwrap();
            assert_eq!(ok, b"kremote-shell/1");
        }
        let linger = nix::libc::linger {
            l_onoff: 1,
            l_linger: 0,
        };
        nix::sys::socket::setsockopt(&s, nix::sys::socket::sockopt::Linger, &linger).unwrap();
        drop(s); // an RST, not a FIN
        let closing = format!("{peer}: ");
        let line = demo_kit::wait::until(PATIENCE, || {
            let log = server.log();
            log.into_iter()
                .find(|l| l.contains(&closing) && l.contains("; closing"))
        });
        let line = line.unwrap_or_else(|| panic!("no closing line for {peer}"));
        assert!(
            line.contains("bad frame: I/O error: Connection reset by peer"),
            "hello first: {hello_first}: {line}"
        );
    }
    good_client_is_served(&server, Protocol::Framed, None);
}

/// A write to a client that has left fails with `EPIPE` or `ECONNRESET`:
/// data that arrives after the peer's close is answered with a reset (RFC
/// 1122, 4.2.2.13), and a write after that fails. The server's log names
/// it in words a student can act on.
#[test]
fn a_write_to_a_client_that_left_is_named_so() {
    demo_kit::lang::set(demo_kit::lang::Lang::En);
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let client = TcpStream::connect(listener.local_addr().unwrap()).unwrap();
    let (mut conn, _) = listener.accept().unwrap();
    drop(client);
    // (Rust ignores SIGPIPE: the failed write returns an error.)
    let failed = (0..1000).find_map(|_| conn.write(b"x").err());
    let e = failed.expect("a write to a closed peer never failed");
    let kinds = [
        std::io::ErrorKind::BrokenPipe,
        std::io::ErrorKind::ConnectionReset,
    ];
    assert!(kinds.contains(&e.kind()), "{e:?}");
    assert_eq!(remote_shell::write_failure(&e), "the client went away");
}

#[test]
fn unknown_frame_types_and_a_missing_hello_are_refused() {
    let server = ServerProc::start(&[]);
    let reply = send_raw(&server, &frame(COMMAND, b"id"), false);
    assert_error_frame(&reply, "first frame must be a hello");
    let mut bytes = frame(HELLO, b"");
    bytes.extend_from_slice(&frame(b'Z', b"??"));
    let reply = send_raw(&server, &bytes, false);
    let ok_len = 4 + 1 + b"remote-shell/1".len();
    assert_error_frame(&reply[ok_len..], "unknown frame type");
    server.expect_log("unknown frame type");
    good_client_is_served(&server, Protocol::Framed, None);
}

#[test]
fn a_client_that_never_reads_is_dropped_and_its_command_killed() {
    let server = ServerProc::start(&["--write-timeout", "0.3", "--timeout", "120"]);
    let stuck = Client::connect(server.addr, Protocol::Framed, None).unwrap();
    let mut s: &TcpStream = stuck.stream();
    framed_proto::send(&mut s, COMMAND, b"head -c 200000000 /dev/zero").unwrap();
    // While it is stuck, others are served.
    good_client_is_served(&server, Protocol::Framed, None);
    server.expect_log("not reading its output");
    server.expect_log("output failed");
    good_client_is_served(&server, Protocol::Framed, None);
}

#[test]
fn a_course_client_that_never_reads_is_dropped() {
    let server = ServerProc::start(&["--protocol", "course", "--write-timeout", "0.3"]);
    let mut stuck = TcpStream::connect(server.addr).unwrap();
    stuck.write_all(b"head -c 50000000 /dev/zero").unwrap();
    server.expect_log("not reading its output");
    good_client_is_served(&server, Protocol::Course, None);
    drop(stuck);
}

#[test]
fn course_mode_refuses_garbage_and_overlong_commands() {
    let server = ServerProc::start(&["--protocol", "course"]);
    // Not UTF-8: the course's server would crash on decode('utf-8').
    let mut s = TcpStream::connect(server.addr).unwrap();
    s.write_all(b"\xff\xfe\x00garbage").unwrap();
    let mut out = Vec::new();
    remote_shell::course_proto::read_reply(&mut s, &mut out).unwrap();
    assert!(String::from_utf8_lossy(&out).contains("not valid UTF-8"));
    // The same connection still works.
    let mut out = Vec::new();
    remote_shell::course_proto::request(&mut s, b"echo ok", &mut out).unwrap();
    assert_eq!(out, b"ok\n");
    // Far over the limit in one write: refused, connection closed.
    let reply = send_raw(&server, &vec![b'x'; 100_000], false);
    assert!(String::from_utf8_lossy(&reply).contains("longer than"));
    server.expect_log("refused a command over");
    good_client_is_served(&server, Protocol::Course, None);
}

#[test]
fn a_framed_client_speaking_to_a_course_server_fails_clearly() {
    // The client's English message, whatever the locale the tests run in.
    demo_kit::lang::set(demo_kit::lang::Lang::En);
    let server = ServerProc::start(&["--protocol", "course"]);
    let err = Client::connect(server.addr, Protocol::Framed, None)
        .err()
        .expect("a framed hello is not a course command");
    // The course's reply prefix, little-endian, read as a big-endian length.
    let err = err.to_string();
    assert!(
        err.starts_with("the server's answer to our hello is not a remote-shell frame (frame of ")
            && err.ends_with("): is it --protocol course?"),
        "{err}"
    );
    good_client_is_served(&server, Protocol::Course, None);
}

#[test]
fn a_token_is_checked_first_and_a_wrong_one_refused() {
    let token = "correct horse battery";
    let server = ServerProc::start_with(&[], &[("REMOTE_SHELL_TOKEN", token)]);
    for wrong in [None, Some(&b"correct horse battery!"[..]), Some(&b"x"[..])] {
        let err = Client::connect(server.addr, Protocol::Framed, wrong)
            .err()
            .expect("a wrong token must be refused");
        assert!(err.to_string().contains("wrong or missing token"), "{err}");
    }
    server.expect_log("wrong or missing token");
    good_client_is_served(&server, Protocol::Framed, Some(token.as_bytes()));
}

#[test]
fn allow_remote_binds_any_address_but_needs_the_token() {
    let token = "a-long-enough-token";
    let mut server =
        ServerProc::start(&["--addr", "0.0.0.0:0", "--allow-remote", "--token", token]);
    assert!(
        server.addr.ip().is_unspecified(),
        "listening on {}, not on every address",
        server.addr
    );
    server.addr.set_ip([127, 0, 0, 1].into()); // reach it over loopback
    let err = Client::connect(server.addr, Protocol::Framed, None)
        .err()
        .expect("no token, no service");
    assert!(err.to_string().contains("wrong or missing token"), "{err}");
    good_client_is_served(&server, Protocol::Framed, Some(token.as_bytes()));
}

/// With at most 128 clients at once, idle connections would lock everyone
/// out: after `--idle-timeout` without a command a connection is closed
/// (a framed one gets an error frame first), with a log line.
#[test]
fn idle_connections_are_closed_after_the_idle_timeout() {
    for proto in [Protocol::Framed, Protocol::Course] {
        let name = proto.to_string();
        let server = ServerProc::start(&["--protocol", &name, "--idle-timeout", "0.5"]);
        // Served while it talks...
        let mut idle = Client::connect(server.addr, proto, None).unwrap();
        let (mut out, mut err) = (Vec::new(), Vec::new());
        idle.run(b"echo busy", &mut out, &mut err).unwrap();
        assert_eq!(out, b"busy\n");
        // ... then it says nothing: the server closes it.
        let start = std::time::Instant::now();
        let mut s: &TcpStream = idle.stream();
        s.set_read_timeout(Some(PATIENCE)).unwrap();
        let mut reply = Vec::new();
        let end = s.read_to_end(&mut reply); // a reset after the error frame is fine
        let took = start.elapsed();
        let closed = match &end {
            Ok(_) => true,
            Err(e) => e.kind() == std::io::ErrorKind::ConnectionReset,
        };
        assert!(
            closed,
            "{name}: the idle connection was not closed: {end:?} after {took:?}"
        );
        assert!(
            took >= Duration::from_millis(450) && took < Duration::from_secs(10),
            "{name}: closed after {took:?}, not after the 0.5 s idle timeout"
        );
        match proto {
            Protocol::Framed => assert_error_frame(&reply, "idle for"),
            Protocol::Course => assert!(reply.is_empty(), "{name}: {reply:?}"),
        }
        server.expect_log("idle for");
        good_client_is_served(&server, proto, None);
    }
}

/// A course client that resets its connection (SO_LINGER 0, then close)
/// while the server waits for its next command: the server logs the reset
/// as a failed read, not as an idle timeout, and serves the next client.
#[test]
fn a_course_client_resetting_its_connection_is_logged_as_a_failed_read() {
    let server = ServerProc::start(&["--protocol", "course"]);
    let mut s = TcpStream::connect(server.addr).unwrap();
    s.set_read_timeout(Some(PATIENCE)).unwrap();
    let mut out = Vec::new();
    remote_shell::course_proto::request(&mut s, b"echo before", &mut out).unwrap();
    assert_eq!(out, b"before\n");
    let linger = nix::libc::linger {
        l_onoff: 1,
        l_linger: 0,
    };
    nix::sys::socket::setsockopt(&s, nix::sys::socket::sockopt::Linger, &linger).unwrap();
    drop(s); // close with SO_LINGER 0: an RST, not a FIN
    server.expect_log("read failed: Connection reset by peer");
    good_client_is_served(&server, Protocol::Course, None);
}
