//! Test support for lesson 20 (TCP by hand): a real kernel to grade your
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
//! must not run code that may panic: another thread's panic could have left
//! a lock held forever in the child's copy of memory.)
//!
//! Without the privilege for this (no root, no user namespaces, or no
//! access to /dev/net/tun), the test is *skipped* (see [`crate::skip`]).

use nix::errno::Errno;
use nix::libc;
use nix::poll::{poll, PollFd, PollFlags, PollTimeout};
use nix::sched::{unshare, CloneFlags};
use nix::sys::socket::MsgFlags;
use std::net::{Ipv4Addr, SocketAddrV4, TcpListener};
use std::os::fd::{AsFd, AsRawFd, OwnedFd};

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

/// The child's end: the real device and listener.
struct Kernel {
    tun: OwnedFd,
    listener: TcpListener,
    /// The connection `accept()` returned, kept open until [`Lab::close_accepted`].
    conn: std::cell::RefCell<Option<std::net::TcpStream>>,
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

fn ready(fd: std::os::fd::BorrowedFd, ms: u16) -> bool {
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

impl Kernel {
    fn reply_packet(&self, ms: u16) -> Vec<u8> {
        let deadline = std::time::Instant::now() + std::time::Duration::from_millis(ms.into());
        loop {
            let left = deadline.saturating_duration_since(std::time::Instant::now());
            if !ready(self.tun.as_fd(), left.as_millis() as u16) {
                return Vec::new();
            }
            let mut buf = vec![0u8; 65536];
            let n = nix::unistd::read(self.tun.as_fd(), &mut buf).unwrap_or(0);
            buf.truncate(n);
            // IPv4, TCP, to 192.0.2.2: anything else (IPv6 chatter) is skipped.
            if n >= 40 && buf[0] >> 4 == 4 && buf[9] == 6 && buf[16..20] == US.ip().octets() {
                return buf;
            }
        }
    }

    /// The state of KERNEL <-> `peer` in /proc/net/tcp.
    fn state(peer: SocketAddrV4) -> String {
        const NAMES: [&str; 12] = [
            "?",
            "ESTABLISHED",
            "SYN_SENT",
            "SYN_RECV",
            "FIN_WAIT1",
            "FIN_WAIT2",
            "TIME_WAIT",
            "CLOSE",
            "CLOSE_WAIT",
            "LAST_ACK",
            "LISTEN",
            "CLOSING",
        ];
        let hex = |a: SocketAddrV4| {
            format!(
                "{:08X}:{:04X}",
                u32::from_ne_bytes(a.ip().octets()),
                a.port()
            )
        };
        let (l, r) = (hex(KERNEL), hex(peer));
        let table = std::fs::read_to_string("/proc/self/net/tcp").unwrap_or_default();
        for line in table.lines().skip(1) {
            let f: Vec<&str> = line.split_whitespace().collect();
            if f.len() > 3 && f[1] == l && f[2] == r {
                let n = usize::from_str_radix(f[3], 16).unwrap_or(0);
                return NAMES.get(n).unwrap_or(&"?").to_string();
            }
        }
        "gone".into()
    }

    fn checksum_errors() -> u64 {
        let text = std::fs::read_to_string("/proc/self/net/snmp").unwrap_or_default();
        let rows: Vec<&str> = text.lines().filter(|l| l.starts_with("Tcp:")).collect();
        let (Some(names), Some(values)) = (rows.first(), rows.get(1)) else {
            return 0;
        };
        names
            .split_whitespace()
            .zip(values.split_whitespace())
            .find(|(n, _)| *n == "InCsumErrors")
            .and_then(|(_, v)| v.parse().ok())
            .unwrap_or(0)
    }

    /// Answers the test's requests until it hangs up.
    fn serve(&self, link: &OwnedFd) {
        let mut buf = vec![0u8; 70000];
        loop {
            let n = match nix::sys::socket::recv(link.as_raw_fd(), &mut buf, MsgFlags::empty()) {
                Ok(0) | Err(_) => return,
                Ok(n) => n,
            };
            let ms = |b: &[u8]| u16::from_be_bytes([b[1], b[2]]);
            let answer = match buf[0] {
                b'S' => {
                    let _ = nix::unistd::write(self.tun.as_fd(), &buf[1..n]);
                    vec![1]
                }
                b'R' if n == 3 => self.reply_packet(ms(&buf)),
                b'A' if n == 3 => {
                    let conn = ready(self.listener.as_fd(), ms(&buf))
                        .then(|| self.listener.accept().ok())
                        .flatten();
                    let ok = conn.is_some();
                    *self.conn.borrow_mut() = conn.map(|(c, _)| c);
                    vec![u8::from(ok)]
                }
                b'X' => vec![u8::from(self.conn.borrow_mut().take().is_some())],
                b'T' if n == 7 => {
                    let peer = SocketAddrV4::new(
                        Ipv4Addr::new(buf[1], buf[2], buf[3], buf[4]),
                        u16::from_be_bytes([buf[5], buf[6]]),
                    );
                    Kernel::state(peer).into_bytes()
                }
                b'C' => Kernel::checksum_errors().to_be_bytes().to_vec(),
                _ => return,
            };
            if nix::sys::socket::send(link.as_raw_fd(), &answer, MsgFlags::empty()).is_err() {
                return;
            }
        }
    }
}

nix::ioctl_write_ptr_bad!(tunsetiff, libc::TUNSETIFF, libc::ifreq);
nix::ioctl_write_ptr_bad!(siocsifaddr, libc::SIOCSIFADDR, libc::ifreq);
nix::ioctl_write_ptr_bad!(siocsifnetmask, libc::SIOCSIFNETMASK, libc::ifreq);
nix::ioctl_write_ptr_bad!(siocsifflags, libc::SIOCSIFFLAGS, libc::ifreq);

fn ifreq(name: &str) -> libc::ifreq {
    // SAFETY: plain data; all-zero is valid.
    let mut req: libc::ifreq = unsafe { std::mem::zeroed() };
    for (d, s) in req.ifr_name.iter_mut().zip(name.bytes()) {
        *d = s as libc::c_char;
    }
    req
}

fn sockaddr(ip: Ipv4Addr) -> libc::sockaddr {
    let sin = libc::sockaddr_in {
        sin_family: libc::AF_INET as libc::sa_family_t,
        sin_port: 0,
        sin_addr: libc::in_addr {
            s_addr: u32::from(ip).to_be(),
        },
        sin_zero: [0; 8],
    };
    // SAFETY: both are 16 bytes.
    unsafe { std::mem::transmute::<libc::sockaddr_in, libc::sockaddr>(sin) }
}

/// Sets up the namespace, device, address and listener. `Err(Ok(reason))`:
/// no privilege (skip); `Err(Err(e))`: a real failure.
fn set_up() -> Result<Kernel, Result<String, String>> {
    let root = nix::unistd::Uid::effective().is_root();
    let flags = if root {
        CloneFlags::CLONE_NEWNET
    } else {
        CloneFlags::CLONE_NEWUSER | CloneFlags::CLONE_NEWNET
    };
    // The same test hook as tcp-lab's: act as if user namespaces were off.
    if !root && std::env::var("TCP_LAB_NO_USERNS").is_ok_and(|v| v == "1") {
        return Err(Ok(
            "tcp_lab needs a private network namespace: user namespaces refused \
                       (test hook TCP_LAB_NO_USERNS=1); run as root (sudo)"
                .into(),
        ));
    }
    match unshare(flags) {
        Ok(()) => {}
        Err(e @ (Errno::EPERM | Errno::ENOSPC | Errno::EUSERS | Errno::EACCES)) => {
            return Err(Ok(format!(
                "tcp_lab needs a private network namespace: unshare({flags:?}) said {e}; \
                 run as root (sudo) or allow unprivileged user namespaces"
            )))
        }
        Err(e) => return Err(Err(format!("unshare: {e}"))),
    }
    let tun = match nix::fcntl::open(
        "/dev/net/tun",
        nix::fcntl::OFlag::O_RDWR | nix::fcntl::OFlag::O_CLOEXEC,
        nix::sys::stat::Mode::empty(),
    ) {
        Ok(fd) => fd,
        Err(e @ (Errno::EACCES | Errno::EPERM | Errno::ENOENT)) => {
            return Err(Ok(format!(
                "tcp_lab needs /dev/net/tun ({e}): run as root (sudo), or `sudo chmod 0666 /dev/net/tun`"
            )))
        }
        Err(e) => return Err(Err(format!("open /dev/net/tun: {e}"))),
    };
    let fail = |what: &str, e: Errno| Err(Err(format!("{what}: {e}")));
    let mut req = ifreq("tun0");
    req.ifr_ifru.ifru_flags = (libc::IFF_TUN | libc::IFF_NO_PI) as libc::c_short;
    // SAFETY: req lives across the call.
    if let Err(e) = unsafe { tunsetiff(tun.as_raw_fd(), &req) } {
        return fail("TUNSETIFF", e);
    }
    let sock = nix::sys::socket::socket(
        nix::sys::socket::AddressFamily::Inet,
        nix::sys::socket::SockType::Datagram,
        nix::sys::socket::SockFlag::SOCK_CLOEXEC,
        None,
    )
    .map_err(|e| Err(format!("socket: {e}")))?;
    let s = sock.as_raw_fd();
    for (name, ip) in [("lo", None), ("tun0", Some(KERNEL.ip()))] {
        let mut req = ifreq(name);
        if let Some(ip) = ip {
            req.ifr_ifru.ifru_addr = sockaddr(*ip);
            // SAFETY: as above.
            if let Err(e) = unsafe { siocsifaddr(s, &req) } {
                return fail("SIOCSIFADDR", e);
            }
            req.ifr_ifru.ifru_netmask = sockaddr(Ipv4Addr::new(255, 255, 255, 0));
            if let Err(e) = unsafe { siocsifnetmask(s, &req) } {
                return fail("SIOCSIFNETMASK", e);
            }
        }
        req.ifr_ifru.ifru_flags = (libc::IFF_UP | libc::IFF_RUNNING) as libc::c_short;
        if let Err(e) = unsafe { siocsifflags(s, &req) } {
            return fail("SIOCSIFFLAGS", e);
        }
    }
    let listener = TcpListener::bind(KERNEL).map_err(|e| Err(format!("bind {KERNEL}: {e}")))?;
    listener
        .set_nonblocking(true)
        .map_err(|e| Err(format!("nonblocking: {e}")))?;
    Ok(Kernel {
        tun,
        listener,
        conn: std::cell::RefCell::new(None),
    })
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
    crate::flush_before_fork();
    // SAFETY: the child only runs `child_main`, which `_exit`s; it runs no
    // code of the test's (nothing that could panic).
    let child = match unsafe { nix::unistd::fork() }.expect("fork") {
        nix::unistd::ForkResult::Child => crate::child_main(|| {
            drop(mine);
            let hello = match set_up() {
                Err(Ok(reason)) => format!("SKIP {reason}"),
                Err(Err(e)) => format!("FAIL the lab's set-up failed: {e}"),
                Ok(kernel) => {
                    let _ = nix::sys::socket::send(theirs.as_raw_fd(), b"READY", MsgFlags::empty());
                    kernel.serve(&theirs);
                    return 0;
                }
            };
            let _ = nix::sys::socket::send(theirs.as_raw_fd(), hello.as_bytes(), MsgFlags::empty());
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
