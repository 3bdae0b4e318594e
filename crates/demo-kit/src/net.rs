//! The two pieces of TCP plumbing several network demos need identically.
//!
//! * [`tcp_info`]: `getsockopt(fd, IPPROTO_TCP, TCP_INFO)`, the kernel's own
//!   view of one connection (its state, its retransmissions, how many data
//!   segments it sent, a listener's accept queue). nix 0.32 has no wrapper
//!   for this option, so the call is made with libc: this is the one place
//!   that `unsafe` call exists.
//! * [`loopback_pair`]: a listener on loopback with a port the kernel
//!   picks (port 0, so demos and parallel tests never collide), a client
//!   connected to it, and the server's accepted socket. A demo about what
//!   happens *on* a connection (sticky packets, framing, teardown) starts
//!   from here; a demo about the handshake itself makes the calls in its
//!   own code.

use crate::{Context, Result};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::os::fd::{AsFd, AsRawFd};

/// libc's `struct tcp_info`, field names as in `<linux/tcp.h>` (`tcpi_state`, ...).
#[cfg(target_os = "linux")]
pub use nix::libc::tcp_info as TcpInfo;

/// `getsockopt(fd, IPPROTO_TCP, TCP_INFO)`: the kernel's `struct tcp_info`
/// for the TCP socket behind `fd` (Linux). `tcpi_state` is the state
/// number of `include/net/tcp_states.h` (1 ESTABLISHED ... 10 LISTEN).
///
/// ```
/// let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
/// let info = demo_kit::net::tcp_info(&l).unwrap();
/// assert_eq!(info.tcpi_state, 10); // LISTEN
/// ```
#[cfg(target_os = "linux")]
pub fn tcp_info(fd: &impl AsFd) -> std::io::Result<TcpInfo> {
    use nix::libc;
    // SAFETY: tcp_info is plain old data; all-zero bytes are a valid value.
    let mut info: libc::tcp_info = unsafe { std::mem::zeroed() };
    let mut len = std::mem::size_of::<libc::tcp_info>() as libc::socklen_t;
    // SAFETY: the pointer and length describe `info`, which outlives the
    // call; the kernel writes at most `len` bytes and updates `len`.
    let rc = unsafe {
        libc::getsockopt(
            fd.as_fd().as_raw_fd(),
            libc::IPPROTO_TCP,
            libc::TCP_INFO,
            (&mut info as *mut libc::tcp_info).cast(),
            &mut len,
        )
    };
    if rc != 0 {
        return Err(std::io::Error::last_os_error());
    }
    Ok(info)
}

/// A connected client and server on loopback, and the listener they met on.
pub struct LoopbackPair {
    /// Still listening: further clients may connect (the tests do).
    pub listener: TcpListener,
    /// The client's socket, connected.
    pub client: TcpStream,
    /// The server's socket: what `accept()` returned.
    pub server: TcpStream,
    /// The listener's address (the kernel picked the port).
    pub server_addr: SocketAddr,
    /// The client's address (the kernel picked this port too).
    pub client_addr: SocketAddr,
}

/// `bind(127.0.0.1:0)` (or `[::1]:0`) + `listen`, `connect`, `accept`.
///
/// `connect()` returns once the kernel has finished the handshake, even
/// though nobody has called `accept()` yet (the connection waits in the
/// accept queue), so doing both in one thread cannot block.
///
/// ```
/// use std::io::{Read, Write};
/// let mut p = demo_kit::net::loopback_pair(false).unwrap();
/// p.client.write_all(b"hi").unwrap();
/// let mut got = [0u8; 2];
/// p.server.read_exact(&mut got).unwrap();
/// assert_eq!(&got, b"hi");
/// assert_eq!(p.server.peer_addr().unwrap(), p.client_addr);
/// ```
pub fn loopback_pair(ipv6: bool) -> Result<LoopbackPair> {
    let addr = if ipv6 { "[::1]:0" } else { "127.0.0.1:0" };
    let listener = TcpListener::bind(addr).with_context(|| {
        format!("listening on {addr} (for --ipv6 the machine needs IPv6 loopback)")
    })?;
    let server_addr = listener
        .local_addr()
        .context("asking the kernel which port it chose")?;
    let client = TcpStream::connect(server_addr)
        .with_context(|| format!("client connecting to {server_addr}"))?;
    let client_addr = client
        .local_addr()
        .context("reading the client's address")?;
    let (server, _) = listener.accept().context("server accept()")?;
    Ok(LoopbackPair {
        listener,
        client,
        server,
        server_addr,
        client_addr,
    })
}
