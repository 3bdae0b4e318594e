//! The keeper: one small process per connection that makes sure nothing a
//! command starts outlives the command.
//!
//! A process group is not enough. `killpg` reaches every process in the
//! command's group, but a process can leave the group: `setsid sleep 1234 &`
//! starts a new *session* (and a new group), and a double-forking daemon
//! does the same, then its parent exits so it is re-parented to pid 1 (or to
//! a subreaper above the server, such as `systemd --user`). Nothing the
//! server holds points at it any more.
//!
//! A **child subreaper** (`prctl(PR_SET_CHILD_SUBREAPER, 1)`, Linux 3.4+)
//! fixes the second half: when a process dies, its orphaned children are
//! re-parented to the nearest living ancestor that is a subreaper, not to
//! pid 1. So each connection gets a keeper, `fork()`ed at its first command:
//!
//! ```text
//! server ══ socketpair ══ keeper (subreaper, own group) ── posix_spawn ──> sh -c CMD (own group)
//!                             ^ every orphan below the shell lands here, whatever its session
//! ```
//!
//! For each command the server makes the stdout and stderr pipes and sends
//! their write ends to the keeper over a Unix socket (`SCM_RIGHTS`: the
//! kernel gives the keeper new descriptors for the same open pipes, as
//! `dup(2)` would), with the
//! command. The keeper starts the shell, waits until it exits or the
//! server says stop (timeout, client gone), then `killpg`s the shell's
//! group and, in rounds, SIGKILLs every child it still has, reaping each,
//! until `waitpid(-1)` says `ECHILD`: nothing left. Only then does it send
//! back the shell's wait status, and wait for the next command.
//!
//! Why one per connection and not one per command: a `fork()` of the whole
//! server costs about as much as the shell it starts (about 0.6 ms on the
//! machine this was measured on, where spawning and reaping `sh -c true`
//! takes about 0.7 ms); a connection pays it once.
//!
//! If the server goes away (the connection ends, the server stops, or is
//! even SIGKILLed), the keeper's end of the socket hangs up: it kills
//! whatever is still running and exits. This file is the server's side.
//! What the keeper process does is [`crate::subreaper`].

use crate::keeper_wire::{REPORT, RUN, STOP};
use crate::subreaper;
use nix::errno::Errno;
use nix::fcntl::OFlag;
use nix::sys::socket::{self, AddressFamily, ControlMessage, MsgFlags, SockFlag, SockType};
use std::fs::File;
use std::io::ErrorKind::{ConnectionReset, Interrupted};
use std::io::{self, IoSlice, Read, Write};
use std::os::fd::{AsFd, AsRawFd, BorrowedFd};
use std::os::unix::net::UnixStream;
use std::sync::Arc;

/// A connection's keeper: our child, and our end of the socket to it.
pub struct Keeper {
    /// The keeper's pid: reaped with `waitpid` when the keeper is dropped.
    pub pid: i32,
    /// A `SOCK_SEQPACKET` socket: each write is one message, kept whole.
    /// Shared with the server's registry of running commands.
    ctl: Arc<UnixStream>,
    /// The number of the command now running (or last run).
    seq: u32,
}

/// What the keeper reports once everything below it is reaped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Report {
    /// The shell's pid (also its process group id).
    pub shell: i32,
    /// The shell's raw wait status (`WIFEXITED`, `WTERMSIG`, ...).
    pub status: i32,
}

impl Keeper {
    /// `fork()` a keeper. It waits for commands on the socket.
    pub fn start() -> io::Result<Keeper> {
        let (ours, theirs) = socket::socketpair(
            AddressFamily::Unix,
            SockType::SeqPacket,
            None,
            SockFlag::SOCK_CLOEXEC,
        )?;
        let devnull = File::open("/dev/null")?;
        // SAFETY: the child runs only `keeper_main`, which makes
        // async-signal-safe system calls and never returns.
        let pid = match unsafe { nix::unistd::fork() }? {
            nix::unistd::ForkResult::Child => unsafe {
                subreaper::keeper_main(theirs.as_raw_fd(), devnull.as_raw_fd())
            },
            nix::unistd::ForkResult::Parent { child } => child.as_raw(),
        };
        Ok(Keeper {
            pid,
            ctl: Arc::new(UnixStream::from(ours)),
            seq: 0,
        })
    }

