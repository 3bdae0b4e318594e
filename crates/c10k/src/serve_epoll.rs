//! `--model epoll`: one thread, one `epoll` loop, every connection.
//!
//! Lesson 18's multiplexing, as a real server: non-blocking sockets, all
//! registered with one epoll instance (level-triggered), and one loop that
//! sleeps in `epoll_wait` and serves whatever is ready. What a thread per
//! client keeps on its stack, this loop keeps per connection in [`Conn`]:
//! the socket, the bytes of a frame not complete yet, and the bytes of an
//! echo the socket could not take yet — usually both empty, so a connection
//! costs about 64 bytes here, plus the kernel's socket.

use crate::accept::{accept, Spare};
use nix::sys::epoll::{Epoll, EpollCreateFlags, EpollEvent, EpollFlags, EpollTimeout};
use std::io::{self, ErrorKind, Read, Write};
use std::net::{TcpListener, TcpStream};

const LISTENER: u64 = u64::MAX;

/// One connection's whole state between two events.
struct Conn {
    stream: TcpStream,
    /// The start of a frame whose rest has not arrived.
    partial: Vec<u8>,
    /// Echo bytes the socket's send buffer could not take yet.
    pending: Vec<u8>,
}

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
            let had_pending = !conn.pending.is_empty();
            let pending_changed = |c: &Conn| had_pending != !c.pending.is_empty();
            let open = if event.events().contains(EpollFlags::EPOLLOUT) {
                conn.flush()
            } else {
                conn.on_readable(&mut buf)
            };
            match open {
                Ok(true) if pending_changed(conn) => {
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

impl Conn {
    /// One `read` (level-triggered: if more is left, we are woken again),
    /// then every complete frame goes straight back. `Ok(false)`: closed.
    fn on_readable(&mut self, buf: &mut [u8]) -> io::Result<bool> {
        let n = match (&self.stream).read(buf) {
            Ok(0) => return Ok(false),
            Ok(n) => n,
            Err(e) if e.kind() == ErrorKind::WouldBlock => return Ok(true),
            Err(e) => return Err(e),
        };
        let mut held = std::mem::take(&mut self.partial);
        let data: &[u8] = if held.is_empty() {
            &buf[..n]
        } else {
            held.extend_from_slice(&buf[..n]);
            &held
        };
        let end = complete_frames(data)?;
        self.send(&data[..end])?;
        self.partial = data[end..].to_vec(); // allocates only for a split frame
        Ok(true)
    }

    /// Writes what the socket takes now; keeps the rest for `EPOLLOUT`.
    fn send(&mut self, bytes: &[u8]) -> io::Result<()> {
        if !self.pending.is_empty() {
            self.pending.extend_from_slice(bytes);
            return Ok(());
        }
        let written = match (&self.stream).write(bytes) {
            Ok(k) => k,
            Err(e) if e.kind() == ErrorKind::WouldBlock => 0,
            Err(e) => return Err(e),
        };
        self.pending = bytes[written..].to_vec();
        Ok(())
    }

    /// The socket is writable again: send what was waiting.
    fn flush(&mut self) -> io::Result<bool> {
        let pending = std::mem::take(&mut self.pending);
        self.send(&pending)?;
        Ok(true)
    }
}

/// The length of the complete frames at the start of `data` (course
/// format: 4-byte `struct.pack('i')` length, then the body). A length that
/// is negative or above the limit is an error: that client is closed.
pub fn complete_frames(data: &[u8]) -> io::Result<usize> {
    let mut at = 0;
    while let Some(prefix) = data.get(at..at + 4) {
        let len = framing::Prefix::CourseLe
            .decode([prefix[0], prefix[1], prefix[2], prefix[3]])
            .map_err(|e| io::Error::new(ErrorKind::InvalidData, e.to_string()))?;
        if len > crate::MAX_FRAME as u64 {
            return Err(io::Error::new(
                ErrorKind::InvalidData,
                format!("frame of {len} bytes"),
            ));
        }
        if data.len() < at + 4 + len as usize {
            break;
        }
        at += 4 + len as usize;
    }
    Ok(at)
}
