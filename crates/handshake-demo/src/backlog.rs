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
//! reply, so those clients sit in SYN_SENT and retry (when: see
//! [`crate::retries`]). When the program finally accepts, a retry gets in.
//!
//! [`run`] is the list of steps; each step is a function below, in order.

use crate::admit::{accept_some, compare_the_two_views, watch_the_waiters_get_in};
use crate::kernel::{self, TcpState};
use crate::listener::{connect_nonblocking, count, listener, server_side, Client};
use crate::procnet;
use crate::retries::schedule;
use demo_kit::say::{say, step};
use demo_kit::{tr, Result, Side};
use std::net::SocketAddr;
use std::os::fd::OwnedFd;
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
    /// Clients that count themselves ESTABLISHED while the server has no
    /// socket for them (their final ACK was dropped).
    pub unseen: usize,
}

/// The namespace-wide counters, read before the experiment.
struct Before {
    overflows: u64,
    cookies: u64,
}

/// Runs the experiment: listen(backlog), `clients` connects, accept some.
pub fn run(ipv6: bool, backlog: i32, clients: usize) -> Result<BacklogReport> {
    let mut r = BacklogReport {
        backlog,
        clients,
        ..Default::default()
    };
    let before = read_the_limits();
    let (lfd, laddr) = listen_and_never_accept(ipv6, &mut r)?;
    let all = connect_one_by_one(&lfd, laddr, clients)?;
    look_at_both_sides(&lfd, laddr, &all, &before, &mut r)?;
    let waiting: Vec<usize> = (0..all.len())
        .filter(|&i| kernel::state_of(&all[i].fd).ok() == Some(TcpState::SynSent))
        .collect();
    if waiting.is_empty() {
        say(
            Side::Note,
            tr!(
                "no client is waiting: run with --clients above backlog + 1 to see the queue overflow.",
                "没有客户端在等：用大于 backlog + 1 的 --clients 再运行，才能看到队列溢出。"
            ),
        );
        r.established_after = r.established;
        return Ok(r);
    }
    let accepted = accept_some(&lfd, waiting.len(), backlog)?;
    r.accepted = accepted.len();
    (r.waits, r.established_after) = watch_the_waiters_get_in(&all, &waiting, r.accepted)?;
    r.unseen = compare_the_two_views(laddr, &all, before.cookies, r.accepted, r.established_after)?;
    drop(accepted);
    Ok(r)
}

/// Step 1: the sysctls that decide what happens, and the counters before.
fn read_the_limits() -> Before {
    step(
        1,
        tr!(
            "the kernel's limits (/proc/sys/net)",
            "内核的各项限制（/proc/sys/net）"
        ),
    );
    for name in [
        "core/somaxconn",
        "ipv4/tcp_max_syn_backlog",
        "ipv4/tcp_syncookies",
        "ipv4/tcp_abort_on_overflow",
        "ipv4/tcp_syn_retries",
        "ipv4/tcp_syn_linear_timeouts",
    ] {
        let value =
            procnet::sysctl(name).unwrap_or_else(|e| tr!("unreadable: {e}", "读不出来：{e}"));
        say(
            Side::Kernel,
            format!("net.{} = {value}", name.replace('/', ".")),
        );
    }
    Before {
        overflows: procnet::tcp_ext_counter("ListenOverflows").unwrap_or(0),
        cookies: procnet::tcp_ext_counter("SyncookiesSent").unwrap_or(0),
    }
}

/// Step 2: `socket`, `bind`, `listen(N)` — and no `accept()`.
fn listen_and_never_accept(ipv6: bool, r: &mut BacklogReport) -> Result<(OwnedFd, SocketAddr)> {
    step(
        2,
        tr!(
            "listen(backlog={}) and never accept()",
            "listen(backlog={})，并且从不 accept()",
            r.backlog
        ),
    );
    let (lfd, laddr) = listener(ipv6, r.backlog)?;
    r.kernel_backlog = kernel::tcp_info(&lfd)?.sacked;
    say(
        Side::Server,
        tr!(
            "listening on {laddr}; the kernel records backlog {}",
            "在 {laddr} 上监听；内核记下的 backlog 是 {}",
            r.kernel_backlog
        ),
    );
    Ok((lfd, laddr))
}

