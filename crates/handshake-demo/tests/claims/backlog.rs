//! The `backlog` claims on the real kernel: listen(N) lets N+1 handshakes
//! finish, the rest wait in SYN_SENT with no server-side entry, and an
//! accept() lets a retrying client in. Each test has its own port.

use demo_kit::testing::run_demo;
use handshake_demo::{backlog, procnet, retries::schedule};

#[test]
fn backlog_two_admits_three_and_retries_get_in() {
    demo_kit::say::set_quiet(true);
    let overflows = || procnet::tcp_ext_counter("ListenOverflows").unwrap();
    let before = overflows();
    let r = backlog::run(false, 2, 5).unwrap();
    let grew = overflows() - before;
    assert_eq!((r.backlog, r.clients), (2, 5));
    assert_eq!(r.kernel_backlog, 2);
    assert_eq!(r.established, 3, "N+1 clients finished the handshake");
    assert_eq!(r.syn_sent, 2, "the rest wait in SYN_SENT");
    assert_eq!(r.accept_queue, 3);
    assert_eq!(r.server_established, 3);
    assert_eq!(
        r.server_syn_recv, 0,
        "dropped SYNs leave no server-side entry"
    );
    assert!(
        r.listen_overflows >= 2,
        "each dropped SYN counts as a ListenOverflow"
    );
    assert!(
        r.listen_overflows <= grew,
        "the demo counts the growth during its run ({}), not since boot: {grew} while the test ran",
        r.listen_overflows
    );
    assert_eq!(r.accepted, 2);
    assert_eq!(
        r.established_after, 5,
        "after two accepts both waiting clients got in"
    );
    assert_eq!(
        r.waits.len(),
        2,
        "a wait is timed for each client that got in: {:?}",
        r.waits
    );
    // A dropped SYN is sent again after the initial timeout, 1 s
    // (TCP_TIMEOUT_INIT, include/net/tcp.h): an observation can be late,
    // never early (the 0.05 s is the kernel timer's granularity, a jiffy).
    for w in &r.waits {
        assert!(
            w.as_secs_f64() >= 0.95,
            "a waiting client got in only on a retried SYN ({w:?})"
        );
    }
}

#[test]
fn backlog_zero_still_admits_one() {
    demo_kit::say::set_quiet(true);
    let r = backlog::run(false, 0, 3).unwrap();
    assert_eq!(r.established, 1);
    assert_eq!(r.syn_sent, 2);
}

fn backlog_demo(args: &[&str]) -> String {
    let (code, out, err) = run_demo(env!("CARGO_BIN_EXE_handshake-demo"), args);
    assert_eq!(code, 0, "{err}");
    out
}

/// The number right after `marker` in the first line that has it.
fn number<T: std::str::FromStr>(text: &str, marker: &str) -> T {
    demo_kit::testing::number_after(text, marker)
}

/// `backlog --backlog 1`, with the default number of clients (backlog + 3):
/// what the binary prints adds up, and agrees with this kernel's sysctls.
#[test]
fn binary_counts_who_got_in() {
    let text = backlog_demo(&["backlog", "--backlog", "1"]);
    for line in [
        "4 non-blocking clients connect, one after another",
        "clients: 2 ESTABLISHED, 2 SYN_SENT",
        "backlog 1 let 2 connection(s) finish: Linux checks \"queue > backlog\", so it admits backlog + 1.",
        "the other clients got no SYN+ACK and no RST",
        "net.core.somaxconn = ",
    ] {
        assert!(text.contains(line), "no {line:?} in:\n{text}");
    }
    assert!(
        number::<u64>(&text, "ListenOverflows grew by ") >= 2,
        "{text}"
    );
    // Each client's line: its state and how its handshake went agree.
    for i in 1..=4 {
        let line = text
            .lines()
            .find(|l| l.starts_with(&format!("[client] client {i} (")))
            .unwrap_or_else(|| panic!("no line for client {i}:\n{text}"));
        let want = if i <= 2 {
            "ESTABLISHED — handshake done"
        } else {
            "SYN_SENT — no answer to its SYN"
        };
        assert!(line.ends_with(want), "{line}");
    }
    // After two accepts: queue + room = backlog + 1.
    let now: usize = number(&text, "the accept queue holds ");
    let room: usize = number(&text, "now, room for ");
    assert_eq!(now + room, 2, "{text}");
    // The two views: the clients that count themselves in without a
    // server-side socket are named, and only then.
    let last_look = text
        .lines()
        .find(|l| l.contains("(2 of them accept()ed)"))
        .unwrap_or_else(|| panic!("no final look at the server side in:\n{text}"));
    let server_est: usize = number(last_look, "server side (/proc): ");
    let clients_est: usize = number(&text, "clients ESTABLISHED now: ");
    match clients_est.checked_sub(server_est).filter(|&n| n > 0) {
        Some(n) => assert!(
            text.contains(&format!("{n} client(s) believe they are connected")),
            "{text}"
        ),
        None => assert!(!text.contains("believe they are connected"), "{text}"),
    }
}

/// Without a client to drop, the binary says so and does not claim the
/// backlog + 1 rule or the dropped SYNs.
#[test]
fn binary_with_room_for_everyone() {
    let text = backlog_demo(&["backlog", "--backlog", "1", "--clients", "2"]);
    for line in [
        "clients: 2 ESTABLISHED, 0 SYN_SENT",
        "backlog 1 let 2 of 2 connection(s) finish.",
        "no client is waiting",
    ] {
        assert!(text.contains(line), "no {line:?} in:\n{text}");
    }
    for claim in ["Linux checks", "no SYN+ACK", "the kernel waits"] {
        assert!(!text.contains(claim), "{claim:?} in:\n{text}");
    }
}

