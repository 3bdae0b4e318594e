//! Waiting for whatever happens first while a command runs: output on
//! stdout, output on stderr, the client hanging up, or the keeper's report
//! — one `poll(2)` over four file descriptors.
//!
//! We call `libc::poll` directly because nix 0.32 has no `POLLRDHUP`, the
//! flag that reports a peer's FIN without also waking up for its data.

use std::io;
use std::os::fd::{AsRawFd, BorrowedFd};
use std::time::Duration;

/// What one `poll` saw.
#[derive(Debug, Default)]
pub(crate) struct Ready {
    pub stdout: bool,
    pub stderr: bool,
    /// The client closed or reset its connection.
    pub peer_gone: bool,
    /// The keeper's report is waiting (or the keeper is gone).
    pub ended: bool,
}

/// One `poll(2)` on both pipes, the client's socket and the keeper's report.
pub(crate) fn wait_ready(
    stdout: Option<BorrowedFd>,
    stderr: Option<BorrowedFd>,
    peer: Option<BorrowedFd>,
    report: Option<BorrowedFd>,
    wait: Duration,
) -> io::Result<Ready> {
    use nix::libc::{poll, pollfd, POLLERR, POLLHUP, POLLIN, POLLRDHUP};
    let fd = |f: Option<BorrowedFd>, events| pollfd {
        fd: f.map_or(-1, |f| f.as_raw_fd()), // poll ignores negative fds
        events,
        revents: 0,
    };
    let mut fds = [
        fd(stdout, POLLIN),
        fd(stderr, POLLIN),
        // POLLRDHUP: the client sent FIN (closed or half-closed). We do not
        // ask for POLLIN, so a client typing ahead is not mistaken for one
        // that left. POLLHUP/POLLERR (e.g. after a RST) are always reported.
        fd(peer, POLLRDHUP),
        fd(report, POLLIN),
    ];
    let ms = wait.as_millis().min(i32::MAX as u128) as i32;
    // SAFETY: `fds` is a valid array of 4 pollfd for the whole call, and
    // every fd in it is borrowed from an object alive for this function.
    let n = unsafe { poll(fds.as_mut_ptr(), fds.len() as nix::libc::nfds_t, ms) };
    if n < 0 {
        let e = io::Error::last_os_error();
        if e.kind() == io::ErrorKind::Interrupted {
            return Ok(Ready::default());
        }
        return Err(e);
    }
    let readable = POLLIN | POLLHUP | POLLERR;
    Ok(Ready {
        stdout: fds[0].revents & readable != 0,
        stderr: fds[1].revents & readable != 0,
        peer_gone: fds[2].revents & (POLLRDHUP | POLLHUP | POLLERR) != 0,
        ended: fds[3].revents & readable != 0,
    })
}
