//! The course protocol's tests: the output limit, `short`, the reply
//! reader on hostile input and on a real socket, and `serve` answering a
//! real loopback client with a real keeper. Every read of a reply is
//! bounded, so a server that sends nothing fails a test instead of hanging.

use super::*;

#[test]
fn the_output_limit_counts_both_streams_and_allows_exactly_the_limit() {
    let mut sink = CourseSink::new(10);
    sink.output(Stream::Stdout, b"1234").unwrap();
    sink.output(Stream::Stderr, b"567").unwrap();
    sink.output(Stream::Stdout, b"890").unwrap(); // 10 bytes: the limit itself
    let over = sink.output(Stream::Stderr, b"x").unwrap_err();
    assert_eq!(over.to_string(), "output over 10 bytes");
    assert_eq!((sink.stdout.len(), sink.stderr.len()), (7, 3));
    // One write that alone crosses the limit is refused whole.
    let mut sink = CourseSink::new(10);
    assert!(sink.output(Stream::Stderr, &[b'e'; 11]).is_err());
    assert_eq!(sink.stderr.len(), 0);
}

fn reply(prefix: &[u8], header: &[u8], body: &[u8]) -> Vec<u8> {
    [prefix, header, body].concat()
}

#[test]
fn reads_a_course_reply_and_rejects_hostile_ones() {
    let header = br#"{"file": "a.txt", "total_size": 5, "hashlib": "adasd1dfad311r"}"#;
    let good = reply(&(header.len() as i32).to_le_bytes(), header, b"hello");
    let mut out = Vec::new();
    let h = read_reply(&mut &good[..], &mut out).unwrap();
    assert_eq!(
        (out.as_slice(), h["total_size"].as_u64()),
        (&b"hello"[..], Some(5))
    );

    // Each hostile reply is refused for its own reason, before any
    // allocation of the size it claims.
    let no_size = br#"{"file": "a.txt"}"#;
    let cases: Vec<(Vec<u8>, &str)> = vec![
        (
            reply(&0x7fff_ffffi32.to_le_bytes(), b"", b""),
            "TooLarge { part: Header, len: 2147483647, max: 65536 }",
        ),
        (
            reply(&(-1i32).to_le_bytes(), b"", b""),
            "NegativeLength(-1)",
        ),
        (
            reply(&(header.len() as i32).to_le_bytes(), header, b"hel"),
            "Truncated { part: Body, expected: 5, got: 3 }",
        ),
        (
            reply(&[1, 0], b"", b""),
            "Truncated { part: Prefix, expected: 4, got: 2 }",
        ),
        (reply(&9i32.to_le_bytes(), b"not json!", b""), "BadHeader("),
        (
            reply(&(no_size.len() as i32).to_le_bytes(), no_size, b""),
            "MissingField(\"total_size\")",
        ),
        (
            Vec::new(),
            "Truncated { part: Prefix, expected: 4, got: 0 }",
        ),
    ];
    for (bytes, why) in cases {
        let mut out = Vec::new();
        let err = read_reply(&mut &bytes[..], &mut out).unwrap_err();
        let err = format!("{err:?}");
        assert!(err.starts_with(why), "{err} should be {why}");
    }
}

/// Long enough for a loaded 2-core machine to fork a keeper and run a shell
/// (well under 1 s here at load 45), short enough that the lib tests which
/// wait for a reply that never comes (8 at most) fail within
/// cargo-mutants' 60 s instead of timing out.
const PATIENCE: Duration = Duration::from_secs(10);

use crate::exec::Running;
use std::net::TcpListener;
use std::sync::atomic::AtomicBool;
use std::time::Duration;

/// A loopback connection: (client, server side).
fn pair() -> (TcpStream, TcpStream) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let client = TcpStream::connect(listener.local_addr().unwrap()).unwrap();
    let (server, _) = listener.accept().unwrap();
    (client, server)
}

/// Run `test` as a client of `serve` on a real connection; the client's
/// reads give up after `PATIENCE`.
fn served(test: impl FnOnce(&mut TcpStream)) {
    served_idle(PATIENCE, test)
}

/// `served`, with the server's idle timeout `idle`.
fn served_idle(idle: Duration, test: impl FnOnce(&mut TcpStream)) {
    let (mut client, mut conn) = pair();
    client.set_read_timeout(Some(PATIENCE)).unwrap();
    let peer = client.local_addr().unwrap();
    let server = std::thread::spawn(move || {
        let (stop, running) = (AtomicBool::new(false), Running::default());
        let session = Session {
            peer,
            timeout: PATIENCE,
            idle_timeout: idle,
            hello_timeout: PATIENCE,
            stop: &stop,
            running: &running,
            token: None,
            keeper: Default::default(),
        };
        serve(&mut conn, &session);
    });
    test(&mut client);
    drop(client); // hang up: serve returns, the session reaps its keeper
    server.join().unwrap();
}

#[test]
fn serve_replies_stderr_then_stdout_with_each_size_and_the_exit_code() {
    served(|c| {
        let mut out = Vec::new();
        let h = request(c, b"echo out; echo stderr >&2; exit 3", &mut out).unwrap();
        assert_eq!(out, b"stderr\nout\n");
        let fields = [
            "file",
            "total_size",
            "stderr_size",
            "stdout_size",
            "exit_code",
        ];
        let got: Vec<&Value> = fields.iter().map(|f| &h[*f]).collect();
        assert_eq!(
            got,
            [
                &json!("stderr+stdout"),
                &json!(11),
                &json!(7),
                &json!(4),
                &json!(3)
            ]
        );
        // The same connection runs the next command.
        let mut out = Vec::new();
        request(c, b"echo again", &mut out).unwrap();
        assert_eq!(out, b"again\n");
    });
}

