//! The child's side of the lab: the namespace, the TUN device, the
//! listener, and a loop answering the test's requests. It runs in a child
//! forked from a multi-threaded test, so it does only simple things, never
//! runs the student's code, and allocates nothing: after `fork` in a
//! multi-threaded process only async-signal-safe calls are safe (lessons 16
//! and 17), and `malloc` is not one (another thread may have held its lock
//! at the fork). Every buffer it needs is allocated by the parent before
//! the fork ([`Scratch`]); messages are written into a fixed buffer
//! ([`Msg`]); `/proc` files are read with `open` and `read`.

use super::{ready, KERNEL, US};
use nix::errno::Errno;
use nix::libc;
use nix::sched::{unshare, CloneFlags};
use nix::sys::socket::MsgFlags;
use std::fmt::Write as _;
use std::net::{Ipv4Addr, SocketAddrV4, TcpListener};
use std::os::fd::{AsFd, AsRawFd, OwnedFd};

/// A message in a fixed buffer: `write!` into it allocates nothing (too
/// long a message is cut).
pub(super) struct Msg {
    buf: [u8; 512],
    len: usize,
}

impl Msg {
    fn new() -> Msg {
        Msg {
            buf: [0; 512],
            len: 0,
        }
    }

    pub(super) fn as_bytes(&self) -> &[u8] {
        &self.buf[..self.len]
    }
}

impl std::fmt::Write for Msg {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        let n = s.len().min(self.buf.len() - self.len);
        self.buf[self.len..self.len + n].copy_from_slice(&s.as_bytes()[..n]);
        self.len += n;
        Ok(())
    }
}

/// Everything the child needs, allocated by the parent before `fork`.
pub(super) struct Scratch {
    /// One packet read from tun0.
    packet: Vec<u8>,
    /// One request from the test.
    request: Vec<u8>,
    /// A `/proc` file.
    text: Vec<u8>,
    /// The first line the child sends: `READY`, `SKIP <reason>` or `FAIL <error>`.
    pub(super) msg: Msg,
    /// The test hook `TCP_LAB_NO_USERNS=1`, read before the fork.
    no_userns: bool,
}

impl Scratch {
    pub(super) fn new() -> Scratch {
        Scratch {
            packet: vec![0; 65536],
            request: vec![0; 70000],
            text: vec![0; 65536],
            msg: Msg::new(),
            no_userns: std::env::var("TCP_LAB_NO_USERNS").is_ok_and(|v| v == "1"),
        }
    }
}

/// The child's end: the real device and listener.
pub(super) struct Kernel {
    tun: OwnedFd,
    listener: TcpListener,
    /// The connection `accept()` returned, kept open until [`Lab::close_accepted`].
    conn: Option<std::net::TcpStream>,
}

/// Reads a `/proc` file into `buf` with plain system calls; "" if it cannot.
fn read_proc<'a>(path: &str, buf: &'a mut [u8]) -> &'a str {
    let Ok(fd) = nix::fcntl::open(
        path,
        nix::fcntl::OFlag::O_RDONLY | nix::fcntl::OFlag::O_CLOEXEC,
        nix::sys::stat::Mode::empty(),
    ) else {
        return "";
    };
    let mut len = 0;
    while len < buf.len() {
        match nix::unistd::read(fd.as_fd(), &mut buf[len..]) {
            Ok(0) => break,
            Ok(n) => len += n,
            Err(Errno::EINTR) => continue,
            Err(_) => return "",
        }
    }
    std::str::from_utf8(&buf[..len]).unwrap_or("")
}

/// `0100A8C0:1B58` (as /proc/net/tcp writes an address) as `addr`?
fn is_addr(field: &str, addr: SocketAddrV4) -> bool {
    let Some((ip, port)) = field.split_once(':') else {
        return false;
    };
    u32::from_str_radix(ip, 16) == Ok(u32::from_ne_bytes(addr.ip().octets()))
        && u16::from_str_radix(port, 16) == Ok(addr.port())
}

