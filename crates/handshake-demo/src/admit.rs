//! The second half of `backlog`: the server finally calls `accept()`.
//!
//! Each `accept()` takes one finished connection off the accept queue and
//! makes room; a waiting client gets in at its next SYN retry, without
//! knowing it was ever refused. A client counts itself ESTABLISHED as soon
//! as the SYN|ACK arrives, so we compare its view with the server's
//! (`/proc`) at the end: they can disagree.

use crate::kernel::{self, TcpState};
use crate::listener::{count, server_side, Client};
use crate::procnet;
use demo_kit::say::{say, step};
use demo_kit::{tr, Context, Result, Side};
use nix::sys::socket::accept;
use std::net::SocketAddr;
use std::os::fd::OwnedFd;
use std::time::Duration;

/// Step 5: `accept()` as many as are queued (so it cannot block), at most 2.
pub(crate) fn accept_some(lfd: &OwnedFd, waiters: usize, backlog: i32) -> Result<Vec<OwnedFd>> {
    step(
        5,
        tr!(
            "the server accepts some; waiting clients retry and get in",
            "服务端 accept 几个；等待中的客户端重试，连了进来"
        ),
    );
    let queued = kernel::tcp_info(lfd)?.unacked as usize;
    let to_accept = waiters.min(2).min(queued);
    let mut accepted = Vec::new();
    for _ in 0..to_accept {
        accepted.push(accept(lfd).context("accept()")?);
    }
    let now = kernel::tcp_info(lfd)?.unacked as usize;
    let room = (backlog as usize + 1).saturating_sub(now);
    say(
        Side::Server,
        tr!(
            "accept() x{to_accept}: the accept queue holds {now} now, room for {room} more (TCP_INFO)",
            "accept() x{to_accept}：accept 队列里现在有 {now} 个，还能再放 {room} 个（TCP_INFO）"
        ),
    );
    Ok(accepted)
}

/// Then: watch all waiting clients at once; note when each one gets in.
/// Returns those times and how many clients are ESTABLISHED now.
pub(crate) fn watch_the_waiters_get_in(
    all: &[Client],
    waiting: &[usize],
    accepted: usize,
) -> Result<(Vec<Duration>, usize)> {
    let mut waits = Vec::new();
    let mut got: Vec<Option<Duration>> = vec![None; waiting.len()];
    demo_kit::wait::until(Duration::from_millis(4500), || {
        for (slot, &i) in got.iter_mut().zip(waiting) {
            if slot.is_none() && kernel::state_of(&all[i].fd).ok() == Some(TcpState::Established) {
                *slot = Some(all[i].started.elapsed());
            }
        }
        (got.iter().flatten().count() >= accepted).then_some(())
    });
    for (slot, &i) in got.iter().zip(waiting) {
        match slot {
            Some(t) => {
                waits.push(*t);
                say(
                    Side::Client,
                    tr!(
                        "client {} ESTABLISHED {:.1} s after its connect(): a retried SYN was answered",
                        "客户端 {} 在 connect() 之后 {:.1} 秒变为 ESTABLISHED：重发的 SYN 得到了回应",
                        i + 1,
                        t.as_secs_f64()
                    ),
                );
            }
            None => say(
                Side::Client,
                tr!(
                    "client {} still {} (no room for its retry)",
                    "客户端 {} 仍是 {}（它重试时队列没有空位）",
                    i + 1,
                    kernel::state_of(&all[i].fd)?
                ),
            ),
        }
    }
    let established = count(all, TcpState::Established)?;
    say(
        Side::Kernel,
        tr!(
            "clients ESTABLISHED now: {established} of {} (each client's own view)",
            "现在 ESTABLISHED 的客户端：{established} 个，共 {} 个（按每个客户端自己的看法）",
            all.len()
        ),
    );
    Ok((waits, established))
}

/// Last: a client turns ESTABLISHED when the SYN|ACK arrives; the server
/// may still drop its final ACK if the queue filled up meanwhile. /proc
/// has the server's side of the story. Returns how many clients believe
/// they are connected without a server-side socket (and says so if any).
pub(crate) fn compare_the_two_views(
    laddr: SocketAddr,
    clients: &[Client],
    cookies_before: u64,
    accepted: usize,
    established_after: usize,
) -> Result<usize> {
    let (est, syn) = server_side(laddr, clients)?;
    say(
        Side::Kernel,
        tr!(
            "server side (/proc): {est} ESTABLISHED ({accepted} of them accept()ed), {syn} SYN_RECV",
            "服务端（/proc）：{est} 个 ESTABLISHED（其中 {accepted} 个已被 accept()），{syn} 个 SYN_RECV"
        ),
    );
    let unseen = established_after.saturating_sub(est);
    if unseen == 0 {
        return Ok(0);
    }
    let cookies = procnet::tcp_ext_counter("SyncookiesSent")
        .unwrap_or(0)
        .saturating_sub(cookies_before);
    say(Side::Note, tr!("{unseen} client(s) believe they are connected, yet the server has no ESTABLISHED socket for them: a client is ESTABLISHED once the SYN|ACK arrives,", "有 {unseen} 个客户端以为自己已经连上，服务端却没有对应的 ESTABLISHED 套接字：客户端一收到 SYN|ACK 就进入 ESTABLISHED，"));
    say(Side::Note, tr!("but the server drops the final ACK if its accept queue is full by then (ListenOverflows) — two retries answered at the same moment.", "但如果那时服务端的 accept 队列已满，它会丢掉最后一个 ACK（ListenOverflows）——两个重试在同一时刻得到了回应。"));
    say(Side::Kernel, tr!("TcpExt SyncookiesSent grew by {cookies} during this run (a SYN cookie leaves no SYN_RECV entry behind)", "这次运行中 TcpExt SyncookiesSent 增加了 {cookies}（SYN cookie 不会留下 SYN_RECV 记录）"));
    Ok(unseen)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Nothing listens on this address (port 1 needs root to bind, and the
    /// course never does), so the server side has no socket: two clients
    /// that count themselves ESTABLISHED are two the server does not know.
    #[test]
    fn clients_the_server_has_no_socket_for_are_counted() {
        demo_kit::say::set_quiet(true);
        let nowhere: SocketAddr = "127.0.0.1:1".parse().unwrap();
        assert_eq!(compare_the_two_views(nowhere, &[], 0, 0, 2).unwrap(), 2);
        assert_eq!(compare_the_two_views(nowhere, &[], 0, 0, 0).unwrap(), 0);
    }
}
