//! `reuse` mode: restarting a server on the same port, with and without
//! `SO_REUSEADDR`.
//!
//! Whoever closes a connection first keeps it in TIME_WAIT for 60 s. In
//! the course's normal flow the *client* closes first (the server calls
//! `conn.close()` only after `recv()` returned `b''`), so TIME_WAIT lands on
//! the client's port and the server restarts freely. The trouble comes
//! when a server is stopped while a client is still connected: then the
//! server's side closes first, and its TIME_WAIT records hold the server's
//! own port, so a restart's `bind()` fails with EADDRINUSE ("Address
//! already in use") — unless the sockets say `SO_REUSEADDR`. That is why the course's server sets it, although the
//! course writes `getsockopt` where it means `setsockopt` (getsockopt only
//! *reads* an option; Python then silently does nothing useful).

use crate::kernel::{self, TcpState};
use crate::procnet;
use demo_kit::say::{say, step};
use demo_kit::{tr, Context, Result, Side};
use nix::errno::Errno;
use nix::sys::socket::{
    self, listen, setsockopt, sockopt, AddressFamily, Backlog, SockFlag, SockType, SockaddrStorage,
};
use std::io::Read;
use std::net::{SocketAddr, TcpStream};
use std::os::fd::{AsRawFd, OwnedFd};
use std::time::Duration;

/// One restart attempt and its outcome.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Restart {
    /// SO_REUSEADDR on the first server's listener (inherited by its connections).
    pub old_reuse: bool,
    /// SO_REUSEADDR on the restarted server's socket.
    pub new_reuse: bool,
    /// True: the server closed the connection first (so it holds TIME_WAIT).
    pub server_closed_first: bool,
    /// Whether /proc showed a TIME_WAIT entry on the server's port.
    pub time_wait_on_port: bool,
    /// `None`: the second bind worked; `Some(errno)`: it failed.
    pub bind_error: Option<Errno>,
}

/// `socket()`, optionally `setsockopt(SO_REUSEADDR, 1)`, then `bind()`.
/// Returns the socket, or the errno of the failed bind.
pub fn bind_with(addr: SocketAddr, reuse: bool) -> Result<std::result::Result<OwnedFd, Errno>> {
    let family = if addr.is_ipv6() {
        AddressFamily::Inet6
    } else {
        AddressFamily::Inet
    };
    let fd = socket::socket(family, SockType::Stream, SockFlag::SOCK_CLOEXEC, None)
        .context("socket()")?;
    if reuse {
        setsockopt(&fd, sockopt::ReuseAddr, &true).context("setsockopt(SO_REUSEADDR)")?;
    }
    Ok(socket::bind(fd.as_raw_fd(), &SockaddrStorage::from(addr)).map(|()| fd))
}