impl Kernel {
    /// The next TCP segment to 192.0.2.2 within `ms`, into `buf`: its length,
    /// 0 if none came.
    fn reply_packet(&self, ms: u16, buf: &mut [u8]) -> usize {
        let deadline = std::time::Instant::now() + std::time::Duration::from_millis(ms.into());
        loop {
            let left = deadline.saturating_duration_since(std::time::Instant::now());
            if !ready(self.tun.as_fd(), left.as_millis() as u16) {
                return 0;
            }
            let n = nix::unistd::read(self.tun.as_fd(), buf).unwrap_or(0);
            // IPv4, TCP, to 192.0.2.2: anything else (IPv6 chatter) is skipped.
            if n >= 40 && buf[0] >> 4 == 4 && buf[9] == 6 && buf[16..20] == US.ip().octets() {
                return n;
            }
        }
    }

    /// The state of KERNEL <-> `peer` in /proc/net/tcp.
    fn state(peer: SocketAddrV4, text: &mut [u8]) -> &'static str {
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
        for line in read_proc("/proc/self/net/tcp", text).lines().skip(1) {
            let mut f = line.split_whitespace().skip(1);
            let (Some(local), Some(remote), Some(st)) = (f.next(), f.next(), f.next()) else {
                continue;
            };
            if is_addr(local, KERNEL) && is_addr(remote, peer) {
                let n = usize::from_str_radix(st, 16).unwrap_or(0);
                return NAMES.get(n).copied().unwrap_or("?");
            }
        }
        "gone"
    }

    fn checksum_errors(text: &mut [u8]) -> u64 {
        let mut rows = read_proc("/proc/self/net/snmp", text)
            .lines()
            .filter(|l| l.starts_with("Tcp:"));
        let (Some(names), Some(values)) = (rows.next(), rows.next()) else {
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
    pub(super) fn serve(&mut self, link: &OwnedFd, scratch: &mut Scratch) {
        let Scratch {
            packet,
            request,
            text,
            ..
        } = scratch;
        loop {
            let n = match nix::sys::socket::recv(link.as_raw_fd(), request, MsgFlags::empty()) {
                Ok(0) | Err(_) => return,
                Ok(n) => n,
            };
            let req = &request[..n];
            let ms = |b: &[u8]| u16::from_be_bytes([b[1], b[2]]);
            let one: [u8; 1];
            let eight: [u8; 8];
            let answer: &[u8] = match req[0] {
                b'S' => {
                    let _ = nix::unistd::write(self.tun.as_fd(), &req[1..]);
                    one = [1];
                    &one
                }
                b'R' if n == 3 => {
                    let len = self.reply_packet(ms(req), packet);
                    &packet[..len]
                }
                b'A' if n == 3 => {
                    let conn = ready(self.listener.as_fd(), ms(req))
                        .then(|| self.listener.accept().ok())
                        .flatten();
                    one = [u8::from(conn.is_some())];
                    self.conn = conn.map(|(c, _)| c);
                    &one
                }
                b'X' => {
                    one = [u8::from(self.conn.take().is_some())];
                    &one
                }
                b'T' if n == 7 => {
                    let peer = SocketAddrV4::new(
                        Ipv4Addr::new(req[1], req[2], req[3], req[4]),
                        u16::from_be_bytes([req[5], req[6]]),
                    );
                    Kernel::state(peer, text).as_bytes()
                }
                b'C' => {
                    eight = Kernel::checksum_errors(text).to_be_bytes();
                    &eight
                }
                _ => return,
            };
            if nix::sys::socket::send(link.as_raw_fd(), answer, MsgFlags::empty()).is_err() {
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

/// Sets up the namespace, device, address and listener. `None` if it
/// cannot: then `scratch.msg` holds `SKIP <reason>` (no privilege) or
/// `FAIL <error>` (a real failure).
pub(super) fn set_up(scratch: &mut Scratch) -> Option<Kernel> {
    let msg = &mut scratch.msg;
    let root = nix::unistd::Uid::effective().is_root();
    let flags = if root {
        CloneFlags::CLONE_NEWNET
    } else {
        CloneFlags::CLONE_NEWUSER | CloneFlags::CLONE_NEWNET
    };
    // The same test hook as tcp-lab's: act as if user namespaces were off.
    if !root && scratch.no_userns {
        let _ = write!(
            msg,
            "SKIP tcp_lab needs a private network namespace: user namespaces refused \
             (test hook TCP_LAB_NO_USERNS=1); run as root (sudo)"
        );
        return None;
    }
    match unshare(flags) {
        Ok(()) => {}
        Err(e @ (Errno::EPERM | Errno::ENOSPC | Errno::EUSERS | Errno::EACCES)) => {
            let _ = write!(
                msg,
                "SKIP tcp_lab needs a private network namespace: unshare({flags:?}) said {e}; \
                 run as root (sudo) or allow unprivileged user namespaces"
            );
            return None;
        }
        Err(e) => return fail(msg, "unshare", e),
    }
    let tun = match nix::fcntl::open(
        "/dev/net/tun",
        nix::fcntl::OFlag::O_RDWR | nix::fcntl::OFlag::O_CLOEXEC,
        nix::sys::stat::Mode::empty(),
    ) {
        Ok(fd) => fd,
        Err(e @ (Errno::EACCES | Errno::EPERM | Errno::ENOENT)) => {
            let _ = write!(
                msg,
                "SKIP tcp_lab needs /dev/net/tun ({e}): run as root (sudo), or `sudo chmod 0666 /dev/net/tun`"
            );
            return None;
        }
        Err(e) => return fail(msg, "open /dev/net/tun", e),
    };
    let mut req = ifreq("tun0");
    req.ifr_ifru.ifru_flags = (libc::IFF_TUN | libc::IFF_NO_PI) as libc::c_short;
    // SAFETY: req lives across the call.
    if let Err(e) = unsafe { tunsetiff(tun.as_raw_fd(), &req) } {
        return fail(msg, "TUNSETIFF", e);
    }
    let sock = match nix::sys::socket::socket(
        nix::sys::socket::AddressFamily::Inet,
        nix::sys::socket::SockType::Datagram,
        nix::sys::socket::SockFlag::SOCK_CLOEXEC,
        None,
    ) {
        Ok(sock) => sock,
        Err(e) => return fail(msg, "socket", e),
    };
    let s = sock.as_raw_fd();
    for (name, ip) in [("lo", None), ("tun0", Some(KERNEL.ip()))] {
        let mut req = ifreq(name);
        if let Some(ip) = ip {
            req.ifr_ifru.ifru_addr = sockaddr(*ip);
            // SAFETY: as above.
            if let Err(e) = unsafe { siocsifaddr(s, &req) } {
                return fail(msg, "SIOCSIFADDR", e);
            }
            req.ifr_ifru.ifru_netmask = sockaddr(Ipv4Addr::new(255, 255, 255, 0));
            if let Err(e) = unsafe { siocsifnetmask(s, &req) } {
                return fail(msg, "SIOCSIFNETMASK", e);
            }
        }
        req.ifr_ifru.ifru_flags = (libc::IFF_UP | libc::IFF_RUNNING) as libc::c_short;
        if let Err(e) = unsafe { siocsifflags(s, &req) } {
            return fail(msg, "SIOCSIFFLAGS", e);
        }
    }
    // std's bind and set_nonblocking make system calls only (an address,
    // not a name: no lookup, no allocation).
    let listener = match TcpListener::bind(KERNEL) {
        Ok(l) => l,
        Err(e) => {
            let _ = write!(msg, "FAIL the lab's set-up failed: bind {KERNEL}: {e}");
            return None;
        }
    };
    if let Err(e) = listener.set_nonblocking(true) {
        let _ = write!(msg, "FAIL the lab's set-up failed: nonblocking: {e}");
        return None;
    }
    Some(Kernel {
        tun,
        listener,
        conn: None,
    })
}

/// A real failure of the set-up, into `msg`.
fn fail(msg: &mut Msg, what: &str, e: Errno) -> Option<Kernel> {
    let _ = write!(msg, "FAIL the lab's set-up failed: {what}: {e}");
    None
}
