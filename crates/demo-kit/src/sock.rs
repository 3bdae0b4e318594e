//! "How many bytes are waiting?" — asked of the kernel, not guessed.
//!
//! The sticky-packet lessons must read only *after* every byte a client
//! sent has reached the server's receive buffer; otherwise whether messages
//! stick together would depend on luck. There is no event for "N bytes
//! have arrived" short of reading them (which would consume them), so we ask
//! `ioctl(FIONREAD)` and poll, briefly and boundedly. On loopback the bytes
//! are normally queued before the client's `write()` even returns, so the
//! first check almost always succeeds.
//!
//! For TCP, `FIONREAD` counts *all* queued bytes, with no trace of where one
//! `send()` ended and the next began; for UDP it is the size of the *next
//! datagram* only — the kernel keeps datagrams apart.

use std::os::fd::AsRawFd;
use std::time::Duration;

/// Bytes waiting in the receive buffer: `ioctl(fd, FIONREAD, &n)`.
///
/// ```
/// use std::io::Write;
/// let server = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
/// let mut client = std::net::TcpStream::connect(server.local_addr().unwrap()).unwrap();
/// let (conn, _) = server.accept().unwrap();
/// client.write_all(b"hello").unwrap();
/// let n = demo_kit::sock::wait_queued(&conn, 5, std::time::Duration::from_secs(5)).unwrap();
/// assert_eq!(n, Some(5));
/// assert_eq!(demo_kit::sock::queued_bytes(&conn).unwrap(), 5);
/// ```
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
/// bytes queued; returns the count it reported, or `Ok(None)` on timeout.
pub fn wait_queued(
    socket: &impl AsRawFd,
    want: usize,
    timeout: Duration,
) -> std::io::Result<Option<usize>> {
    let mut failure = None;
    let got = crate::wait::until(timeout, || match queued_bytes(socket) {
        Ok(n) if n >= want => Some(n),
        Ok(_) => None,
        Err(e) => {
            failure = Some(e);
            Some(0)
        }
    });
    match failure {
        Some(e) => Err(e),
        None => Ok(got),
    }
}
