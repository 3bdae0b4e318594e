//! Questions we ask the kernel about a socket, so the demo can print facts
//! instead of guesses.
//!
//! * `FIONREAD`: how many bytes sit in the receive buffer right now. For TCP
//!   that is all queued bytes (no boundaries!); for UDP it is the size of the
//!   *next datagram* only — the kernel keeps each datagram separate.
//! * `TCP_NODELAY`: read back, to prove the option really is on.
//! * `TCP_INFO`: the kernel's own counters for a connection; we use
//!   `tcpi_data_segs_out`, the number of TCP segments that carried data.

use std::os::fd::AsFd;
use std::os::fd::AsRawFd;

/// `ioctl(FIONREAD)`: shared with lesson 06, so it lives in `demo-kit`.
pub use demo_kit::sock::{queued_bytes, wait_queued};

/// The value of `TCP_NODELAY` as the kernel reports it.
pub fn nodelay(socket: &impl AsFd) -> nix::Result<bool> {
    nix::sys::socket::getsockopt(socket, nix::sys::socket::sockopt::TcpNoDelay)
}

/// How many data-carrying segments this connection has sent, from
/// `getsockopt(TCP_INFO)` (Linux only; `None` elsewhere or on error).
pub fn data_segments_out(socket: &impl AsRawFd) -> Option<u32> {
    #[cfg(target_os = "linux")]
    {
        // SAFETY: tcp_info is plain old data; zero is a valid value.
        let mut info: nix::libc::tcp_info = unsafe { std::mem::zeroed() };
        let mut len = std::mem::size_of::<nix::libc::tcp_info>() as nix::libc::socklen_t;
        // SAFETY: the kernel writes at most `len` bytes into `info`.
        let rc = unsafe {
            nix::libc::getsockopt(
                socket.as_raw_fd(),
                nix::libc::IPPROTO_TCP,
                nix::libc::TCP_INFO,
                (&mut info as *mut nix::libc::tcp_info).cast(),
                &mut len,
            )
        };
        (rc == 0).then_some(info.tcpi_data_segs_out)
    }
    #[cfg(not(target_os = "linux"))]
    {
        let _ = socket;
        None
    }
}