#[test]
fn serve_answers_a_bad_command_with_an_error_reply_and_goes_on() {
    served(|c| {
        for (bad, why) in [
            (
                &b"echo \xff"[..],
                "the command is not valid UTF-8 (garbage bytes?)",
            ),
            (&b"echo a\0b"[..], "the command contains a NUL byte"),
        ] {
            let mut out = Vec::new();
            let h = request(c, bad, &mut out).unwrap();
            let msg = format!("remote-shell: {why}\n");
            assert_eq!(String::from_utf8_lossy(&out), msg);
            assert_eq!(
                (&h["file"], &h["error"]),
                (&json!("error"), &json!(msg.trim_end()))
            );
            assert_eq!(h["total_size"], json!(msg.len()));
        }
        let mut out = Vec::new();
        request(c, b"echo ok", &mut out).unwrap();
        assert_eq!(out, b"ok\n");
    });
}

/// A command of exactly MAX_COMMAND bytes runs whole; one byte more is
/// refused with an error reply, and the connection is closed (the rest of
/// an overlong command would be read as the next one).
#[test]
fn serve_runs_a_command_of_max_command_bytes_and_refuses_one_more() {
    served(|c| {
        let cmd = format!("echo {}", "x".repeat(MAX_COMMAND - 5));
        let mut out = Vec::new();
        request(c, cmd.as_bytes(), &mut out).unwrap();
        assert_eq!(out.len(), MAX_COMMAND - 5 + 1, "the padding and a newline");
    });
    served(|c| {
        let mut out = Vec::new();
        request(c, &[b'x'; MAX_COMMAND + 1], &mut out).unwrap();
        let refused = format!("remote-shell: command longer than {MAX_COMMAND} bytes refused\n");
        assert_eq!(String::from_utf8_lossy(&out), refused);
        assert_eq!(
            c.read(&mut [0u8; 1]).unwrap(),
            0,
            "closed after the refusal"
        );
    });
}

/// A client that sends no command within the idle timeout is closed:
/// end of stream, no reply (the course's reply has no room for one).
#[test]
fn serve_closes_an_idle_connection_after_the_idle_timeout() {
    served_idle(Duration::from_millis(300), |c| {
        let mut rest = Vec::new();
        assert_eq!(c.read_to_end(&mut rest).unwrap(), 0, "{rest:?}");
    });
}

#[test]
fn short_shows_up_to_60_bytes_whole_and_cuts_longer_commands() {
    let sixty = [b'a'; 60];
    assert_eq!(short(&sixty), show_bytes(&sixty));
    assert_eq!(short(b"ls"), show_bytes(b"ls"));
    let long = [b'a'; 61];
    assert_eq!(
        short(&long),
        format!("{}... (61 bytes)", show_bytes(&sixty))
    );
}

/// A reply longer than one read buffer (`CHUNK`), with the next reply
/// right behind it: each is read exactly, none eats into the other.
#[test]
fn back_to_back_replies_are_read_exactly() {
    let long = vec![b'x'; CHUNK + 100];
    let mut wire = Vec::new();
    for body in [&long[..], b"next"] {
        write_header(&mut wire, json!({"file": "f"}), body.len() as u64).unwrap();
        wire.extend_from_slice(body);
    }
    let mut r = &wire[..];
    let (mut first, mut second) = (Vec::new(), Vec::new());
    read_reply(&mut r, &mut first).unwrap();
    read_reply(&mut r, &mut second).unwrap();
    assert_eq!(
        (first == long, second.as_slice(), r.len()),
        (true, &b"next"[..], 0)
    );
}

/// On a socket, a read past the end of the reply would wait for the next
/// reply: `read_reply` returns as soon as the body is in, while the
/// connection stays open.
#[test]
fn read_reply_returns_at_the_end_of_the_body_on_an_open_socket() {
    let (mut client, mut server) = pair();
    client.set_read_timeout(Some(PATIENCE)).unwrap();
    write_header(&mut server, json!({"file": "f"}), 5).unwrap();
    server.write_all(b"hello").unwrap();
    let mut out = Vec::new();
    read_reply(&mut client, &mut out).unwrap();
    assert_eq!(out, b"hello");
    drop(server);
}

/// A server that stops in the middle of a body: the client's read timeout
/// ends the wait with that error (only `EINTR` is retried).
#[test]
fn a_body_that_stops_coming_fails_with_the_read_timeout() {
    let (mut client, mut server) = pair();
    client
        .set_read_timeout(Some(Duration::from_millis(200)))
        .unwrap();
    write_header(&mut server, json!({"file": "f"}), 10).unwrap();
    server.write_all(b"hel").unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut out = Vec::new();
        let _ = tx.send(read_reply(&mut client, &mut out).map(|_| out));
    });
    let got = rx.recv_timeout(PATIENCE).expect("read_reply kept waiting");
    match got {
        Err(FrameError::Io(e)) => assert!(crate::is_timeout(&e), "{e}"),
        other => panic!("expected the read timeout, got {other:?}"),
    }
    drop(server);
}
