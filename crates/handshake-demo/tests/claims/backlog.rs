//! The `backlog` claims on the real kernel: listen(N) lets N+1 handshakes
//! finish, the rest wait in SYN_SENT with no server-side entry, and an
//! accept() lets a retrying client in. Each test has its own port.

use demo_kit::testing::run_demo;
use handshake_demo::backlog;

#[test]
fn backlog_two_admits_three_and_retries_get_in() {
    demo_kit::say::set_quiet(true);
    let r = backlog::run(false, 2, 5).unwrap();
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
    for w in &r.waits {
        assert!(
            w.as_secs_f64() >= 0.5,
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

fn backlog_demo() -> String {
    let (code, out, err) = run_demo(
        env!("CARGO_BIN_EXE_handshake-demo"),
        &["backlog", "--backlog", "1", "--clients", "3"],
    );
    assert_eq!(code, 0, "{err}");
    out
}

#[test]
fn binary_counts_who_got_in() {
    let text = backlog_demo();
    assert!(
        text.contains("clients: 2 ESTABLISHED, 1 SYN_SENT"),
        "{text}"
    );
    assert!(text.contains("ListenOverflows"), "{text}");
    assert!(text.contains("net.core.somaxconn"), "{text}");
}

/// The retry schedule the demo prints follows the sysctl (issue 15: it
/// used to say four one-second tries; the kernel makes five).
#[test]
fn binary_gives_the_retry_schedule_of_this_kernel() {
    let linear = std::fs::read_to_string("/proc/sys/net/ipv4/tcp_syn_linear_timeouts");
    let retries = std::fs::read_to_string("/proc/sys/net/ipv4/tcp_syn_retries");
    if linear.ok().as_deref().map(str::trim) != Some("4")
        || retries.ok().as_deref().map(str::trim) != Some("6")
    {
        demo_kit::testing::skip("this kernel's SYN retry sysctls are not the defaults 4 and 6");
        return;
    }
    let text = backlog_demo();
    assert!(
        text.contains("the kernel waits 1, 1, 1, 1, 1, 2, 4 s after the SYN and each retry: 5 one-second retries"),
        "{text}"
    );
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
