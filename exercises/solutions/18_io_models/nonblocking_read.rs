// Exercise `nonblocking_read` — lesson 18, the I/O models (IO模型, 非阻塞IO):
// docs/18-io-models.md
//
// A blocking `recv` on an empty socket puts the thread to sleep until data
// comes. A NON-blocking one returns at once: with data, with 0 (the peer
// closed), or with the error EAGAIN ("nothing yet, try again"; Python's
// `BlockingIOError`). A server that multiplexes many sockets needs exactly
// that: take everything that is there now, and never wait.
//
// Write `drain`:
//   1. set O_NONBLOCK on the socket with `fcntl` (F_GETFL, then F_SETFL
//      with the old flags | O_NONBLOCK) — do not use `set_nonblocking`;
//   2. call `recv` (nix::sys::socket::recv) in a loop, appending to `out`,
//      until it fails with EAGAIN (then report `closed: false`) or returns 0
//      (the peer closed: `closed: true`). Any other error is returned.
// The tests check that `drain` takes all that is waiting, returns at once on
// an empty socket, leaves the socket non-blocking, and tells a closed peer
// apart from "nothing yet".

use nix::errno::Errno;
use nix::fcntl::{fcntl, FcntlArg, OFlag};
use nix::sys::socket::{recv, MsgFlags};
use std::io;
use std::net::TcpStream;
use std::os::fd::AsRawFd;

/// What one `drain` found.
#[derive(Debug, PartialEq, Eq)]
pub struct Drained {
    /// Bytes appended to `out`.
    pub bytes: usize,
    /// Did `recv` return 0 (end-of-file: the peer closed)?
    pub closed: bool,
}

/// Makes `sock` non-blocking and reads everything waiting in it into `out`.
pub fn drain(sock: &TcpStream, out: &mut Vec<u8>) -> io::Result<Drained> {
    let flags = fcntl(sock, FcntlArg::F_GETFL)?;
    let flags = OFlag::from_bits_retain(flags) | OFlag::O_NONBLOCK;
    fcntl(sock, FcntlArg::F_SETFL(flags))?;
    let mut bytes = 0;
    let mut buf = [0u8; 4096];
    loop {
        match recv(sock.as_raw_fd(), &mut buf, MsgFlags::empty()) {
            Ok(0) => {
                return Ok(Drained {
                    bytes,
                    closed: true,
                })
            }
            Ok(n) => {
                out.extend_from_slice(&buf[..n]);
                bytes += n;
            }
            Err(Errno::EAGAIN) => {
                return Ok(Drained {
                    bytes,
                    closed: false,
                })
            }
            Err(Errno::EINTR) => continue,
            Err(e) => return Err(e.into()),
        }
    }
}
