//! An echo server on the runtime: one task per connection, all on one thread.
//!
//! [`serve_conn`] is a plain loop — read a frame, write it back — and reads
//! like lesson 07's thread per connection. The difference is the `.await`s:
//! where the thread would sleep in `read`, the task returns `Pending` and
//! the thread runs another connection. The frames are the course's: a
//! 4-byte length (`struct.pack('i', n)`, little-endian here) and the body.
//!
//! Like the other servers of the course it survives running out of file
//! descriptors (`EMFILE`): it keeps a spare descriptor, and when `accept`
//! fails it closes the spare, accepts the client, closes it at once (the
//! client reads end-of-file) and takes the spare again (lesson 20's
//! `c10k/src/accept.rs`), so that the queue drains instead of spinning.

use crate::runtime::net::{TcpListener, TcpStream};
use crate::runtime::spawn;
use std::fs::File;
use std::io::{self, ErrorKind};
use std::thread::ThreadId;

/// Frames above this are refused (that client is closed).
pub const MAX_FRAME: usize = 1 << 20;

/// One connection, as a thread per connection would serve it: read a
/// frame, send it back, until the client closes. Returns the frames echoed.
pub async fn serve_conn(conn: TcpStream) -> io::Result<u64> {
    let mut frames = 0;
    let mut header = [0u8; 4];
    let mut body = Vec::new();
    loop {
        // The first byte tells a close between frames from one mid-frame.
        if conn.read(&mut header[..1]).await? == 0 {
            return Ok(frames);
        }
        conn.read_exact(&mut header[1..]).await?;
        let len = i32::from_le_bytes(header);
        let len = usize::try_from(len)
            .ok()
            .filter(|&n| n <= MAX_FRAME)
            .ok_or_else(|| io::Error::new(ErrorKind::InvalidData, format!("frame length {len}")))?;
        body.resize(4 + len, 0);
        body[..4].copy_from_slice(&header);
        conn.read_exact(&mut body[4..]).await?;
        conn.write_all(&body).await?; // the frame back, in one write
        frames += 1;
    }
}

/// One frame: the 4-byte length and the body.
pub fn frame(body: &[u8]) -> Vec<u8> {
    let mut f = (body.len() as i32).to_le_bytes().to_vec();
    f.extend_from_slice(body);
    f
}

/// How each connection ended, and where it ran.
#[derive(Debug)]
pub struct ConnEnd {
    /// Frames echoed, or why the connection was dropped.
    pub result: Result<u64, String>,
    pub thread: ThreadId,
}

#[derive(Debug)]
pub struct ServeReport {
    pub conns: Vec<ConnEnd>,
    /// Clients refused because the process was out of descriptors.
    pub shed: u64,
    pub server_thread: ThreadId,
}

/// Accepts `conns` connections, serves each in its own task, and returns
/// once every one of them has ended. Run it with `Runtime::block_on`.
pub async fn serve(listener: TcpListener, conns: usize) -> io::Result<ServeReport> {
    let mut spare = Some(File::open("/dev/null")?);
    let mut tasks = Vec::with_capacity(conns);
    let mut shed = 0;
    while tasks.len() < conns {
        if spare.is_none() {
            spare = File::open("/dev/null").ok();
        }
        let conn = match listener.accept().await {
            Ok((conn, _)) => conn,
            Err(e)
                if matches!(
                    e.raw_os_error(),
                    Some(nix::libc::EMFILE | nix::libc::ENFILE)
                ) =>
            {
                // accept(2) takes a descriptor number before it looks at
                // the queue: EMFILE comes even when nobody is waiting.
                drop(spare.take()); // one descriptor free...
                match listener.accept_now() {
                    Ok(conn) => {
                        drop(conn); // ...to refuse this client: it reads end-of-file
                        shed += 1;
                    }
                    Err(e) if e.kind() == ErrorKind::WouldBlock => {
                        // Nobody to refuse: keep the spare, wait for a client.
                        spare = File::open("/dev/null").ok();
                        listener.readable().await?;
                    }
                    Err(e) => return Err(e),
                }
                continue;
            }
            Err(e) if e.kind() == ErrorKind::ConnectionAborted => continue,
            Err(e) => return Err(e),
        };
        let name = format!("conn {}", tasks.len() + 1);
        tasks.push(spawn(&name, async move {
            let result = serve_conn(conn).await.map_err(|e| e.to_string());
            ConnEnd {
                result,
                thread: std::thread::current().id(),
            }
        }));
    }
    let mut ends = Vec::with_capacity(conns);
    for task in tasks {
        ends.push(task.await);
    }
    Ok(ServeReport {
        conns: ends,
        shed,
        server_thread: std::thread::current().id(),
    })
}

