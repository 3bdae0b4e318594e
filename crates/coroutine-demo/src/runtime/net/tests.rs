//! The runtime's sockets: a socket closed leaves the reactor, so that a
//! new one with the same descriptor number is watched anew; and after a
//! short read the next waits for the next edge without a system call.

use super::*;
use crate::echo::{frame, serve};
use crate::runtime::{spawn, yield_now, Runtime};
use demo_kit::child::{exit_code, fork_child, reap_or_kill};
use std::net::SocketAddr;
use std::time::Duration;

/// One client of `serve`: a frame, its echo, then the end of file.
async fn one_client(addr: std::net::SocketAddrV4) -> io::Result<RawFd> {
    let conn = TcpStream::connect(addr).await?;
    conn.write_all(&frame(b"hi")).await?;
    let mut back = [0; 6];
    conn.read_exact(&mut back).await?;
    conn.shutdown_write()?;
    match (back[..] == frame(b"hi")[..], conn.read(&mut back).await?) {
        (true, 0) => Ok(conn.as_raw_fd()), // echoed, then the server closed
        other => Err(io::Error::other(format!("{other:?}"))),
    }
}

/// Twice the same: a listener, a server, a client; the numbers of the
/// listener and the client each time.
async fn two_rounds() -> io::Result<Vec<(RawFd, RawFd)>> {
    let mut fds = Vec::new();
    for _ in 0..2 {
        let listener = TcpListener::bind("127.0.0.1:0")?;
        let SocketAddr::V4(addr) = listener.local_addr()? else {
            return Err(io::Error::other("not IPv4"));
        };
        let lfd = listener.as_raw_fd();
        let server = spawn("server", serve(listener, 1));
        yield_now().await; // the server's accept says EAGAIN: it waits
        let cfd = one_client(addr).await?;
        server.await?;
        fds.push((lfd, cfd));
    }
    Ok(fds)
}

#[test]
fn a_descriptor_number_closed_and_used_again_is_watched_again() {
    // In a child of its own, one thread: all of the first round is
    // closed before the second opens, so the second gets the same
    // (lowest free) numbers, which no other test can take meanwhile.
    let child = fork_child(|| {
        let Ok(rt) = Runtime::new() else { return 10 };
        match rt.block_on(two_rounds()) {
            Ok(Ok(fds)) if fds[0] == fds[1] => 0,
            Ok(Ok(_)) => 11, // not used again: this test shows nothing
            _ => 12,
        }
    })
    .unwrap();
    let status = reap_or_kill(child, Duration::from_secs(5))
        .expect("a socket was never woken: still waiting 5 s on");
    assert_eq!(exit_code(status), Some(0), "{status:?}");
}

#[test]
fn after_a_short_read_the_next_waits_for_the_edge_without_a_call() {
    use crate::handwritten::Handoff;
    use crate::runtime::Event;
    use std::io::Write;
    use std::rc::Rc;
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let mut peer = std::net::TcpStream::connect(listener.local_addr().unwrap()).unwrap();
    let (conn, _) = listener.accept().unwrap();
    let fd = conn.as_raw_fd();
    // A second connection, idle: writable all along, never readable.
    let idle_peer = std::net::TcpStream::connect(listener.local_addr().unwrap()).unwrap();
    let (idle, _) = listener.accept().unwrap();
    let idle_fd = idle.as_raw_fd();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let run = || -> io::Result<_> {
            let rt = Runtime::new()?;
            rt.record(true);
            let reads = rt.block_on(async move {
                let idle = TcpStream::from_std(idle)?;
                spawn("idle", async move {
                    let _ = idle.read(&mut [0; 1]).await; // registers, waits
                });
                let conn = TcpStream::from_std(conn)?;
                let slot = Rc::new(Handoff::default());
                let handed = slot.clone();
                let reader = spawn("reader", async move {
                    let mut buf = [0u8; 100];
                    // EAGAIN, then the 10 bytes: fewer than asked.
                    let a = conn.read(&mut buf).await?;
                    // Main sends 8 more. No call until their edge; then
                    // 4, all it asked.
                    handed.put(a as u64).await;
                    let b = conn.read(&mut buf[..4]).await?;
                    // So the buffer may hold more: the call at once.
                    let c = conn.read(&mut buf[..4]).await?;
                    Ok::<_, io::Error>((a, b, c))
                });
                yield_now().await; // the reader's read says EAGAIN
                peer.write_all(&[1; 10])?;
                slot.take().await;
                yield_now().await; // the reader waits again
                peer.write_all(&[2; 8])?;
                reader.await
            })??;
            Ok((reads, rt.events()))
        };
        let _ = tx.send(run().map_err(|e| e.to_string()));
        drop(idle_peer);
    });
    let (reads, events) = rx
        .recv_timeout(Duration::from_secs(5))
        .expect("a read still waits, 5 s on")
        .unwrap();
    assert_eq!(reads, (10, 4, 4));
    let waits: Vec<_> = events
        .iter()
        .filter_map(|e| match e {
            Event::Register { fd: f, op, .. } if *f == fd => Some(*op),
            _ => None,
        })
        .collect();
    assert_eq!(waits, ["read", "read (buffer emptied)"], "{events:?}");
    // Each read that went through is told, with its bytes.
    let done: Vec<_> = events
        .iter()
        .filter_map(|e| match e {
            Event::Io { fd: f, op, n, .. } if *f == fd => Some((*op, *n)),
            _ => None,
        })
        .collect();
    assert_eq!(done, [("read", 10), ("read", 4), ("read", 4)], "{events:?}");
    // Edge-triggered: the idle socket is reported once, when it is added
    // while writable (epoll(7)), not again at every epoll_wait.
    let idle_seen = events
        .iter()
        .filter(|e| matches!(e, Event::Wait { ready } if ready.iter().any(|r| r.0 == idle_fd)))
        .count();
    assert!(idle_seen <= 1, "{events:?}");
}

#[test]
fn each_socket_gives_its_own_descriptor() {
    let std_listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let std_stream = std::net::TcpStream::connect(std_listener.local_addr().unwrap()).unwrap();
    let (lfd, sfd) = (std_listener.as_raw_fd(), std_stream.as_raw_fd());
    let listener = TcpListener::from_std(std_listener).unwrap();
    let stream = TcpStream::from_std(std_stream).unwrap();
    assert_eq!((listener.as_raw_fd(), stream.as_raw_fd()), (lfd, sfd));
    assert_eq!(stream.local_addr().unwrap().ip().to_string(), "127.0.0.1");
}
