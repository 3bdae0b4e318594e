//! One connection's state in an event loop ([`crate::serve_epoll`]).
//!
//! A thread per client keeps its place in the conversation on its stack: it
//! is "inside `read_frame`, 30 bytes into the body". An event loop has one
//! stack for everyone, so it keeps that place per connection, explicitly:
//! the notes' 保存状态 ("saving the state"), by hand. Here it is small,
//! because the loop reads into one shared buffer and keeps only what it
//! could not finish.

use std::io::{self, ErrorKind, Read, Write};
use std::net::TcpStream;

/// One connection's whole state between two events.
pub struct Conn {
    pub stream: TcpStream,
    /// The start of a frame whose rest has not arrived.
    pub partial: Vec<u8>,
    /// Echo bytes the socket's send buffer could not take yet.
    pub pending: Vec<u8>,
}

impl Conn {
    pub fn new(stream: TcpStream) -> Conn {
        Conn {
            stream,
            partial: Vec::new(),
            pending: Vec::new(),
        }
    }

    /// One `read` (level-triggered: if more is left, we are woken again),
    /// then every complete frame goes straight back. `Ok(false)`: closed.
    pub fn on_readable(&mut self, buf: &mut [u8]) -> io::Result<bool> {
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
    pub fn flush(&mut self) -> io::Result<bool> {
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
