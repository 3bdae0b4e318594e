//! `backlog` mode: what `listen(N)` really limits (半连接池).
//!
//! The course says the backlog "limits simultaneous requests, not
//! connections". Linux keeps two queues per listener:
//!
//! * the SYN queue (半连接队列): half-open connections in SYN_RECV, waiting
//!   for the client's final ACK; its size comes from `tcp_max_syn_backlog`;
//! * the accept queue (全连接队列): connections whose handshake is finished
//!   (ESTABLISHED) and that wait for the program to call `accept()`. *This*
//!   is what `listen(N)` sizes (capped by `net.core.somaxconn`).
//!
//! We make a listener that never accepts and connect K clients without
//! blocking, one after the other. The kernel lets N+1 finish (its test is
//! "queue length > N", not ">="); then it *drops* further SYNs without a
//! reply, so those clients sit in SYN_SENT and retry: on Linux 6.x every
//! 1 s for the first `tcp_syn_linear_timeouts` (4) tries, then doubling.
//! When the program finally accepts, a retry gets in.

use crate::kernel::{self, TcpState};
use crate::procnet;
use demo_kit::say::{say, step};
use demo_kit::{Context, Result, Side};
use nix::errno::Errno;
use nix::sys::socket::{
    self, connect, listen, setsockopt, sockopt, AddressFamily, Backlog, SockFlag, SockType,
    SockaddrStorage,
};
use std::net::SocketAddr;
use std::os::fd::{AsRawFd, OwnedFd};
use std::time::{Duration, Instant};

/// How long one client may take to complete its handshake before we
/// conclude that its SYN was dropped and connect the next one. Connecting
/// one at a time keeps the result exact even on a busy machine.
pub const HANDSHAKE_WAIT: Duration = Duration::from_millis(500);

/// What the backlog experiment observed.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct BacklogReport {
    pub backlog: i32,
    pub clients: usize,
    /// Backlog the kernel reports for the listener (TCP_INFO tcpi_sacked).
    pub kernel_backlog: u32,
    /// Clients whose own fd says ESTABLISHED, before any accept().
    pub established: usize,
    pub syn_sent: usize,
    /// Server-side sockets of this listener in /proc (accept queue; SYN_RECV).
    pub server_established: usize,
    pub server_syn_recv: usize,
    /// Accept-queue length from TCP_INFO on the listener.
    pub accept_queue: u32,
    /// ListenOverflows counter increase (whole namespace: other programs count too).
    pub listen_overflows: u64,
    pub accepted: usize,
    /// Clients ESTABLISHED after the accepts, and how long after their
    /// connect() each newcomer got in.
    pub established_after: usize,
    pub waits: Vec<Duration>,
}

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

/// Server-side sockets for this listener in /proc: (ESTABLISHED, SYN_RECV).
pub fn server_side(listen_addr: SocketAddr) -> Result<(usize, usize)> {
    let entries = procnet::proc_entries()?;
    let mine = entries.iter().filter(|e| e.local == listen_addr);
    let (mut est, mut syn) = (0, 0);
    for e in mine {
        est += usize::from(e.state == TcpState::Established);
        syn += usize::from(e.state == TcpState::SynRecv);
    }
    Ok((est, syn))
}

