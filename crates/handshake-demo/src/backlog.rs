//! `backlog` mode: what `listen(N)` really limits (半连接池).
//!
//! The course says the backlog "limits simultaneous requests, not
//! connections". Linux keeps two queues per listener:
//!
//! * the SYN queue (半连接队列): half-open connections in SYN_RECV, waiting
//!   for the client's final ACK. Since Linux 4.4 it is limited by the same
//!   backlog; past that, with `tcp_syncookies = 1` (the default) the kernel
//!   answers with a SYN cookie instead of storing the connection, and
//!   `tcp_max_syn_backlog` only matters when cookies are off;
//! * the accept queue (全连接队列): connections whose handshake is finished
//!   (ESTABLISHED) and that wait for the program to call `accept()`. This
//!   is the queue `listen(N)` visibly limits (N capped by
//!   `net.core.somaxconn`), and the one this demo fills.
//!
//! We make a listener that never accepts and connect K clients without
//! blocking, one after the other. The kernel lets N+1 finish (its test is
//! "queue length > N", not ">="); then it *drops* further SYNs without a
//! reply, so those clients sit in SYN_SENT and retry: on Linux 6.x every
//! 1 s for the first `tcp_syn_linear_timeouts` (4) tries, then doubling.
//! When the program finally accepts, a retry gets in.

use crate::kernel::{self, TcpState};
pub use crate::listener::{connect_nonblocking, count, listener, server_side, Client};
use crate::procnet;
use demo_kit::say::{say, step};
use demo_kit::{Context, Result, Side};
use nix::sys::socket;
use std::time::Duration;

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
    let cookies_before = procnet::tcp_ext_counter("SyncookiesSent").unwrap_or(0);

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
    if r.syn_sent > 0 && r.established == backlog as usize + 1 {
        say(Side::Note, format!("backlog {backlog} let {} connection(s) finish: Linux checks \"queue > backlog\", so it admits backlog + 1.", r.established));
    } else {
        say(
            Side::Note,
            format!(
                "backlog {backlog} let {} of {clients} connection(s) finish.",
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
    // Accept only connections the kernel says are queued, so that no
    // accept() can block: at most 2, and no more than there are waiters.
    let queued = kernel::tcp_info(&lfd)?.unacked as usize;
    let to_accept = waiting.len().min(2).min(queued);
    let mut accepted = Vec::new();
    for _ in 0..to_accept {
        accepted.push(socket::accept(&lfd).context("accept()")?);
    }
    r.accepted = to_accept;
    let now = kernel::tcp_info(&lfd)?.unacked as usize;
    let room = (backlog as usize + 1).saturating_sub(now);
    say(
        Side::Server,
        format!("accept() x{to_accept}: the accept queue holds {now} now, room for {room} more (TCP_INFO)"),
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
                        "client {} ESTABLISHED {:.1} s after its connect(): a retried SYN was answered",
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
            "clients ESTABLISHED now: {} of {clients} (each client's own view)",
            r.established_after
        ),
    );
    // A client turns ESTABLISHED when the SYN|ACK arrives; the server may
    // still drop its final ACK if the queue filled up meanwhile. /proc has
    // the server's side of the story.
    let (est, syn) = server_side(laddr)?;
    say(
        Side::Kernel,
        format!("server side (/proc): {est} ESTABLISHED ({to_accept} of them accept()ed), {syn} SYN_RECV"),
    );
    let unseen = r.established_after.saturating_sub(est);
    if unseen > 0 {
        let cookies = procnet::tcp_ext_counter("SyncookiesSent")
            .unwrap_or(0)
            .saturating_sub(cookies_before);
        say(Side::Note, format!("{unseen} client(s) believe they are connected, yet the server has no ESTABLISHED socket for them: a client is ESTABLISHED once the SYN|ACK arrives,"));
        say(Side::Note, "but the server drops the final ACK if its accept queue is full by then (ListenOverflows) — two retries answered at the same moment.");
        say(Side::Kernel, format!("TcpExt SyncookiesSent grew by {cookies} during this run (a SYN cookie leaves no SYN_RECV entry behind)"));
    }
    drop(accepted);
    Ok(r)
}
