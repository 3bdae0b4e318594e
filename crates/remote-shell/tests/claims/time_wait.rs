//! Why the course's server sometimes cannot be restarted, measured with
//! the course's own Python server (whose `getsockopt` never sets
//! SO_REUSEADDR) and a re-bind without SO_REUSEADDR, like its restart:
//!
//! * the usual flow: the client closes first (`exit`), the server's
//!   `recv` returns `b''`, then it calls `conn.close()`. TIME_WAIT lands on
//!   the *client's* port, and the server's port is free at once;
//! * the server is stopped while a client is still connected: the server's
//!   side closes first, goes FIN_WAIT2, then TIME_WAIT when the client
//!   closes, on the *server's* port: the re-bind fails with EADDRINUSE.

use crate::common::{python3, python_server, PATIENCE};
use nix::errno::Errno;
use nix::sys::socket::{bind, socket, AddressFamily, SockFlag, SockType, SockaddrIn};
use remote_shell::client::Client;
use remote_shell::Protocol;
use std::net::{SocketAddr, SocketAddrV4};
use std::process::Child;

const FIN_WAIT2: u8 = 0x05;
const TIME_WAIT: u8 = 0x06;

/// `bind(port)` on a fresh socket without SO_REUSEADDR, as a restarted
/// course server does (its `getsockopt` sets nothing).
fn rebind(port: u16) -> Result<(), Errno> {
    let fd = socket(
        AddressFamily::Inet,
        SockType::Stream,
        SockFlag::SOCK_CLOEXEC,
        None,
    )?;
    let addr = SockaddrIn::from(SocketAddrV4::new([127, 0, 0, 1].into(), port));
    bind(std::os::fd::AsRawFd::as_raw_fd(&fd), &addr)
}

/// The TCP state of the loopback connection `local -> remote` in
/// /proc/net/tcp (hex `0100007F:PORT`), if any.
fn tcp_state(local: u16, remote: u16) -> Option<u8> {
    let table = std::fs::read_to_string("/proc/net/tcp").ok()?;
    let want = (
        format!("0100007F:{local:04X}"),
        format!("0100007F:{remote:04X}"),
    );
    table.lines().skip(1).find_map(|line| {
        let f: Vec<&str> = line.split_whitespace().collect();
        (f.get(1) == Some(&want.0.as_str()) && f.get(2) == Some(&want.1.as_str()))
            .then(|| u8::from_str_radix(f[3], 16).ok())?
    })
}

fn wait_state(local: u16, remote: u16, state: u8) {
    let seen = demo_kit::wait::until(PATIENCE, || {
        (tcp_state(local, remote) == Some(state)).then_some(())
    });
    assert!(
        seen.is_some(),
        "{local}->{remote}: state {:?}, expected {state:#04x}",
        tcp_state(local, remote)
    );
}

fn stop(mut server: Child) {
    let _ = server.kill(); // SIGKILL, like closing its terminal
    let _ = server.wait();
}

/// A served client that is still connected.
fn served_client(addr: SocketAddr) -> (Client, u16) {
    let mut c = Client::connect(addr, Protocol::Course, None).unwrap();
    let (mut out, mut err) = (Vec::new(), Vec::new());
    c.run(b"echo hi", &mut out, &mut err).unwrap();
    assert_eq!(out, b"hi\n");
    let port = c.stream().local_addr().unwrap().port();
    (c, port)
}

#[test]
fn when_the_client_closes_first_the_course_server_restarts_at_once() {
    if !python3() {
        return;
    }
    let (server, addr) = python_server();
    let (client, client_port) = served_client(addr);
    drop(client); // the client leaves first; the server's recv gets b'' and closes
    wait_state(client_port, addr.port(), TIME_WAIT); // TIME_WAIT is the client's
    assert_eq!(
        tcp_state(addr.port(), client_port),
        None,
        "nothing left on the server's side"
    );
    stop(server);
    assert_eq!(rebind(addr.port()), Ok(()), "the port is free at once");
}

#[test]
fn a_course_server_stopped_with_a_live_client_cannot_rebind_its_port() {
    if !python3() {
        return;
    }
    let (server, addr) = python_server();
    let (client, client_port) = served_client(addr);
    stop(server); // the server's side closes first: FIN out, ACKed
    wait_state(addr.port(), client_port, FIN_WAIT2);
    assert_eq!(rebind(addr.port()), Err(Errno::EADDRINUSE));
    drop(client); // the client's FIN: the server's side enters TIME_WAIT
    wait_state(addr.port(), client_port, TIME_WAIT);
    assert_eq!(rebind(addr.port()), Err(Errno::EADDRINUSE), "for 60 s");
}