/// Runs the experiment: listen(backlog), `clients` connects, accept some.
pub fn run(ipv6: bool, backlog: i32, clients: usize) -> Result<BacklogReport> {
    let mut r = BacklogReport {
        backlog,
        clients,
        ..Default::default()
    };
    step(1, "the kernel's limits (/proc/sys/net)");
    for name in [
        "core/somaxconn",
        "ipv4/tcp_max_syn_backlog",
        "ipv4/tcp_syncookies",
        "ipv4/tcp_abort_on_overflow",
        "ipv4/tcp_syn_retries",
        "ipv4/tcp_syn_linear_timeouts",
    ] {
        let value = procnet::sysctl(name).unwrap_or_else(|e| format!("unreadable: {e}"));
        say(
            Side::Kernel,
            format!("net.{} = {value}", name.replace('/', ".")),
        );
    }
    let overflows_before = procnet::tcp_ext_counter("ListenOverflows").unwrap_or(0);

    step(2, format!("listen(backlog={backlog}) and never accept()"));
    let (lfd, laddr) = listener(ipv6, backlog)?;
    r.kernel_backlog = kernel::tcp_info(&lfd)?.sacked;
    say(
        Side::Server,
        format!(
            "listening on {laddr}; the kernel records backlog {}",
            r.kernel_backlog
        ),
    );

    step(
        3,
        format!("{clients} non-blocking clients connect, one after another"),
    );
    let mut all = Vec::new();
    for i in 1..=clients {
        let before = kernel::tcp_info(&lfd)?.unacked;
        let c = connect_nonblocking(laddr)?;
        // Bounded wait: either the handshake finishes and the accept queue
        // grows, or the SYN was dropped and nothing happens.
        let got_in = demo_kit::wait::until(HANDSHAKE_WAIT, || {
            let est = kernel::state_of(&c.fd).ok()? == TcpState::Established;
            let grew = kernel::tcp_info(&lfd).ok()?.unacked > before;
            (est && grew).then_some(())
        });
        let state = kernel::state_of(&c.fd)?;
        let how = if got_in.is_some() {
            "handshake done"
        } else {
            "no answer to its SYN"
        };
        say(
            Side::Client,
            format!("client {i} ({}): {state} — {how}", c.addr),
        );
        all.push(c);
    }

    step(4, "what the kernel shows now");
    r.established = count(&all, TcpState::Established)?;
    r.syn_sent = count(&all, TcpState::SynSent)?;
    (r.server_established, r.server_syn_recv) = server_side(laddr)?;
    r.accept_queue = kernel::tcp_info(&lfd)?.unacked;
    r.listen_overflows = procnet::tcp_ext_counter("ListenOverflows")
        .unwrap_or(0)
        .saturating_sub(overflows_before);
    say(
        Side::Kernel,
        format!(
            "clients: {} ESTABLISHED, {} SYN_SENT (from each client's TCP_INFO)",
            r.established, r.syn_sent
        ),
    );
    say(Side::Kernel, format!("server side (/proc): {} ESTABLISHED waiting in the accept queue, {} SYN_RECV; listener's accept queue = {}", r.server_established, r.server_syn_recv, r.accept_queue));
    say(Side::Kernel, format!("TcpExt ListenOverflows grew by {} (SYNs dropped because an accept queue was full; counts the whole machine)", r.listen_overflows));
    if r.established == backlog as usize + 1 {
        say(Side::Note, format!("backlog {backlog} let {} connections finish: Linux checks \"queue > backlog\", so it admits backlog + 1.", r.established));
    } else {
        say(
            Side::Note,
            format!(
                "backlog {backlog} let {} of {clients} connections finish.",
                r.established
            ),
        );
    }
    if r.syn_sent > 0 {
        say(Side::Note, "the other clients got no SYN+ACK and no RST: their SYN was silently dropped and they keep retrying (SYN_SENT),");
        say(Side::Note, "every 1 s for the first tcp_syn_linear_timeouts tries (a recent sysctl; older kernels double from the start), then doubling, tcp_syn_retries times in all.");
        say(Side::Note, "so listen(N) limits connections that are finished but not yet accept()ed — not the connections a server can have.");
    }

    let waiting: Vec<usize> = (0..all.len())
        .filter(|&i| kernel::state_of(&all[i].fd).ok() == Some(TcpState::SynSent))
        .collect();
    if waiting.is_empty() {
        say(
            Side::Note,
            "no client is waiting: run with --clients above backlog + 1 to see the queue overflow.",
        );
        r.established_after = r.established;
        return Ok(r);
    }
    step(
        5,
        "the server accepts some; waiting clients retry and get in",
    );
    let to_accept = waiting.len().min(2);
    let mut accepted = Vec::new();
    for _ in 0..to_accept {
        accepted.push(socket::accept(&lfd).context("accept()")?);
    }
    r.accepted = to_accept;
    say(
        Side::Server,
        format!("accept() x{to_accept}: {to_accept} slot(s) free in the accept queue"),
    );
    // Watch all waiting clients at once; note when each one gets in.
    let mut got: Vec<Option<Duration>> = vec![None; waiting.len()];
    demo_kit::wait::until(Duration::from_millis(4500), || {
        for (slot, &i) in got.iter_mut().zip(&waiting) {
            if slot.is_none() && kernel::state_of(&all[i].fd).ok() == Some(TcpState::Established) {
                *slot = Some(all[i].started.elapsed());
            }
        }
        (got.iter().flatten().count() >= to_accept).then_some(())
    });
    for (slot, &i) in got.iter().zip(&waiting) {
        match slot {
            Some(t) => {
                r.waits.push(*t);
                say(
                    Side::Client,
                    format!(
                        "client {} got in {:.1} s after its connect(): its retried SYN found room",
                        i + 1,
                        t.as_secs_f64()
                    ),
                );
            }
            None => say(
                Side::Client,
                format!(
                    "client {} still {} (no room for its retry)",
                    i + 1,
                    kernel::state_of(&all[i].fd)?
                ),
            ),
        }
    }
    r.established_after = count(&all, TcpState::Established)?;
    say(
        Side::Kernel,
        format!(
            "clients ESTABLISHED now: {} of {clients}",
            r.established_after
        ),
    );
    drop(accepted);
    Ok(r)
}
