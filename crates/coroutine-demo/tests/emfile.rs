//! The async echo server survives running out of descriptors (`EMFILE`):
//! the clients it cannot take are refused (they read end-of-file), it does
//! not spin, and it serves again as soon as descriptors are free.
//!
//! A test binary of its own: each server runs in a forked child whose
//! open-files limit is lowered (a process-wide limit), and the limit is
//! computed from the descriptors free in that child. The two tests fork at
//! the same time, and a child inherits whatever the other test holds open
//! at that moment; so each child counts its own free descriptors after the
//! fork (`limit_for`), never the parent's.

use coroutine_demo::echo::{self, frame};
use coroutine_demo::runtime::{net::TcpListener, Runtime};
use demo_kit::child::{exit_code, fork_child, reap_or_kill};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

/// The open-files limit that leaves room for exactly `room` more
/// descriptors: a new descriptor takes the lowest free number, and the
/// limit is on the number, so it is just above the `room`-th free number.
fn limit_for(room: u64) -> u64 {
    let mut free = 0;
    for fd in 0.. {
        // SAFETY: F_GETFD only asks whether `fd` is open.
        if unsafe { nix::libc::fcntl(fd, nix::libc::F_GETFD) } == -1 {
            free += 1;
            if free == room {
                return fd as u64 + 1;
            }
        }
    }
    unreachable!()
}

fn echo_once(s: &mut TcpStream, body: &[u8]) -> bool {
    let f = frame(body);
    let mut back = vec![0u8; f.len()];
    s.write_all(&f).is_ok() && s.read_exact(&mut back).is_ok() && back == f
}

/// Reads until end-of-file: true if the peer closed (and sent nothing).
fn closed_by_peer(s: &mut TcpStream) -> bool {
    let mut b = [0u8; 16];
    matches!(s.read(&mut b), Ok(0))
}

/// Kills and reaps the server if the test fails before it ends.
struct KillOnDrop(nix::unistd::Pid);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = nix::sys::signal::kill(self.0, nix::sys::signal::Signal::SIGKILL);
        let _ = reap_or_kill(self.0, Duration::from_secs(5));
    }
}

#[test]
fn the_server_sheds_clients_at_emfile_and_serves_again_once_descriptors_are_free() {
    demo_kit::say::set_quiet(true);
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let server = fork_child(move || {
        // A child that outlives a failed test ends on its own.
        // SAFETY: alarm(2) only arms a timer; SIGALRM's default ends us.
        unsafe { nix::libc::alarm(30) };
        let Ok(rt) = Runtime::new() else { return 10 };
        let Ok(listener) = TcpListener::from_std(listener) else {
            return 11;
        };
        // Room for the spare and two connections.
        let limit = limit_for(3);
        if nix::sys::resource::setrlimit(nix::sys::resource::Resource::RLIMIT_NOFILE, limit, limit)
            .is_err()
        {
            return 12;
        }
        match rt.block_on(echo::serve(listener, 3)) {
            // The three clients past the limit, each counted once.
            Ok(Ok(r)) if r.shed == 3 && r.conns.iter().all(|c| c.result.is_ok()) => 0,
            Ok(Ok(_)) => 13,
            _ => 14,
        }
    })
    .unwrap();
    let _guard = KillOnDrop(server);
    let timeout = Some(Duration::from_secs(20));
    let connect = || {
        let s = TcpStream::connect(addr).unwrap();
        s.set_read_timeout(timeout).unwrap();
        s
    };
    // Two clients fill the server's descriptors.
    let (mut a, mut b) = (connect(), connect());
    assert!(echo_once(&mut a, b"a") && echo_once(&mut b, b"b"));
    // The next ones cannot be taken: each is accepted and closed at once.
    let mut refused = (0..3).map(|_| connect()).collect::<Vec<_>>();
    for s in &mut refused {
        assert!(closed_by_peer(s), "a client past the limit was not refused");
    }
    // The first two leave; the server's end closes (we read its FIN) ...
    for s in [&mut a, &mut b] {
        s.shutdown(std::net::Shutdown::Write).unwrap();
        assert!(closed_by_peer(s));
    }
    // ... and a new client is served again: the server did not give up.
    let mut c = connect();
    assert!(echo_once(&mut c, b"served again"));
    drop(c);
    let status = demo_kit::child::wait_within(server, Duration::from_secs(20)).unwrap();
    let status = status.expect("the server did not end within 20 s");
    assert_eq!(exit_code(status), Some(0), "{status:?}");
}

#[test]
fn at_emfile_an_accept_error_other_than_no_client_ends_the_server() {
    // A socket that is not listening, in a child with no descriptor free
    // but the spare: accept(2) takes a descriptor number before it looks
    // at the socket, so it says EMFILE; with the spare closed it says
    // EINVAL, which no wait can change: serve must return it.
    use nix::sys::socket::{socket, AddressFamily, SockFlag, SockType};
    demo_kit::say::set_quiet(true);
    let server = fork_child(|| {
        // SAFETY: alarm(2) only arms a timer; SIGALRM's default ends us.
        unsafe { nix::libc::alarm(30) };
        let Ok(rt) = Runtime::new() else { return 10 };
        let not_listening = socket(
            AddressFamily::Inet,
            SockType::Stream,
            SockFlag::SOCK_CLOEXEC,
            None,
        );
        let Ok(listener) = not_listening
            .map(std::net::TcpListener::from)
            .map_err(std::io::Error::from)
            .and_then(TcpListener::from_std)
        else {
            return 11;
        };
        let limit = limit_for(1); // the spare's
        if nix::sys::resource::setrlimit(nix::sys::resource::Resource::RLIMIT_NOFILE, limit, limit)
            .is_err()
        {
            return 12;
        }
        match rt.block_on(echo::serve(listener, 1)) {
            Ok(Err(e)) if e.raw_os_error() == Some(nix::libc::EINVAL) => 0,
            Ok(Err(_)) => 13,
            _ => 14,
        }
    })
    .unwrap();
    let _guard = KillOnDrop(server);
    let status = demo_kit::child::wait_within(server, Duration::from_secs(5)).unwrap();
    let status = status.expect("the server still runs, 5 s on");
    assert_eq!(exit_code(status), Some(0), "{status:?}");
}
