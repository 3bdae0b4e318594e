//! The sockets of the `backlog` experiment, made with nix so that every
//! system call stays visible: a listener (`socket`, `SO_REUSEADDR`, `bind`,
//! `listen(N)`) that nobody will `accept()` on, clients that `connect()`
//! without blocking, and the two ways to count who got in — each client's
//! own `TCP_INFO`, and the server side's lines in `/proc/net/tcp`.

use crate::kernel::{self, TcpState};
use crate::procnet;
use demo_kit::{Context, Result};
use nix::errno::Errno;
use nix::sys::socket::{
    self, connect, listen, setsockopt, sockopt, AddressFamily, Backlog, SockFlag, SockType,
    SockaddrStorage,
};
use std::net::SocketAddr;
use std::os::fd::{AsRawFd, OwnedFd};
use std::time::Instant;

/// A client socket and when it called connect().
pub struct Client {
    pub fd: OwnedFd,
    pub addr: SocketAddr,
    pub started: Instant,
}

/// `socket` + `SO_REUSEADDR` + `bind(port 0)` + `listen(backlog)`, with nix.
pub fn listener(ipv6: bool, backlog: i32) -> Result<(OwnedFd, SocketAddr)> {
    let (family, addr) = if ipv6 {
        (AddressFamily::Inet6, "[::1]:0")
    } else {
        (AddressFamily::Inet, "127.0.0.1:0")
    };
    let fd = socket::socket(family, SockType::Stream, SockFlag::SOCK_CLOEXEC, None)
        .context("socket()")?;
    setsockopt(&fd, sockopt::ReuseAddr, &true).context("setsockopt(SO_REUSEADDR)")?;
    let sa = SockaddrStorage::from(addr.parse::<SocketAddr>().context("parsing address")?);
    socket::bind(fd.as_raw_fd(), &sa).with_context(|| format!("bind({addr})"))?;
    let backlog = Backlog::new(backlog).context("backlog out of range (0..=4096)")?;
    listen(&fd, backlog).context("listen()")?;
    let local = kernel::local_addr(&fd)?;
    Ok((fd, local))
}

/// A non-blocking `connect()`: returns at once (EINPROGRESS) whatever
/// happens to the SYN.
pub fn connect_nonblocking(server: SocketAddr) -> Result<Client> {
    let family = match server {
        SocketAddr::V4(_) => AddressFamily::Inet,
        SocketAddr::V6(_) => AddressFamily::Inet6,
    };
    let flags = SockFlag::SOCK_NONBLOCK | SockFlag::SOCK_CLOEXEC;
    let fd = socket::socket(family, SockType::Stream, flags, None).context("client socket()")?;
    let started = Instant::now();
    match connect(fd.as_raw_fd(), &SockaddrStorage::from(server)) {
        Ok(()) | Err(Errno::EINPROGRESS) => {}
        Err(e) => return Err(e).context("client connect()"),
    }
    let addr = kernel::local_addr(&fd)?;
    Ok(Client { fd, addr, started })
}

/// Counts clients by the state their own fd reports.
pub fn count(clients: &[Client], state: TcpState) -> Result<usize> {
    let mut n = 0;
    for c in clients {
        n += usize::from(kernel::state_of(&c.fd)? == state);
    }
    Ok(n)
}

/// Server-side sockets for this listener in /proc: (ESTABLISHED, SYN_RECV),
/// counting only connections from `clients`. Another program's old
/// connection can still hold the same local port (a listener that was
/// closed, its accepted sockets not yet), and would otherwise be counted.
/// Each client counts once: `/proc/net/tcp` is read in chunks, and the
/// kernel resumes each chunk by its position in a hash bucket
/// (`tcp_seek_last_pos` in net/ipv4/tcp_ipv4.c), so while sockets come and
/// go a line can be listed twice.
pub fn server_side(listen_addr: SocketAddr, clients: &[Client]) -> Result<(usize, usize)> {
    let entries = procnet::proc_entries_on(listen_addr.port())?;
    let (mut est, mut syn) = (0, 0);
    for c in clients {
        let server_end = entries
            .iter()
            .find(|e| e.local == listen_addr && e.remote == c.addr);
        match server_end.map(|e| e.state) {
            Some(TcpState::Established) => est += 1,
            Some(TcpState::SynRecv) => syn += 1,
            _ => {}
        }
    }
    Ok((est, syn))
}
