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
    let mut clients: [Option<TcpStream>; 2] =
        [Some(listener.accept()?.0), Some(listener.accept()?.0)];
    let mut echoed = [0u64; 2];
    while clients.iter().any(Option::is_some) {
        let open: Vec<usize> = (0..2).filter(|&i| clients[i].is_some()).collect();
        let ready: Vec<usize> = {
            let mut fds: Vec<PollFd> = open
                .iter()
                .filter_map(|&i| clients[i].as_ref())
                .map(|c| PollFd::new(c.as_fd(), PollFlags::POLLIN))
                .collect();
            poll(&mut fds, PollTimeout::NONE)?;
            fds.iter()
                .zip(&open)
                .filter(|(fd, _)| fd.revents().is_some_and(|r| !r.is_empty()))
                .map(|(_, &i)| i)
                .collect()
        };
        for i in ready {
            let Some(conn) = clients[i].as_mut() else {
                continue;
            };
            let mut buf = [0u8; 4096];
            let n = conn.read(&mut buf)?;
            if n == 0 {
                clients[i] = None;
            } else {
                conn.write_all(&buf[..n])?;
                echoed[i] += n as u64;
            }
        }
    }
    Ok(echoed)
}
