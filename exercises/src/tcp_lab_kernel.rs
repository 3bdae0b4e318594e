//! The child's side of the lab: the namespace, the TUN device, the
//! listener, and a loop answering the test's requests. It runs in a child
//! forked from a multi-threaded test, so it does only simple things and
//! never runs the student's code.

use super::{ready, KERNEL, US};
use nix::errno::Errno;
use nix::libc;
use nix::sched::{unshare, CloneFlags};
use nix::sys::socket::MsgFlags;
use std::net::{Ipv4Addr, SocketAddrV4, TcpListener};
use std::os::fd::{AsFd, AsRawFd, OwnedFd};

/// The child's end: the real device and listener.
pub(super) struct Kernel {
    tun: OwnedFd,
    listener: TcpListener,
    /// The connection `accept()` returned, kept open until [`Lab::close_accepted`].
    conn: std::cell::RefCell<Option<std::net::TcpStream>>,
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
    pub(super) fn serve(&self, link: &OwnedFd) {
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
pub(super) fn set_up() -> Result<Kernel, Result<String, String>> {
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
