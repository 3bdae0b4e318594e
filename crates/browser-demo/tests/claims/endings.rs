//! How a connection ends, each way told apart by the server: a client that
//! closes between requests or in the middle of a head, one that resets
//! (a failed read, not a timeout), one that stalls in its body, and one
//! that trickles its head a byte at a time, which the head's deadline,
//! counted from the first byte, still cuts off.

use super::{refused, start};
use browser_demo::server::{Event, Timeouts};
use crossbeam_channel::Receiver;
use std::io::{ErrorKind, Read, Write};
use std::net::{Shutdown, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Why the server says the connection ended, and whether it refused it
/// first (its `Refused` events).
fn ending(rx: &Receiver<Event>) -> (String, Vec<u16>) {
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut refusals = Vec::new();
    loop {
        match rx.recv_deadline(deadline) {
            Ok(Event::Closed { why, .. }) => return (why, refusals),
            Ok(Event::Refused { status, .. }) => refusals.push(status),
            Ok(_) => {}
            Err(e) => panic!("no Closed event: {e}"),
        }
    }
}

/// Waits for the server's `Accepted`: the connection is its, not the backlog's.
fn accepted(rx: &Receiver<Event>) {
    loop {
        match rx.recv_timeout(Duration::from_secs(10)) {
            Ok(Event::Accepted { .. }) => return,
            Ok(_) => {}
            Err(e) => panic!("no Accepted event: {e}"),
        }
    }
}

/// Closes `s` with a reset: `SO_LINGER` on, with a time of 0 (socket(7)).
fn reset(s: TcpStream) {
    let now = nix::libc::linger {
        l_onoff: 1,
        l_linger: 0,
    };
    nix::sys::socket::setsockopt(&s, nix::sys::socket::sockopt::Linger, &now).unwrap();
    drop(s);
}

#[test]
fn each_way_a_connection_ends_is_told_apart() {
    demo_kit::lang::set(demo_kit::lang::Lang::En); // the reasons checked are the English ones
    let (server, rx) = start(Timeouts::default());
    let reset_why = "read failed: Connection reset by peer (os error 104)";

    // Closed between requests: the normal end.
    let s = TcpStream::connect(server.addr).unwrap();
    accepted(&rx);
    drop(s);
    assert_eq!(
        ending(&rx),
        ("the client closed the connection".into(), vec![])
    );

    // Closed in the middle of a head.
    let mut s = TcpStream::connect(server.addr).unwrap();
    s.write_all(b"GET / HTTP/1.1\r\nHost: x").unwrap();
    s.shutdown(Shutdown::Write).unwrap();
    let why = "the client closed after 23 bytes of an unfinished request";
    assert_eq!(ending(&rx), (why.into(), vec![]));

    // Reset before a byte: a failed read, not an idle connection timing out.
    let s = TcpStream::connect(server.addr).unwrap();
    accepted(&rx);
    reset(s);
    assert_eq!(ending(&rx), (reset_why.into(), vec![]));

    // Reset in the body (its head read, 3 of its 10 bytes sent): a failed
    // read too. The bytes that came before the reset are read first
    // (tcp_recvmsg() in net/ipv4/tcp.c takes queued data before the error).
    let mut s = TcpStream::connect(server.addr).unwrap();
    accepted(&rx);
    s.write_all(b"POST / HTTP/1.1\r\nContent-Length: 10\r\n\r\nabc")
        .unwrap();
    reset(s);
    assert_eq!(ending(&rx), (reset_why.into(), vec![]));
}

#[test]
fn a_stalled_body_is_closed_at_the_head_deadline() {
    demo_kit::lang::set(demo_kit::lang::Lang::En); // the reason checked is the English one
    let (server, rx) = start(Timeouts {
        idle: Duration::from_secs(10),
        head: Duration::from_millis(300),
    });
    let head = "POST / HTTP/1.1\r\nContent-Length: 10\r\n\r\n";
    let mut s = TcpStream::connect(server.addr).unwrap();
    let started = Instant::now();
    s.write_all(format!("{head}abc").as_bytes()).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let mut rest = Vec::new();
    assert_eq!(
        s.read_to_end(&mut rest).unwrap(),
        0,
        "closed without a reply"
    );
    let waited = started.elapsed();
    assert!(
        waited >= Duration::from_millis(250) && waited < Duration::from_secs(5),
        "{waited:?}"
    );
    // Counted as a timeout (the reason names the bytes of its head).
    let why = format!(
        "only {} bytes of a head within 300ms: closed it",
        head.len()
    );
    assert_eq!(refused(&rx), [(0, why)]);
}

#[test]
fn a_client_that_trickles_its_head_is_closed_at_the_head_deadline() {
    demo_kit::lang::set(demo_kit::lang::Lang::En); // the reason checked is the English one
    let (server, rx) = start(Timeouts {
        idle: Duration::from_secs(10),
        head: Duration::from_millis(200),
    });
    let mut s = TcpStream::connect(server.addr).unwrap();
    s.write_all(b"GET / HTTP/1.1\r\nX-Slow: ").unwrap();
    let started = Instant::now();
    // One more byte every 40 ms for up to 2 s, never the end of the head:
    // the pace is the test's input, so here a sleep is the point.
    let mut w = s.try_clone().unwrap();
    let stop = Arc::new(AtomicBool::new(false));
    let stopped = Arc::clone(&stop);
    let trickle = std::thread::spawn(move || {
        while !stopped.load(Ordering::SeqCst) && started.elapsed() < Duration::from_secs(2) {
            std::thread::sleep(Duration::from_millis(40));
            if w.write_all(b"a").is_err() {
                break;
            }
        }
    });
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let mut buf = [0u8; 64];
    // The server's close: an end of file, or a reset if a byte of ours
    // arrived after its last read.
    let end = loop {
        match s.read(&mut buf) {
            Err(e) if e.kind() == ErrorKind::Interrupted => continue,
            r => break r.map_err(|e| e.kind()),
        }
    };
    let waited = started.elapsed();
    stop.store(true, Ordering::SeqCst);
    trickle.join().unwrap();
    assert!(
        matches!(end, Ok(0) | Err(ErrorKind::ConnectionReset)),
        "{end:?}"
    );
    // 200 ms from the first byte, however many came after it.
    assert!(
        waited < Duration::from_millis(1200),
        "closed after {waited:?}: each byte renewed the deadline"
    );
    let refusals = refused(&rx);
    assert_eq!(refusals.len(), 1, "{refusals:?}");
    assert!(
        refusals[0]
            .1
            .ends_with(" bytes of a head within 200ms: closed it"),
        "{refusals:?}"
    );
}
