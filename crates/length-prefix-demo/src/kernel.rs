//! Questions we ask the kernel about the server's socket, so the demo
//! prints facts instead of guesses.
//!
//! * `ioctl(FIONREAD)`: how many bytes sit in the receive buffer right now.
//!   For TCP that is *all* queued bytes, with no trace of where one `send()`
//!   ended and the next began.
//! * `recv(MSG_PEEK)`: copies queued bytes out *without* removing them — it
//!   shows exactly what one plain `recv()` would have returned, while leaving
//!   the bytes for the framed reader.

use nix::sys::socket::{recv, MsgFlags};
use std::os::fd::AsRawFd;
use std::time::Duration;

/// Bytes waiting in the receive buffer (`ioctl(fd, FIONREAD, &n)`).
pub fn queued_bytes(socket: &impl AsRawFd) -> std::io::Result<usize> {
    let mut n: nix::libc::c_int = 0;
    // SAFETY: FIONREAD writes one int through the pointer we pass.
    let rc = unsafe { nix::libc::ioctl(socket.as_raw_fd(), nix::libc::FIONREAD, &mut n) };
    if rc < 0 {
        return Err(std::io::Error::last_os_error());
    }
    Ok(n as usize)
}

/// Waits (bounded by `timeout`) until the kernel reports at least `want`
/// bytes queued, and returns the count it reported. `Ok(None)` on timeout.
///
/// There is no event for "N bytes have arrived" short of reading them, and
/// reading is exactly what we must not do yet; so this polls `FIONREAD`.
/// On loopback the bytes are normally queued before the client's `write()`
/// even returns, so the first check almost always succeeds.
pub fn wait_queued(
    socket: &impl AsRawFd,
    want: usize,
    timeout: Duration,
) -> std::io::Result<Option<usize>> {
    let mut last_err = None;
    let got = demo_kit::wait::until(timeout, || match queued_bytes(socket) {
        Ok(n) if n >= want => Some(n),
        Ok(_) => None,
        Err(e) => {
            last_err = Some(e);
            Some(0)
        }
    });
    match last_err {
        Some(e) => Err(e),
        None => Ok(got),
    }
}

/// Peeks at up to `max` queued bytes with `recv(fd, buf, MSG_PEEK)`: what a
/// single raw `recv(max)` would return, left in place for the next read.
pub fn peek(socket: &impl AsRawFd, max: usize) -> nix::Result<Vec<u8>> {
    let mut buf = vec![0u8; max];
    let n = recv(socket.as_raw_fd(), &mut buf, MsgFlags::MSG_PEEK)?;
    buf.truncate(n);
    Ok(buf)
}
