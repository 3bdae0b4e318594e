//! Test support for lesson 21 (TCP by hand): a real kernel to grade your
//! packets. You never need to edit this file.
//!
//! [`with_kernel`] forks a child process; the child moves into a private
//! network namespace (`unshare(CLONE_NEWNET)` as root, or a user namespace
//! plus a network namespace otherwise), creates a TUN device `tun0` with the
//! kernel's address 192.0.2.1/24, and listens on 192.0.2.1:7000. Your
//! packets, from 192.0.2.2, are written into `tun0`; the kernel's answers are
//! read from it. The test process itself never changes namespace, and the
//! namespace, device and sockets vanish when the child exits.
//!
//! Your code runs in the test, not in the child: the child only obeys
//! small requests ("write these bytes into tun0", "what did the kernel
//! send?") over a socketpair. (A child forked from a multi-threaded test
//! must not run code that may panic, nor allocate: another thread could
//! have held a lock, the allocator's or a panic's, at the fork, and the
//! child's copy of it stays held forever. So the child only uses buffers
//! the parent allocated before the fork.)
//!
//! Without the privilege for this (no root, no user namespaces, or no
//! access to /dev/net/tun), the test is *skipped* (see [`crate::skip`]).

use nix::poll::{poll, PollFd, PollFlags, PollTimeout};
use nix::sys::socket::MsgFlags;
use std::net::{Ipv4Addr, SocketAddrV4};
use std::os::fd::{AsRawFd, OwnedFd};

// One flat file beside this one (the course runner copies `src/*.rs` only).
#[path = "tcp_lab_kernel.rs"]
mod kernel;
use kernel::set_up;

/// The kernel's listening address, and the address your packets come from.
pub const KERNEL: SocketAddrV4 = SocketAddrV4::new(Ipv4Addr::new(192, 0, 2, 1), 7000);
pub const US: SocketAddrV4 = SocketAddrV4::new(Ipv4Addr::new(192, 0, 2, 2), 40000);

/// TCP flag bits (byte 13 of the TCP header).
pub const FIN: u8 = 0x01;
pub const SYN: u8 = 0x02;
pub const RST: u8 = 0x04;
pub const PSH: u8 = 0x08;
pub const ACK: u8 = 0x10;

/// The kernel's side of the lab, as seen from the test: every method is a
/// request to the child process that lives in the lab's namespace.
pub struct Lab {
    link: OwnedFd,
}

/// The header fields of a segment the kernel sent.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Reply {
    pub seq: u32,
    pub ack: u32,
    pub flags: u8,
    pub payload_len: usize,
}

impl Reply {
    pub fn has(&self, flag: u8) -> bool {
        self.flags & flag != 0
    }
}

pub(crate) fn ready(fd: std::os::fd::BorrowedFd, ms: u16) -> bool {
    let mut fds = [PollFd::new(fd, PollFlags::POLLIN)];
    matches!(poll(&mut fds, PollTimeout::from(ms)), Ok(n) if n > 0)
}

impl Lab {
    fn ask(&self, request: &[u8]) -> Vec<u8> {
        nix::sys::socket::send(self.link.as_raw_fd(), request, MsgFlags::empty())
            .expect("the lab's child process is gone");
        let mut buf = vec![0u8; 70000];
        let n = nix::sys::socket::recv(self.link.as_raw_fd(), &mut buf, MsgFlags::empty())
            .expect("the lab's child process is gone");
        buf.truncate(n);
        buf
    }

    /// Hands one IPv4 packet to the kernel, as if it came in over `tun0`.
    pub fn send(&self, packet: &[u8]) {
        let mut req = vec![b'S'];
        req.extend_from_slice(packet);
        self.ask(&req);
    }

    /// The next TCP segment the kernel sends to 192.0.2.2 within `ms`
    /// milliseconds (the whole packet: IPv4 header first), or `None`.
    pub fn reply_packet(&self, ms: u16) -> Option<Vec<u8>> {
        let mut req = vec![b'R'];
        req.extend_from_slice(&ms.to_be_bytes());
        Some(self.ask(&req)).filter(|p| !p.is_empty())
    }

    /// Like [`Lab::reply_packet`], the header fields only.
    pub fn reply(&self, ms: u16) -> Option<Reply> {
        let p = self.reply_packet(ms)?;
        let ihl = usize::from(p[0] & 0x0f) * 4;
        let total = usize::from(u16::from_be_bytes([p[2], p[3]]));
        let t = p.get(ihl..total)?;
        let word = |at: usize| u32::from_be_bytes([t[at], t[at + 1], t[at + 2], t[at + 3]]);
        Some(Reply {
            seq: word(4),
            ack: word(8),
            flags: t[13],
            payload_len: t.len() - usize::from(t[12] >> 4) * 4,
        })
    }

