//! The listening socket, made with the system calls in view, and the line
//! that tells the parent where it listens.
//!
//! `std`'s `TcpListener::bind` picks the accept queue's length (the
//! backlog, 全连接队列) itself; a server expecting 10,000 clients at once
//! wants the longest the kernel allows (`net.core.somaxconn`, 4096 here),
//! or clients whose handshake finds the queue full wait a second for a SYN
//! retransmission. So: `socket`, `SO_REUSEADDR`, `bind`, `listen(4096)`.

use demo_kit::{Context, Result};
use nix::sys::socket::{
    bind, listen, setsockopt, socket, sockopt, AddressFamily, Backlog, SockFlag, SockType,
    SockaddrIn,
};
use std::io::Write;
use std::net::{SocketAddr, SocketAddrV4, TcpListener};

/// The accept queue we ask for (the kernel caps it at `somaxconn`).
pub const BACKLOG: i32 = 4096;

/// Binds `addr` (IPv4) and listens with a long accept queue.
pub fn listen_on(addr: &str) -> Result<TcpListener> {
    let parsed: SocketAddrV4 = addr
        .parse()
        .with_context(|| format!("--addr {addr:?} is not an IPv4 address:port like 127.0.0.1:0"))?;
    let fd = socket(
        AddressFamily::Inet,
        SockType::Stream,
        SockFlag::SOCK_CLOEXEC,
        None,
    )
    .context("socket")?;
    setsockopt(&fd, sockopt::ReuseAddr, &true).context("setsockopt(SO_REUSEADDR)")?;
    if let Err(e) = bind(
        std::os::fd::AsRawFd::as_raw_fd(&fd),
        &SockaddrIn::from(parsed),
    ) {
        return Err(demo_kit::fail::bind_error(addr, &std::io::Error::from(e)));
    }
    let backlog = Backlog::new(BACKLOG).unwrap_or(Backlog::MAXCONN);
    listen(&fd, backlog).context("listen")?;
    Ok(TcpListener::from(fd))
}

/// Prints `listening on ADDR` (the parent waits for this line).
pub fn announce(listener: &TcpListener, model: &str) -> Result<SocketAddr> {
    let addr = listener
        .local_addr()
        .context("reading the listener's address")?;
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "listening on {addr} (model {model}, pid {})",
        std::process::id()
    )
    .context("stdout")?;
    out.flush().context("stdout")?;
    Ok(addr)
}