/// Runs one server life (listen, one connection, close) on a fresh port,
/// then tries to bind that port again.
pub fn attempt(
    ipv6: bool,
    old_reuse: bool,
    new_reuse: bool,
    server_closed_first: bool,
) -> Result<Restart> {
    let any = if ipv6 { "[::1]:0" } else { "127.0.0.1:0" };
    let lfd = bind_with(any.parse().context("parsing address")?, old_reuse)?.map_err(|e| {
        demo_kit::Error::msg(tr!("first bind failed: {e}", "第一次 bind 失败：{e}"))
    })?;
    listen(&lfd, Backlog::new(5).context("backlog")?).context("listen()")?;
    let port_addr = kernel::local_addr(&lfd)?;

    let mut client = TcpStream::connect(port_addr).context("client connect")?;
    let conn = socket::accept(&lfd).context("accept()")?;
    client
        .set_read_timeout(Some(Duration::from_secs(5)))
        .context("timeout")?;
    let client_addr = client.local_addr().context("client address")?;
    if server_closed_first {
        drop(conn); // server close(): FIN from the server
        let mut rest = Vec::new();
        client
            .read_to_end(&mut rest)
            .context("client reading EOF")?;
        drop(client); // the client answers with its own FIN
    } else {
        drop(client);
        let mut f = std::fs::File::from(conn);
        let mut rest = Vec::new();
        f.read_to_end(&mut rest).context("server reading EOF")?;
        drop(f);
    }
    drop(lfd); // the server program "exits": its listener is closed too

    // Wait (bounded) for the connection to settle into its final records:
    // TIME_WAIT on the side that closed first, nothing on the other.
    demo_kit::wait::until(Duration::from_secs(5), || {
        let e = procnet::proc_entry(port_addr, client_addr).ok()?;
        let c = procnet::proc_entry(client_addr, port_addr).ok()?;
        match (server_closed_first, e.map(|e| e.state), c.map(|c| c.state)) {
            (true, Some(TcpState::TimeWait), None) | (false, None, Some(TcpState::TimeWait)) => {
                Some(())
            }
            _ => None,
        }
    })
    .with_context(|| tr!("after 5 s the connection had still not settled into TIME_WAIT on the side that closed first (/proc/net/tcp)", "等了 5 秒，先关闭的一方仍没有进入 TIME_WAIT（/proc/net/tcp）"))?;
    // Then look, right before the second bind: is any TIME_WAIT record
    // holding the server's own port?
    let time_wait_on_port = procnet::proc_entries_on(port_addr.port())?
        .iter()
        .any(|e| e.local.port() == port_addr.port() && e.state == TcpState::TimeWait);

    let bind_error = bind_with(port_addr, new_reuse)?.err();
    Ok(Restart {
        old_reuse,
        new_reuse,
        server_closed_first,
        time_wait_on_port,
        bind_error,
    })
}

/// The rule the mode states, checked on the attempts made: some attempt
/// met a TIME_WAIT record on its port, and each such bind() passed exactly
/// when both the old connection and the new socket had SO_REUSEADDR.
pub fn rule_holds(all: &[Restart]) -> bool {
    let tw_rows: Vec<&Restart> = all.iter().filter(|r| r.time_wait_on_port).collect();
    !tw_rows.is_empty()
        && tw_rows
            .iter()
            .all(|r| r.bind_error.is_none() == (r.old_reuse && r.new_reuse))
}

fn outcome(r: &Restart) -> String {
    match r.bind_error {
        None => tr!("bind() OK", "bind() 成功"),
        Some(e) => tr!("bind() failed: {e}", "bind() 失败：{e:?}"),
    }
}