    /// True if the kernel's `accept()` returns a connection within `ms`.
    pub fn accepted(&self, ms: u16) -> bool {
        let mut req = vec![b'A'];
        req.extend_from_slice(&ms.to_be_bytes());
        self.ask(&req) == [1]
    }

    /// The kernel's application calls `close()` on the accepted connection:
    /// the kernel sends its FIN. False if nothing was accepted.
    pub fn close_accepted(&self) -> bool {
        self.ask(b"X") == [1]
    }

    /// The state of the kernel's socket for the connection with `peer`,
    /// as `/proc/net/tcp` names it (`ESTABLISHED`, `TIME_WAIT`, ...), or
    /// `gone`.
    pub fn kernel_state(&self, peer: SocketAddrV4) -> String {
        let mut req = vec![b'T'];
        req.extend_from_slice(&peer.ip().octets());
        req.extend_from_slice(&peer.port().to_be_bytes());
        String::from_utf8_lossy(&self.ask(&req)).into_owned()
    }

    /// `/proc/net/snmp`'s Tcp InCsumErrors in the lab's namespace: segments
    /// the kernel dropped because their checksum was wrong.
    pub fn checksum_errors(&self) -> u64 {
        let n = self.ask(b"C");
        u64::from_be_bytes(n.try_into().unwrap_or_default())
    }
}

/// In a freshly forked child: close every inherited descriptor above 2
/// but `link`. Tests run in parallel threads, so another test may have
/// created its own socketpair just before we forked: our copy of its ends
/// would keep its child from ever seeing end-of-file, and its copy of ours
/// would do the same to us. Both would wait forever. (`SOCK_CLOEXEC` does not
/// help: nothing here calls `exec`.)
fn keep_only(link: std::os::fd::RawFd) {
    // SAFETY: close_range only closes descriptors; nothing in this child
    // uses any of them but `link`.
    unsafe {
        let below = (link as u32).saturating_sub(1);
        if link > 3 {
            nix::libc::syscall(nix::libc::SYS_close_range, 3u32, below, 0u32);
        }
        nix::libc::syscall(nix::libc::SYS_close_range, link as u32 + 1, u32::MAX, 0u32);
    }
}

/// Runs `body` against a real kernel in a child process with its own
/// network namespace (see the module comment). Fails the test with
/// `body`'s message if it returns `Err`; skips it (returning early) if this
/// machine gives no privilege for a namespace.
pub fn with_kernel(body: impl FnOnce(&Lab) -> Result<(), String>) {
    let (mine, theirs) = nix::sys::socket::socketpair(
        nix::sys::socket::AddressFamily::Unix,
        nix::sys::socket::SockType::SeqPacket,
        None,
        nix::sys::socket::SockFlag::SOCK_CLOEXEC,
    )
    .expect("socketpair");
    // Everything the child will need, allocated now: the child allocates
    // nothing (see tcp_lab_kernel.rs).
    let mut scratch = kernel::Scratch::new();
    crate::flush_before_fork();
    // SAFETY: the child only runs `child_main`, which `_exit`s; it runs no
    // code of the test's (nothing that could panic) and allocates nothing.
    let child = match unsafe { nix::unistd::fork() }.expect("fork") {
        nix::unistd::ForkResult::Child => crate::child_main(|| {
            drop(mine);
            keep_only(theirs.as_raw_fd());
            match set_up(&mut scratch) {
                Some(mut kernel) => {
                    let _ = nix::sys::socket::send(theirs.as_raw_fd(), b"READY", MsgFlags::empty());
                    kernel.serve(&theirs, &mut scratch);
                }
                None => {
                    let _ = nix::sys::socket::send(
                        theirs.as_raw_fd(),
                        scratch.msg.as_bytes(),
                        MsgFlags::empty(),
                    );
                }
            }
            0
        }),
        nix::unistd::ForkResult::Parent { child } => child,
    };
    drop(theirs);
    let lab = Lab { link: mine };
    let mut buf = vec![0u8; 4096];
    let n = nix::sys::socket::recv(lab.link.as_raw_fd(), &mut buf, MsgFlags::empty()).unwrap_or(0);
    let hello = String::from_utf8_lossy(&buf[..n]).into_owned();
    // A panic in `body` (a `todo!()`) is held until the child is reaped.
    let outcome = (hello == "READY")
        .then(|| std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| body(&lab))));
    drop(lab); // the child sees end-of-file and exits
    let _ = nix::sys::wait::waitpid(child, None);
    match outcome {
        Some(Err(panic)) => std::panic::resume_unwind(panic),
        Some(Ok(Err(msg))) => panic!("{msg}"),
        Some(Ok(Ok(()))) => {}
        None => match hello.strip_prefix("SKIP ") {
            Some(reason) => crate::skip(reason),
            None => panic!("{hello}"),
        },
    }
}
