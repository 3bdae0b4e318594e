//! A question we ask the kernel about the server's socket, so the demo
//! prints facts instead of guesses (the other, `ioctl(FIONREAD)`, is
//! `demo_kit::sock::wait_queued`):
//!
//! * `recv(MSG_PEEK)`: copies queued bytes out *without* removing them — it
//!   shows exactly what one plain `recv()` would have returned, while leaving
//!   the bytes for the framed reader.

use nix::sys::socket::{recv, MsgFlags};
use std::os::fd::AsRawFd;

/// Peeks at up to `max` queued bytes with `recv(fd, buf, MSG_PEEK)`: what a
/// single raw `recv(max)` would return, left in place for the next read.
pub fn peek(socket: &impl AsRawFd, max: usize) -> nix::Result<Vec<u8>> {
    let mut buf = vec![0u8; max];
    let n = recv(socket.as_raw_fd(), &mut buf, MsgFlags::MSG_PEEK)?;
    buf.truncate(n);
    Ok(buf)
}