/// The `reuse` mode: the course's situation, then every combination.
pub fn run(ipv6: bool) -> Result<Vec<Restart>> {
    step(
        1,
        tr!(
            "a server is stopped while a client is still connected, and restarted at once",
            "服务端在客户端还连着时被停掉，然后马上重启"
        ),
    );
    let plain = attempt(ipv6, false, false, true)?;
    say(
        Side::Server,
        tr!(
            "first life: socket, bind, listen, accept one client; stopped with the client still connected: its close() goes first",
            "第一次运行：socket、bind、listen，accept 一个客户端；客户端还连着就被停掉：它的 close() 在前"
        ),
    );
    say(
        Side::Kernel,
        tr!(
            "TIME_WAIT on the server's port: {}",
            "服务端端口上的 TIME_WAIT：{}",
            if plain.time_wait_on_port {
                tr!("yes (/proc/net/tcp)", "有（/proc/net/tcp）")
            } else {
                tr!("not seen", "没看到")
            }
        ),
    );
    say(
        Side::Server,
        tr!(
            "restart without SO_REUSEADDR: {}",
            "不设 SO_REUSEADDR 重启：{}",
            outcome(&plain)
        ),
    );

    step(
        2,
        tr!(
            "the same, with setsockopt(SOL_SOCKET, SO_REUSEADDR, 1) before bind",
            "同样的过程，bind 之前先 setsockopt(SOL_SOCKET, SO_REUSEADDR, 1)"
        ),
    );
    let fixed = attempt(ipv6, true, true, true)?;
    say(
        Side::Server,
        tr!(
            "restart with SO_REUSEADDR on both lives: {}",
            "前后两次运行都设 SO_REUSEADDR，重启：{}",
            outcome(&fixed)
        ),
    );
    say(Side::Note, tr!("the course writes phone.getsockopt(SOL_SOCKET, SO_REUSEADDR, 1): that only READS the option. It must be setsockopt.", "课程里写的是 phone.getsockopt(SOL_SOCKET, SO_REUSEADDR, 1)：那只是“读”这个选项。应该是 setsockopt。"));

    step(3, tr!("every combination, measured", "每种组合都实测一遍"));
    let mut all = vec![plain, fixed];
    all.push(attempt(ipv6, false, true, true)?);
    all.push(attempt(ipv6, true, false, true)?);
    all.push(attempt(ipv6, false, false, false)?);
    for r in &all {
        say(Side::Kernel, reuse_row(r));
    }
    if rule_holds(&all) {
        say(Side::Note, tr!("measured rule: a bind() passes a TIME_WAIT record only if both the new socket and the old connection had SO_REUSEADDR;", "实测的规律：只有新套接字和旧连接都设了 SO_REUSEADDR，bind() 才能绕过 TIME_WAIT 记录；"));
        say(
            Side::Note,
            tr!(
                "set it in every life of the server, before bind() — as the course (meant to) do.",
                "所以服务端每次运行都要在 bind() 之前设置它——课程本来就是这个意思。"
            ),
        );
    }
    if let Some(r) = all.iter().find(|r| !r.server_closed_first) {
        if r.bind_error.is_none() {
            say(Side::Note, tr!("when the client closed first (the course's loop: conn.close() after recv() returned b''), the TIME_WAIT is on the client's side and the server restarts freely.", "如果客户端先关闭（课程里的循环：recv() 返回 b'' 之后才 conn.close()），TIME_WAIT 落在客户端一侧，服务端可以随时重启。"));
        }
    }
    Ok(all)
}

/// One row of step 3's table: the columns line up in either language.
fn reuse_row(r: &Restart) -> String {
    if demo_kit::lang::is_zh() {
        format!(
            "第一次 reuse={:<5} 重启 reuse={:<5} {}，端口上有 TIME_WAIT：{} -> {}",
            r.old_reuse,
            r.new_reuse,
            if r.server_closed_first {
                "服务端先停"
            } else {
                "客户端先关"
            },
            if r.time_wait_on_port { "有" } else { "无" },
            outcome(r)
        )
    } else {
        format!(
            "first server reuse={:<5} restart reuse={:<5} {:<22} TIME_WAIT on port: {:<3} -> {}",
            r.old_reuse,
            r.new_reuse,
            if r.server_closed_first {
                "server stopped first,"
            } else {
                "client closed first,"
            },
            if r.time_wait_on_port { "yes" } else { "no" },
            outcome(r)
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(old_reuse: bool, new_reuse: bool, time_wait_on_port: bool, ok: bool) -> Restart {
        Restart {
            old_reuse,
            new_reuse,
            server_closed_first: time_wait_on_port,
            time_wait_on_port,
            bind_error: (!ok).then_some(Errno::EADDRINUSE),
        }
    }

    #[test]
    fn the_rule_needs_so_reuseaddr_on_both_lives() {
        let measured = [
            row(false, false, true, false),
            row(true, true, true, true),
            row(false, true, true, false),
            row(true, false, true, false),
            row(false, false, false, true),
        ];
        assert!(rule_holds(&measured));
        // Any row that contradicts it, either way, breaks it.
        for (i, flipped) in [(0, true), (1, false), (2, true), (3, true)] {
            let mut rows = measured.clone();
            rows[i].bind_error = (!flipped).then_some(Errno::EADDRINUSE);
            assert!(!rule_holds(&rows), "row {i} flipped");
        }
        // Rows without a TIME_WAIT record prove nothing about it.
        assert!(!rule_holds(&measured[4..]));
        assert!(!rule_holds(&[]));
    }
}
