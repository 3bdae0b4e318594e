//! The `backlog` claims on the real kernel: listen(N) lets N+1 handshakes
//! finish, the rest wait in SYN_SENT with no server-side entry, and an
//! accept() lets a retrying client in. Each test has its own port.

use demo_kit::testing::OutputWithin;
use handshake_demo::backlog;

#[test]
fn backlog_two_admits_three_and_retries_get_in() {
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
    for w in &r.waits {
        assert!(
            w.as_secs_f64() >= 0.5,
            "a waiting client got in only on a retried SYN ({w:?})"
        );
    }
}

#[test]
fn backlog_zero_still_admits_one() {
    let r = backlog::run(false, 0, 3).unwrap();
    assert_eq!(r.established, 1);
    assert_eq!(r.syn_sent, 2);
}

#[test]
fn binary_backlog_mode() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_handshake-demo"))
        .args(["backlog", "--backlog", "1", "--clients", "3"])
        .env("NO_COLOR", "1")
        .output_within();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        text.contains("clients: 2 ESTABLISHED, 1 SYN_SENT"),
        "{text}"
    );
    assert!(text.contains("ListenOverflows"), "{text}");
    assert!(text.contains("net.core.somaxconn"), "{text}");
}

/// With backlog 0 only one connection is queued: the demo accepts exactly
/// what TCP_INFO says is queued, so no accept() can block on a client
/// that is still retrying.
#[test]
fn backlog_zero_accepts_only_what_is_queued() {
    let r = backlog::run(false, 0, 3).unwrap();
    assert_eq!(r.accept_queue, 1);
    assert_eq!(r.accepted, 1);
}
