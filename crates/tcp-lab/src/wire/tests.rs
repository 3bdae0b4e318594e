//! The stream's checksum against its published values, and the right
//! side's accept(): a wait that runs out is named as one, any other failure
//! is not.

use super::{accept_one, fnv, FNV_START};
use nix::sys::socket::{setsockopt, sockopt};
use nix::sys::time::TimeVal;
use std::net::{TcpListener, TcpStream};
use std::os::fd::{FromRawFd, IntoRawFd};

#[test]
fn an_accept_that_waits_past_its_limit_says_nothing_connected() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    setsockopt(&listener, sockopt::ReceiveTimeout, &TimeVal::new(0, 20_000)).unwrap();
    let e = accept_one(&listener).expect_err("nobody connects");
    let text = e.to_string();
    assert!(
        text.starts_with("right: accept(): nothing connected within 20ms: "),
        "{text}"
    );

    // A client queued in time is accepted, the same limit set.
    let client = TcpStream::connect(listener.local_addr().unwrap()).unwrap();
    let conn = accept_one(&listener).expect("the queued client");
    assert_eq!(conn.peer_addr().unwrap(), client.local_addr().unwrap());
}

#[test]
fn an_accept_that_fails_otherwise_says_only_accept() {
    // A socket bound but not listening: accept() fails with EINVAL (accept(2)).
    let fd = nix::sys::socket::socket(
        nix::sys::socket::AddressFamily::Inet,
        nix::sys::socket::SockType::Stream,
        nix::sys::socket::SockFlag::empty(),
        None,
    )
    .unwrap();
    let any: nix::sys::socket::SockaddrIn = "127.0.0.1:0".parse().unwrap();
    nix::sys::socket::bind(std::os::fd::AsRawFd::as_raw_fd(&fd), &any).unwrap();
    // SAFETY: the descriptor is ours, open, and given up by into_raw_fd.
    let listener = unsafe { TcpListener::from_raw_fd(fd.into_raw_fd()) };
    let e = accept_one(&listener).expect_err("not listening");
    let text = e.to_string();
    assert!(text.starts_with("right: accept(): "), "{text}");
    assert!(!text.contains("nothing connected"), "{text}");
    assert!(
        text.contains("Invalid argument") || text.contains("EINVAL"),
        "{text}"
    );
}

/// FNV-1a, 64 bits: the reference values for "", "a" and "foobar"
/// (Fowler, Noll, Vo; the FNV page's test vectors), fed whole or in parts,
/// and order counts.
#[test]
fn the_stream_checksum_is_fnv1a() {
    assert_eq!(fnv(FNV_START, b""), 0xcbf2_9ce4_8422_2325);
    assert_eq!(fnv(FNV_START, b"a"), 0xaf63_dc4c_8601_ec8c);
    assert_eq!(fnv(FNV_START, b"foobar"), 0x8594_4171_f739_67e8);
    assert_eq!(
        fnv(fnv(FNV_START, b"foo"), b"bar"),
        fnv(FNV_START, b"foobar")
    );
    assert_ne!(fnv(FNV_START, b"ab"), fnv(FNV_START, b"ba"));
}
