// Exercise `epoll_echo` — lesson 18, the I/O models (IO多路复用, epoll):
// docs/18-io-models.md
//
// The loop at the heart of every event-driven server (nginx, Redis, Python's
// asyncio, Rust's tokio): ONE thread, ONE epoll instance, any number of
// clients. Write `serve`:
//   1. `Epoll::new`, and register the listener (`epoll.add`) for EPOLLIN
//      with the data `LISTENER`;
//   2. loop on `epoll.wait`. For the listener: `accept`, make the connection
//      non-blocking, register it for EPOLLIN | EPOLLET (edge-triggered) with
//      a key of your own (keep the connections in a HashMap by that key);
//   3. for a connection: EDGE-triggered means you hear about new data once,
//      so read (`recv`, into the 1024-byte buffer) until EAGAIN, sending each
//      piece back with `write_all_nonblocking`. 0 bytes = the client closed:
//      `epoll.delete` it and drop it.
// Return once `clients` clients have connected and all of them have closed,
// with the total number of bytes echoed. The tests send a message far bigger
// than your buffer: read only once per event and the echo stalls.

use nix::errno::Errno;
use nix::poll::{poll, PollFd, PollFlags, PollTimeout};
use nix::sys::epoll::{Epoll, EpollCreateFlags, EpollEvent, EpollFlags, EpollTimeout};
use nix::sys::socket::{recv, send, MsgFlags};
use std::collections::HashMap;
use std::io;
use std::net::{TcpListener, TcpStream};
use std::os::fd::{AsFd, AsRawFd};

/// The epoll data that marks the listening socket.
const LISTENER: u64 = u64::MAX;

/// Serves `clients` clients from this one thread; returns bytes echoed.
pub fn serve(listener: TcpListener, clients: usize) -> io::Result<u64> {
    let epoll = Epoll::new(EpollCreateFlags::EPOLL_CLOEXEC)?;
    epoll.add(&listener, EpollEvent::new(EpollFlags::EPOLLIN, LISTENER))?;
    let mut conns: HashMap<u64, TcpStream> = HashMap::new();
    let (mut accepted, mut echoed) = (0usize, 0u64);
    let mut events = [EpollEvent::empty(); 32];
    while accepted < clients || !conns.is_empty() {
        let n = epoll.wait(&mut events, EpollTimeout::NONE)?;
        for event in &events[..n] {
            if event.data() == LISTENER {
                let (conn, _) = listener.accept()?;
                conn.set_nonblocking(true)?;
                accepted += 1;
                let key = accepted as u64;
                epoll.add(
                    &conn,
                    EpollEvent::new(EpollFlags::EPOLLIN | EpollFlags::EPOLLET, key),
                )?;
                conns.insert(key, conn);
                continue;
            }
            let key = event.data();
            let Some(conn) = conns.get(&key) else {
                continue;
            };
            let mut buf = [0u8; 1024];
            let closed = loop {
                match recv(conn.as_raw_fd(), &mut buf, MsgFlags::empty()) {
                    Ok(0) | Err(Errno::ECONNRESET) => break true,
                    Ok(n) => {
                        write_all_nonblocking(conn, &buf[..n])?;
                        echoed += n as u64;
                    }
                    Err(Errno::EAGAIN) => break false,
                    Err(Errno::EINTR) => continue,
                    Err(e) => return Err(e.into()),
                }
            };
            if closed {
                epoll.delete(conn)?;
                conns.remove(&key);
            }
        }
    }
    Ok(echoed)
}

/// `write_all` for a non-blocking socket: when the send buffer is full
/// (EAGAIN), wait until `poll` says it is writable again. (Given: not part
/// of the exercise.)
fn write_all_nonblocking(conn: &TcpStream, mut bytes: &[u8]) -> io::Result<()> {
    while !bytes.is_empty() {
        match send(conn.as_raw_fd(), bytes, MsgFlags::MSG_NOSIGNAL) {
            Ok(n) => bytes = &bytes[n..],
            Err(Errno::EAGAIN) => {
                let mut fds = [PollFd::new(conn.as_fd(), PollFlags::POLLOUT)];
                poll(&mut fds, PollTimeout::from(5000u16))?;
            }
            Err(Errno::EINTR) => {}
            Err(e) => return Err(e.into()),
        }
    }
    Ok(())
}