#[cfg(test)]
mod tests {
    //! A frame's bytes, and `serve_conn` against a blocking client, with
    //! every wait limited: a server that waits for bytes that never come
    //! fails here in seconds, in the unit tests cargo runs first.
    use super::*;
    use crate::runtime::Runtime;
    use std::io::{Read, Write};
    use std::time::Duration;

    #[test]
    fn a_frame_is_the_little_endian_length_then_the_body() {
        assert_eq!(frame(b"abc"), [3, 0, 0, 0, b'a', b'b', b'c']);
        assert_eq!(frame(b""), [0, 0, 0, 0]);
        assert_eq!(frame(&[7; 258])[..4], [2, 1, 0, 0]);
        assert_eq!(frame(&[7; 258]).len(), 4 + 258);
    }

    #[test]
    fn serve_conn_sends_each_frame_back_whole_until_the_client_closes() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let mut client = std::net::TcpStream::connect(listener.local_addr().unwrap()).unwrap();
        client
            .set_read_timeout(Some(Duration::from_secs(5)))
            .unwrap();
        let (conn, _) = listener.accept().unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let served = Runtime::new().and_then(|rt| {
                rt.block_on(async move { serve_conn(TcpStream::from_std(conn)?).await })
            });
            let _ = tx.send(served.map(|r| r.map_err(|e| e.to_string())));
        });
        for body in [&b"x"[..], &[b'y'; 3000], b""] {
            let f = frame(body);
            client.write_all(&f).unwrap();
            let mut back = vec![0; f.len()];
            client.read_exact(&mut back).expect("no echo within 5 s");
            assert_eq!(back, f);
        }
        drop(client); // a close between frames: the end, not an error
        let served = rx
            .recv_timeout(Duration::from_secs(10))
            .expect("serve_conn still runs, 10 s on");
        assert_eq!(served.unwrap(), Ok(3));
    }

    #[test]
    fn serve_returns_an_accept_error_it_cannot_wait_out() {
        // A socket that is not listening: accept(2) says EINVAL, and will
        // say it again however often it is asked.
        use nix::sys::socket::{socket, AddressFamily, SockFlag, SockType};
        let fd = socket(
            AddressFamily::Inet,
            SockType::Stream,
            SockFlag::SOCK_CLOEXEC,
            None,
        )
        .unwrap();
        let listener = TcpListener::from_std(std::net::TcpListener::from(fd)).unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let served = Runtime::new().and_then(|rt| rt.block_on(serve(listener, 1)));
            let _ = tx.send(served.map(|r| r.map(|r| r.shed).map_err(|e| e.raw_os_error())));
        });
        let served = rx
            .recv_timeout(Duration::from_secs(5))
            .expect("serve still runs, 5 s on");
        assert_eq!(served.unwrap(), Err(Some(nix::libc::EINVAL)));
    }

    #[test]
    fn serve_takes_the_connections_it_was_asked_for_then_returns() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let served = Runtime::new().and_then(|rt| {
                rt.block_on(async move { serve(TcpListener::from_std(listener)?, 2).await })
            });
            let _ = tx.send(served.map(|r| r.map_err(|e| e.to_string())));
        });
        for who in [&b"A"[..], b"B"] {
            let mut client = std::net::TcpStream::connect(addr).unwrap();
            client
                .set_read_timeout(Some(Duration::from_secs(5)))
                .unwrap();
            client.write_all(&frame(who)).unwrap();
            let mut back = [0; 5];
            client.read_exact(&mut back).expect("no echo within 5 s");
            assert_eq!(back[..], frame(who)[..]);
        }
        let r = rx
            .recv_timeout(Duration::from_secs(5))
            .expect("serve still waits, 5 s after its 2 clients")
            .unwrap()
            .unwrap();
        let served: Vec<_> = r.conns.iter().map(|c| c.result.clone()).collect();
        assert_eq!(served, [Ok(1), Ok(1)]);
        assert_eq!(r.shed, 0);
        assert!(r.conns.iter().all(|c| c.thread == r.server_thread));
    }
}
