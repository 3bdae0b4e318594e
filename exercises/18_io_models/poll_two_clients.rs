// Exercise `poll_two_clients` — lesson 18, the I/O models (IO多路复用):
// docs/18-io-models.md
//
// The course's first server talks to one client at a time: while it waits
// in `recv` for client A, client B is not served at all. One thread can
// serve both if it first asks the kernel WHICH socket has data: `poll`.
//
// Write `serve_two`: accept exactly two clients, then loop:
//   1. `poll` (nix::poll::poll) on the sockets still open, each with POLLIN,
//      with no timeout (PollTimeout::NONE);
//   2. for each socket whose `revents()` is not empty, `read` once: 0 bytes
//      means that client closed (stop watching it); otherwise write the
//      bytes back (`write_all`) — an echo.
// Return when both clients have closed, with the number of bytes echoed to
// each: `[a, b]` in the order they were accepted.
// No threads: the tests check that a silent client never holds up the other.

use nix::poll::{poll, PollFd, PollFlags, PollTimeout};
use std::io::{self, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::os::fd::AsFd;

/// Serves two clients from this one thread; returns bytes echoed to each.
pub fn serve_two(listener: TcpListener) -> io::Result<[u64; 2]> {
    let a = listener.accept()?.0;
    let b = listener.accept()?.0;
    // Loop: poll both (PollFd::new(conn.as_fd(), PollFlags::POLLIN)), then
    // read once from each ready one and echo it back; 0 bytes = closed.
    todo!("serve {a:?} and {b:?} with poll")
}

#[cfg(test)]
mod tests {
    use super::*;
    use exercises::within;
    use std::time::Duration;

    /// Starts `serve_two` on a thread; returns the two connected clients
    /// (A accepted first) and the server's thread.
    fn start() -> (
        TcpStream,
        TcpStream,
        std::thread::JoinHandle<io::Result<[u64; 2]>>,
    ) {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let server = std::thread::spawn(move || serve_two(listener));
        // The kernel's accept queue is first in, first out: A is accepted first.
        let a = TcpStream::connect(addr).unwrap();
        let b = TcpStream::connect(addr).unwrap();
        (a, b, server)
    }

    fn ask(conn: &mut TcpStream, msg: &[u8]) -> Vec<u8> {
        conn.set_read_timeout(Some(Duration::from_secs(3))).unwrap();
        conn.write_all(msg).unwrap();
        let mut got = vec![0u8; msg.len()];
        conn.read_exact(&mut got)
            .expect("no echo within 3 s: is the server waiting on the other client?");
        got
    }

    #[test]
    fn b_is_served_while_a_is_silent() {
        within(15, || {
            let (a, mut b, server) = start();
            assert_eq!(
                ask(&mut b, b"B speaks while A says nothing"),
                b"B speaks while A says nothing"
            );
            assert_eq!(ask(&mut b, b"and again"), b"and again");
            drop((a, b));
            server.join().unwrap().unwrap();
        });
    }

    #[test]
    fn a_keeps_being_served_after_b_leaves() {
        within(15, || {
            let (mut a, b, server) = start();
            drop(b);
            assert_eq!(ask(&mut a, b"still here"), b"still here");
            drop(a);
            let echoed = server.join().unwrap().unwrap();
            assert_eq!(echoed, [10, 0]);
        });
    }

    #[test]
    fn it_returns_when_both_have_closed_and_counts_every_byte() {
        within(15, || {
            let (mut a, mut b, server) = start();
            for i in 0..20 {
                let msg = format!("message {i:02}");
                assert_eq!(ask(&mut a, msg.as_bytes()), msg.as_bytes());
                assert_eq!(ask(&mut b, msg.as_bytes()), msg.as_bytes());
            }
            drop((a, b));
            let echoed = server.join().unwrap().unwrap();
            assert_eq!(echoed, [20 * 10, 20 * 10]);
        });
    }
}