    /// Start `sh -c CMD` under the keeper. Returns our read ends of its
    /// stdout and stderr; the keeper and the shell hold the only write ends.
    pub fn launch(&mut self, cmd: &[u8]) -> io::Result<(File, File)> {
        if cmd.contains(&0) {
            let why = "the command contains a NUL byte";
            return Err(io::Error::new(io::ErrorKind::InvalidInput, why));
        }
        let (out_r, out_w) = nix::unistd::pipe2(OFlag::O_CLOEXEC)?;
        let (err_r, err_w) = nix::unistd::pipe2(OFlag::O_CLOEXEC)?;
        self.seq = self.seq.wrapping_add(1);
        let head = [&[RUN][..], &self.seq.to_ne_bytes()].concat();
        let parts = [IoSlice::new(&head), IoSlice::new(cmd), IoSlice::new(&[0])];
        let fds = [out_w.as_raw_fd(), err_w.as_raw_fd()];
        let rights = [ControlMessage::ScmRights(&fds)];
        socket::sendmsg::<()>(
            self.ctl.as_raw_fd(),
            &parts,
            &rights,
            MsgFlags::MSG_NOSIGNAL,
            None,
        )?;
        // The keeper has its own copies now. Ours must close, or the pipes
        // would never reach end-of-file.
        drop((out_w, err_w));
        Ok((File::from(out_r), File::from(err_r)))
    }

    /// Tell the keeper to kill the running command and everything it
    /// started, now. (A stop for a command that already ended is ignored:
    /// it carries that command's number.)
    pub fn stop(&self) {
        let msg = [&[STOP][..], &self.seq.to_ne_bytes()].concat();
        let _ = (&*self.ctl).write(&msg);
    }

    /// A second handle on the socket, for the server's registry of running
    /// commands: writing [`QUIT`](crate::keeper_wire) on it ends the command
    /// and the keeper. (The same socket, shared: no `dup` per command.)
    pub fn stop_handle(&self) -> Arc<UnixStream> {
        Arc::clone(&self.ctl)
    }

    /// Readable when the report has arrived (or the keeper died): for `poll`.
    pub fn report_fd(&self) -> BorrowedFd<'_> {
        self.ctl.as_fd()
    }

    /// Wait for the report on the running command. It comes only once
    /// nothing below the keeper is left. An error means the shell never
    /// started, or the keeper is gone.
    ///
    /// Two errors are read past. `EINTR`: a signal. `ECONNRESET`: the
    /// keeper exited (told to quit) with a message of ours unread, a stop
    /// that crossed its report; a unix(7) socket closed with unread data
    /// resets its peer (net/unix/af_unix.c, unix_release_sock), and `recv`
    /// returns that pending error first, before the report still queued
    /// (the keeper tests show it). The next read gets the report, or
    /// end-of-file.
    pub fn report(&mut self) -> io::Result<Report> {
        let mut msg = [0u8; 16];
        loop {
            let n = match (&*self.ctl).read(&mut msg) {
                Err(e) if matches!(e.kind(), Interrupted | ConnectionReset) => continue,
                r => r?,
            };
            if n == 0 {
                return Err(io::Error::other("the keeper is gone"));
            }
            let field = |i: usize| i32::from_ne_bytes([msg[i], msg[i + 1], msg[i + 2], msg[i + 3]]);
            if n != 13 || msg[0] != REPORT || field(1) as u32 != self.seq {
                continue; // not the report on this command
            }
            return match (field(5), field(9)) {
                (shell, status) if shell > 0 => Ok(Report { shell, status }),
                (errno, _) => Err(io::Error::from_raw_os_error(-errno)),
            };
        }
    }
}

impl Drop for Keeper {
    /// Closing our end tells the keeper to finish; then reap it.
    fn drop(&mut self) {
        let _ = self.ctl.shutdown(std::net::Shutdown::Both);
        let pid = nix::unistd::Pid::from_raw(self.pid);
        while let Err(Errno::EINTR) = nix::sys::wait::waitpid(pid, None) {}
    }
}

#[cfg(test)]
mod tests;
