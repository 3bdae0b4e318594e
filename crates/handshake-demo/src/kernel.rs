//! Asking the kernel which TCP state a socket is in, through its fd.
//!
//! The course draws the states (LISTEN, SYN_SENT, ESTABLISHED, ...) as
//! pictures. Linux will tell us the real state of *our* sockets in two ways
//! (this module does the first, [`crate::procnet`] the second):
//!
//! * `getsockopt(fd, IPPROTO_TCP, TCP_INFO)` (made in `demo_kit::net`) fills a `struct tcp_info` whose
//!   first byte, `tcpi_state`, is the state of the socket behind `fd`. For a
//!   listening socket, `tcpi_unacked` is the current length of its accept
//!   queue and `tcpi_sacked` the backlog it was given.
//! * `/proc/net/tcp` and `/proc/net/tcp6` list every TCP socket of this
//!   network namespace, including those that no file descriptor points to:
//!   a connection the server has not `accept()`ed yet, and a connection in
//!   TIME_WAIT (after the last `close()` the fd is gone, but the kernel keeps
//!   the connection's ports for a while).

use demo_kit::{Context, Result};
use std::net::SocketAddr;
use std::os::fd::{AsFd, AsRawFd};

/// A TCP state, numbered as in the kernel's `include/net/tcp_states.h`
/// (the same numbers appear in `/proc/net/tcp` in hex).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TcpState {
    Established,
    SynSent,
    SynRecv,
    FinWait1,
    FinWait2,
    TimeWait,
    Close,
    CloseWait,
    LastAck,
    Listen,
    Closing,
    NewSynRecv,
    Unknown(u8),
}

impl TcpState {
    /// Maps the kernel's number to a state.
    pub fn from_kernel(n: u8) -> TcpState {
        use TcpState::*;
        match n {
            1 => Established,
            2 => SynSent,
            3 => SynRecv,
            4 => FinWait1,
            5 => FinWait2,
            6 => TimeWait,
            7 => Close,
            8 => CloseWait,
            9 => LastAck,
            10 => Listen,
            11 => Closing,
            12 => NewSynRecv,
            other => Unknown(other),
        }
    }

    /// The name the course (and `netstat`) uses.
    pub fn name(self) -> String {
        use TcpState::*;
        match self {
            Established => "ESTABLISHED".into(),
            SynSent => "SYN_SENT".into(),
            SynRecv => "SYN_RECV".into(),
            FinWait1 => "FIN_WAIT1".into(),
            FinWait2 => "FIN_WAIT2".into(),
            TimeWait => "TIME_WAIT".into(),
            Close => "CLOSE".into(),
            CloseWait => "CLOSE_WAIT".into(),
            LastAck => "LAST_ACK".into(),
            Listen => "LISTEN".into(),
            Closing => "CLOSING".into(),
            NewSynRecv => "NEW_SYN_RECV".into(),
            Unknown(n) => format!("state#{n}"),
        }
    }
}

impl std::fmt::Display for TcpState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.name())
    }
}

/// The few `struct tcp_info` fields the lessons print.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TcpInfo {
    pub state: TcpState,
    /// On a listener: connections waiting in the accept queue.
    pub unacked: u32,
    /// On a listener: the backlog (maximum accept-queue length).
    pub sacked: u32,
    /// Retransmissions of the current unacknowledged segment (a SYN, while
    /// connecting): the kernel's `icsk_retransmits`.
    pub retransmits: u8,
    /// The retransmission timeout now running, in µs: how long the kernel
    /// will wait before sending again (`icsk_rto`).
    pub rto_us: u32,
}

/// `getsockopt(fd, IPPROTO_TCP, TCP_INFO)` (the call itself is
/// `demo_kit::net::tcp_info`), reduced to the fields the lessons print.
pub fn tcp_info(fd: &impl AsFd) -> Result<TcpInfo> {
    let info = demo_kit::net::tcp_info(fd).context("getsockopt(TCP_INFO)")?;
    Ok(TcpInfo {
        state: TcpState::from_kernel(info.tcpi_state),
        unacked: info.tcpi_unacked,
        sacked: info.tcpi_sacked,
        retransmits: info.tcpi_retransmits,
        rto_us: info.tcpi_rto,
    })
}

/// Just the state from `TCP_INFO`.
pub fn state_of(fd: &impl AsFd) -> Result<TcpState> {
    Ok(tcp_info(fd)?.state)
}

/// `getsockname()` as a std address: which address and port the kernel gave
/// a socket made with nix (port 0 → a free port).
pub fn local_addr(fd: &impl AsFd) -> Result<SocketAddr> {
    use nix::sys::socket::{getsockname, SockaddrLike, SockaddrStorage};
    let sa: SockaddrStorage = getsockname(fd.as_fd().as_raw_fd()).context("getsockname")?;
    if let Some(v4) = sa.as_sockaddr_in() {
        Ok(SocketAddr::V4((*v4).into()))
    } else if let Some(v6) = sa.as_sockaddr_in6() {
        Ok(SocketAddr::V6((*v6).into()))
    } else {
        demo_kit::bail_msg(format!("unexpected address family {:?}", sa.family()))
    }
}
