//! `--model epoll`: one thread, one `epoll` loop, every connection.
//!
//! Lesson 18's multiplexing, as a real server: non-blocking sockets, all
//! registered with one epoll instance (level-triggered), and one loop that
//! sleeps in `epoll_wait` and serves whatever is ready. What a thread per
//! client keeps on its stack, this loop keeps per connection in [`Conn`]:
//! the socket, the bytes of a frame not complete yet, and the bytes of an
//! echo the socket could not take yet (`src/conn.rs`) — usually both
//! empty, so a connection costs about 64 bytes here, plus the kernel's socket.

use crate::accept::{accept, Spare};
use crate::conn::Conn;
use nix::sys::epoll::{Epoll, EpollCreateFlags, EpollEvent, EpollFlags, EpollTimeout};
use std::io::{self, ErrorKind};
use std::net::TcpListener;

const LISTENER: u64 = u64::MAX;

/// Serves every connection from this thread.
pub fn serve(listener: TcpListener) -> io::Result<()> {
    listener.set_nonblocking(true)?;
    event_loop(&listener, false)
}

/// The loop. `exclusive` (`EPOLLEXCLUSIVE`) lets several loops share one
/// listener without all waking for each new client (`epoll-cores`).
pub fn event_loop(listener: &TcpListener, exclusive: bool) -> io::Result<()> {
    let epoll = Epoll::new(EpollCreateFlags::EPOLL_CLOEXEC)?;
    let mut flags = EpollFlags::EPOLLIN;
    if exclusive {
        flags |= EpollFlags::EPOLLEXCLUSIVE;
    }
    epoll.add(listener, EpollEvent::new(flags, LISTENER))?;
    let (mut conns, mut free): (Vec<Option<Conn>>, Vec<usize>) = (Vec::new(), Vec::new());
    let (mut buf, mut events) = (vec![0u8; 64 * 1024], vec![EpollEvent::empty(); 256]);
    let mut spare = Spare::new()?;
    loop {
        let n = match epoll.wait(&mut events, EpollTimeout::NONE) {
            Ok(n) => n,
            Err(nix::errno::Errno::EINTR) => continue,
            Err(e) => return Err(e.into()),
        };
        for event in &events[..n] {
            if event.data() == LISTENER {
                // Take the waiting clients, until accept says EAGAIN (at most
                // 1024 per wake-up; level-triggered, we are woken again).
                for _ in 0..1024 {
                    let conn = match accept(listener, &mut spare) {
                        Ok(Some(conn)) => conn,
                        Ok(None) => continue, // shed (EMFILE): keep draining the queue
                        Err(e) if e.kind() == ErrorKind::WouldBlock => break,
                        Err(e) => return Err(e),
                    };
                    conn.set_nonblocking(true)?;
                    let slot = free.pop().unwrap_or(conns.len());
                    epoll.add(&conn, EpollEvent::new(EpollFlags::EPOLLIN, slot as u64))?;
                    let conn = Some(Conn {
                        stream: conn,
                        partial: Vec::new(),
                        pending: Vec::new(),
                    });
                    if slot == conns.len() {
                        conns.push(conn)
                    } else {
                        conns[slot] = conn
                    }
                }
                continue;
            }
            let slot = event.data() as usize;
            let Some(conn) = conns[slot].as_mut() else {
                continue;
            };
            let was_empty = conn.pending.is_empty();
            let open = if event.events().contains(EpollFlags::EPOLLOUT) {
                conn.flush()
            } else {
                conn.on_readable(&mut buf)
            };
            match open {
                Ok(true) if was_empty != conn.pending.is_empty() => {
                    // Watch for "writable" only while an echo is waiting.
                    let want = if conn.pending.is_empty() {
                        EpollFlags::EPOLLIN
                    } else {
                        EpollFlags::EPOLLOUT
                    };
                    epoll.modify(&conn.stream, &mut EpollEvent::new(want, slot as u64))?;
                }
                Ok(true) => {}
                Ok(false) | Err(_) => {
                    epoll.delete(&conn.stream)?;
                    conns[slot] = None; // closes the socket
                    free.push(slot);
                }
            }
        }
    }
}