/// The retry schedule the demo prints follows this kernel's sysctls
/// (issue 15: it used to say four one-second tries; the default makes five).
#[test]
fn binary_gives_the_retry_schedule_of_this_kernel() {
    let sysctl = |name| {
        procnet::sysctl(name)
            .ok()
            .and_then(|v| v.parse::<u32>().ok())
    };
    let Some(linear) = sysctl("ipv4/tcp_syn_linear_timeouts") else {
        demo_kit::testing::skip("this kernel has no tcp_syn_linear_timeouts (before Linux 6.5)");
        return;
    };
    let retries = sysctl("ipv4/tcp_syn_retries").expect("tcp_syn_retries");
    let waits: Vec<String> = schedule(linear, retries)
        .iter()
        .map(u64::to_string)
        .collect();
    let text = backlog_demo(&["backlog", "--backlog", "0", "--clients", "2"]);
    let want = format!(
        "the kernel waits {} s after the SYN and each retry: {} one-second retries",
        waits.join(", "),
        (linear + 1).min(retries)
    );
    assert!(text.contains(&want), "no {want:?} in:\n{text}");
}

/// With backlog 0 only one connection is queued: the demo accepts exactly
/// what TCP_INFO says is queued, so no accept() can block on a client
/// that is still retrying.
#[test]
fn backlog_zero_accepts_only_what_is_queued() {
    demo_kit::say::set_quiet(true);
    let r = backlog::run(false, 0, 3).unwrap();
    assert_eq!(r.accept_queue, 1);
    assert_eq!(r.accepted, 1);
}

/// The server side counts only this listener's connections from the
/// clients given: an older connection still holding the port (its
/// listener closed, the accepted socket not) is not one of them.
#[test]
fn the_server_side_ignores_an_old_connection_on_the_same_port() {
    use handshake_demo::listener::{connect_nonblocking, listener, server_side};
    use handshake_demo::reuse::bind_with;
    use nix::sys::socket::{accept, listen, Backlog};
    // Between the old listener's close and the new bind, another test's
    // connect() may take the same port as its own ephemeral port (once in
    // a CI run): then the bind fails with EADDRINUSE through no fault of
    // the claim, and we start again on a fresh port (at most 5 times).
    let mut attempt = 0;
    let (laddr, again, _old_client, _old_conn) = loop {
        attempt += 1;
        let (old_listener, laddr) = listener(false, 5).unwrap();
        let old_client = std::net::TcpStream::connect(laddr).unwrap();
        let old_conn = accept(&old_listener).unwrap();
        drop(old_listener);
        match bind_with(laddr, true).unwrap() {
            Ok(again) => break (laddr, again, old_client, old_conn),
            Err(nix::errno::Errno::EADDRINUSE) if attempt < 5 => continue,
            Err(e) => panic!("SO_REUSEADDR lets the port be bound again: {e}"),
        }
    };
    listen(&again, Backlog::new(5).unwrap()).unwrap();
    let clients = [
        connect_nonblocking(laddr).unwrap(),
        connect_nonblocking(laddr).unwrap(),
    ];
    let seen = demo_kit::wait::until(std::time::Duration::from_secs(5), || {
        let counts = server_side(laddr, &clients).ok()?;
        (counts.0 >= 2).then_some(counts)
    });
    assert_eq!(seen, Some((2, 0)));
    // Right after, still exactly these two.
    assert_eq!(server_side(laddr, &clients).unwrap(), (2, 0));
}

/// A client is ESTABLISHED once the SYN|ACK arrives, whatever the server
/// does with its final ACK. With TCP_DEFER_ACCEPT the server keeps such a
/// connection half-open (SYN_RECV in /proc) until data comes (tcp(7)):
/// the server side counts it as SYN_RECV, the client as ESTABLISHED.
#[test]
fn the_server_side_counts_a_half_open_connection() {
    use handshake_demo::kernel::{state_of, TcpState};
    use handshake_demo::listener::{connect_nonblocking, listener, server_side};
    use nix::libc;
    use std::os::fd::AsRawFd;
    let (lfd, laddr) = listener(false, 5).unwrap();
    let seconds: libc::c_int = 30;
    // SAFETY: a c_int option value, passed by pointer and size.
    let rc = unsafe {
        libc::setsockopt(
            lfd.as_raw_fd(),
            libc::IPPROTO_TCP,
            libc::TCP_DEFER_ACCEPT,
            (&seconds as *const libc::c_int).cast(),
            std::mem::size_of::<libc::c_int>() as libc::socklen_t,
        )
    };
    assert_eq!(rc, 0, "setsockopt(TCP_DEFER_ACCEPT)");
    let clients = [connect_nonblocking(laddr).unwrap()];
    let seen = demo_kit::wait::until(std::time::Duration::from_secs(5), || {
        let established = state_of(&clients[0].fd).ok()? == TcpState::Established;
        let counts = server_side(laddr, &clients).ok()?;
        (established && counts.1 == 1).then_some(counts)
    });
    assert_eq!(seen, Some((0, 1)), "client ESTABLISHED, server SYN_RECV");
}
