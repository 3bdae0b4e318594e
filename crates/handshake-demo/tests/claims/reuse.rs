//! The `reuse` claims: a server stopped while a client is still connected
//! closes first and leaves TIME_WAIT on its own port; restarting without
//! SO_REUSEADDR fails with EADDRINUSE, with it (on both lives) works; in
//! the course's normal flow the client closes first and the port is free.

use demo_kit::testing::run_demo;
use handshake_demo::reuse::attempt;
use nix::errno::Errno;

#[test]
fn time_wait_blocks_a_plain_restart() {
    let r = attempt(false, false, false, true).unwrap();
    assert!(r.time_wait_on_port);
    assert_eq!(r.bind_error, Some(Errno::EADDRINUSE));
}

#[test]
fn so_reuseaddr_on_both_lives_allows_the_restart() {
    let r = attempt(false, true, true, true).unwrap();
    assert!(r.time_wait_on_port);
    assert_eq!(r.bind_error, None);
}

#[test]
fn so_reuseaddr_only_on_the_restart_is_not_enough() {
    let r = attempt(false, false, true, true).unwrap();
    assert_eq!(r.bind_error, Some(Errno::EADDRINUSE));
}

/// The course's flow: `conn.close()` only after `recv()` returned `b''`.
#[test]
fn client_closing_first_leaves_the_server_port_free() {
    let r = attempt(false, false, false, false).unwrap();
    assert!(!r.time_wait_on_port);
    assert_eq!(r.bind_error, None);
}

/// Why the `reuse` mode builds its sockets with nix: Rust's own
/// `TcpListener::bind` already sets SO_REUSEADDR on Unix. A fact of std,
/// not a claim of ours: kept because the demo relies on it and lesson 01
/// cites it (a std that stopped setting it would make the lesson wrong).
#[test]
fn std_listener_sets_so_reuseaddr_by_itself() {
    use nix::sys::socket::{getsockopt, sockopt::ReuseAddr};
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    assert!(getsockopt(&l, ReuseAddr).unwrap());
}

#[test]
fn the_binary_blames_stopping_the_server_not_the_courses_close() {
    let (code, out, err) = run_demo(env!("CARGO_BIN_EXE_handshake-demo"), &["reuse"]);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("a server is stopped while a client is still connected"),
        "{out}"
    );
    assert!(
        out.contains("restart without SO_REUSEADDR: bind() failed: EADDRINUSE"),
        "{out}"
    );
    assert!(
        out.contains("client closed first,   TIME_WAIT on port: no  -> bind() OK"),
        "{out}"
    );
    // The two conclusions it draws, each from its measured rows.
    assert!(
        out.contains("measured rule: a bind() passes a TIME_WAIT record only if both"),
        "{out}"
    );
    assert!(
        out.contains("when the client closed first (the course's loop"),
        "{out}"
    );
}
