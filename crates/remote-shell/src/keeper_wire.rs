//! The messages between the server and a keeper, over their
//! `SOCK_SEQPACKET` socket pair (each `send` arrives as one whole message),
//! and the keeper's side of reading and writing them.
//!
//! ```text
//! server → keeper   'r' seq command NUL   run it; the stdout and stderr pipes ride along (SCM_RIGHTS)
//!                   'k' seq               stop command seq now (ignored if it already ended)
//!                   'q'                   stop whatever runs, then exit (the server is stopping)
//! keeper → server   's' seq pid status    command seq is over and all it started is reaped:
//!                                         the shell's pid (-errno if it never started), wait status
//! ```
//!
//! The keeper's side runs in a forked copy of a server with many threads,
//! so, like [`crate::subreaper`], it makes only async-signal-safe calls, on
//! stack memory. The server's side is in [`crate::keeper`].

use nix::errno::Errno;
use nix::libc::{self, c_int};

pub(crate) const RUN: u8 = b'r';
pub(crate) const STOP: u8 = b'k';
pub(crate) const QUIT: u8 = b'q';
pub(crate) const REPORT: u8 = b's';

/// Largest message the keeper takes: a run message with the longest command.
pub(crate) const MAX_MSG: usize = 1 + 4 + crate::security::MAX_COMMAND + 1;

/// The keeper's end of the socket to the server.
pub(crate) const CTL: c_int = 3;

/// Wait for a run message: its number, the command's length (the command
/// starts at `buf[5]`) and the two pipes. `None`: the server hung up or
/// said quit. Stale stops, for commands already ended, are skipped.
pub(crate) unsafe fn next_command(buf: &mut [u8; MAX_MSG]) -> Option<(u32, usize, c_int, c_int)> {
    loop {
        let mut fds = [-1; 2];
        let (n, cut) = recv_message(buf, &mut fds);
        if n < 0 && Errno::last() == Errno::EINTR {
            continue;
        }
        if n <= 0 || buf[0] == QUIT {
            close_all(&fds);
            return None;
        }
        let n = n as usize;
        // A run message: 'r', seq, command, NUL, with exactly two pipes.
        if buf[0] == RUN && n >= 5 {
            let seq = u32::from_ne_bytes([buf[1], buf[2], buf[3], buf[4]]);
            if !cut && n >= 6 && fds[0] >= 0 && fds[1] >= 0 {
                return Some((seq, n - 6, fds[0], fds[1]));
            }
            // A run we cannot do must still be answered, or the server
            // would wait for its report forever.
            close_all(&fds);
            send_report(seq, -libc::EMSGSIZE, 0);
            continue;
        }
        close_all(&fds); // a stale stop, or a message we do not know
    }
}

/// `recvmsg` one message into `buf`, with up to two descriptors passed
/// along (`SCM_RIGHTS`), installed close-on-exec. Returns its length, 0 on
/// hang-up, -1 on error; and whether the message or its descriptors were
/// cut short (too long for `buf`).
pub(crate) unsafe fn recv_message(buf: &mut [u8], fds: &mut [c_int; 2]) -> (isize, bool) {
    let mut iov = libc::iovec {
        iov_base: buf.as_mut_ptr().cast(),
        iov_len: buf.len(),
    };
    let mut space = [0u64; 8]; // room for one SCM_RIGHTS header and 2 fds, aligned
    let mut msg: libc::msghdr = std::mem::zeroed();
    msg.msg_iov = &mut iov;
    msg.msg_iovlen = 1;
    msg.msg_control = space.as_mut_ptr().cast();
    msg.msg_controllen = std::mem::size_of_val(&space) as _;
    let n = libc::recvmsg(CTL, &mut msg, libc::MSG_CMSG_CLOEXEC);
    let mut cmsg = libc::CMSG_FIRSTHDR(&msg);
    while !cmsg.is_null() {
        if (*cmsg).cmsg_level == libc::SOL_SOCKET && (*cmsg).cmsg_type == libc::SCM_RIGHTS {
            let data = libc::CMSG_DATA(cmsg) as *const c_int;
            let count = ((*cmsg).cmsg_len as usize - libc::CMSG_LEN(0) as usize) / 4;
            for i in 0..count {
                let fd = data.add(i).read_unaligned();
                match fds.get_mut(i) {
                    Some(slot) => *slot = fd,
                    None => {
                        libc::close(fd);
                    }
                }
            }
        }
        cmsg = libc::CMSG_NXTHDR(&msg, cmsg);
    }
    (
        n,
        n > 0 && msg.msg_flags & (libc::MSG_TRUNC | libc::MSG_CTRUNC) != 0,
    )
}

pub(crate) unsafe fn close_all(fds: &[c_int]) {
    for &fd in fds.iter().filter(|&&fd| fd >= 0) {
        libc::close(fd);
    }
}

/// The report: 's', seq, the shell's pid (or -errno), its wait status.
pub(crate) unsafe fn send_report(seq: u32, shell: i32, status: i32) {
    let mut msg = [REPORT; 13];
    msg[1..5].copy_from_slice(&seq.to_ne_bytes());
    msg[5..9].copy_from_slice(&shell.to_ne_bytes());
    msg[9..13].copy_from_slice(&status.to_ne_bytes());
    libc::send(CTL, msg.as_ptr().cast(), msg.len(), libc::MSG_NOSIGNAL);
}