/// Step 3: non-blocking `connect()`s, each given time to finish.
fn connect_one_by_one(lfd: &OwnedFd, laddr: SocketAddr, clients: usize) -> Result<Vec<Client>> {
    step(
        3,
        tr!(
            "{clients} non-blocking clients connect, one after another",
            "{clients} 个非阻塞的客户端依次连接"
        ),
    );
    let mut all = Vec::new();
    for i in 1..=clients {
        let before = kernel::tcp_info(lfd)?.unacked;
        let c = connect_nonblocking(laddr)?;
        // Bounded wait: either the handshake finishes and the accept queue
        // grows, or the SYN was dropped and nothing happens.
        let got_in = demo_kit::wait::until(HANDSHAKE_WAIT, || {
            let est = kernel::state_of(&c.fd).ok()? == TcpState::Established;
            let grew = kernel::tcp_info(lfd).ok()?.unacked > before;
            (est && grew).then_some(())
        });
        let how = if got_in.is_some() {
            tr!("handshake done", "握手完成")
        } else {
            tr!("no answer to its SYN", "它的 SYN 没有回应")
        };
        let state = kernel::state_of(&c.fd)?;
        say(
            Side::Client,
            tr!(
                "client {i} ({}): {state} — {how}",
                "客户端 {i}（{}）：{state}——{how}",
                c.addr
            ),
        );
        all.push(c);
    }
    Ok(all)
}

/// Step 4: each client's own view, the server's side in /proc, the counters.
fn look_at_both_sides(
    lfd: &OwnedFd,
    laddr: SocketAddr,
    all: &[Client],
    before: &Before,
    r: &mut BacklogReport,
) -> Result<()> {
    step(4, tr!("what the kernel shows now", "内核现在看到的"));
    r.established = count(all, TcpState::Established)?;
    r.syn_sent = count(all, TcpState::SynSent)?;
    (r.server_established, r.server_syn_recv) = server_side(laddr, all)?;
    r.accept_queue = kernel::tcp_info(lfd)?.unacked;
    r.listen_overflows = procnet::tcp_ext_counter("ListenOverflows")
        .unwrap_or(0)
        .saturating_sub(before.overflows);
    say(
        Side::Kernel,
        tr!(
            "clients: {} ESTABLISHED, {} SYN_SENT (from each client's TCP_INFO)",
            "客户端：{} 个 ESTABLISHED，{} 个 SYN_SENT（读自每个客户端的 TCP_INFO）",
            r.established,
            r.syn_sent
        ),
    );
    say(Side::Kernel, tr!("server side (/proc): {} ESTABLISHED waiting in the accept queue, {} SYN_RECV; listener's accept queue = {}", "服务端（/proc）：{} 个 ESTABLISHED 在 accept 队列里等着，{} 个 SYN_RECV；监听套接字的 accept 队列 = {}", r.server_established, r.server_syn_recv, r.accept_queue));
    say(Side::Kernel, tr!("TcpExt ListenOverflows grew by {} (SYNs or final ACKs dropped because an accept queue was full, by any listener in this network namespace)", "TcpExt ListenOverflows 增加了 {}（因为 accept 队列已满而丢弃的 SYN 或最后一个 ACK，算的是这个网络命名空间里所有的监听套接字）", r.listen_overflows));
    let (backlog, clients) = (r.backlog, r.clients);
    if r.syn_sent > 0 && r.established == backlog as usize + 1 {
        say(Side::Note, tr!("backlog {backlog} let {} connection(s) finish: Linux checks \"queue > backlog\", so it admits backlog + 1.", "backlog 为 {backlog}，却有 {} 个连接完成了握手：Linux 判断的是“队列 > backlog”，所以能放进 backlog + 1 个。", r.established));
    } else {
        say(
            Side::Note,
            tr!(
                "backlog {backlog} let {} of {clients} connection(s) finish.",
                "backlog 为 {backlog}：{clients} 个连接中有 {} 个完成了握手。",
                r.established
            ),
        );
    }
    if r.syn_sent > 0 {
        say(Side::Note, tr!("the other clients got no SYN+ACK and no RST: their SYN was silently dropped and they keep retrying (SYN_SENT).", "其余的客户端既没收到 SYN+ACK，也没收到 RST：它们的 SYN 被悄悄丢弃了，于是一直在重试（SYN_SENT）。"));
        let linear = procnet::sysctl("ipv4/tcp_syn_linear_timeouts").ok();
        let retries = procnet::sysctl("ipv4/tcp_syn_retries").ok();
        if let (Some(l), Some(n)) = (linear, retries) {
            let (l, n) = (l.parse().unwrap_or(0), n.parse().unwrap_or(6));
            let waits: Vec<String> = schedule(l, n).iter().map(u64::to_string).collect();
            say(Side::Note, tr!("with tcp_syn_linear_timeouts = {l} the kernel waits {} s after the SYN and each retry: {} one-second retries, then doubling (see: handshake-demo retries).", "tcp_syn_linear_timeouts = {l} 时，内核在 SYN 和每次重试之后分别等 {} s：先是 {} 次间隔一秒的重试，之后间隔翻倍（见 handshake-demo retries）。", waits.join(", "), (l + 1).min(n)));
        }
        say(Side::Note, tr!("so listen(N) limits connections that are finished but not yet accept()ed — not the connections a server can have.", "所以 listen(N) 限制的是已完成握手、还没被 accept() 的连接数，而不是一个服务端总共能有多少连接。"));
    }
    Ok(())
}
