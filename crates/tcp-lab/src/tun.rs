//! A TUN device: a network interface whose "wire" is a file descriptor.
//!
//! `open("/dev/net/tun")` plus `ioctl(TUNSETIFF)` creates an interface (here
//! `tun0`) in the caller's network namespace. From then on, every IPv4
//! packet the kernel routes out of `tun0` can be `read()` from the fd, and
//! every packet we `write()` to the fd arrives at the kernel as if it came in
//! over `tun0`. With `IFF_TUN | IFF_NO_PI` a read or write is exactly one
//! IPv4 packet, first byte = the IPv4 header's version nibble.
//!
//! An interface is useless until it has an address and is "up". `ip addr
//! add` and `ip link set up` do that over netlink; the older ioctls
//! SIOCSIFADDR, SIOCSIFNETMASK and SIOCSIFFLAGS on any AF_INET socket do the
//! same for IPv4 and need no `ip` binary, so we use those.

use crate::netns::no_privilege;
use demo_kit::{tr, Context, Result};
use nix::errno::Errno;
use nix::libc;
use nix::poll::{poll, PollFd, PollFlags, PollTimeout};
use std::net::Ipv4Addr;
use std::os::fd::{AsFd, AsRawFd, OwnedFd};
use std::time::{Duration, Instant};

nix::ioctl_write_ptr_bad!(tunsetiff, libc::TUNSETIFF, libc::ifreq);
nix::ioctl_write_ptr_bad!(siocsifaddr, libc::SIOCSIFADDR, libc::ifreq);
nix::ioctl_write_ptr_bad!(siocsifnetmask, libc::SIOCSIFNETMASK, libc::ifreq);
nix::ioctl_write_ptr_bad!(siocsifflags, libc::SIOCSIFFLAGS, libc::ifreq);
nix::ioctl_read_bad!(siocgifflags, libc::SIOCGIFFLAGS, libc::ifreq);

/// One TUN device, created in the current thread's network namespace.
pub struct Tun {
    pub name: String,
    fd: OwnedFd,
}

/// An `ifreq` naming `name` (the argument of every interface ioctl).
fn ifreq(name: &str) -> libc::ifreq {
    // SAFETY: ifreq is plain data; all-zero is a valid value.
    let mut req: libc::ifreq = unsafe { std::mem::zeroed() };
    for (dst, src) in req.ifr_name.iter_mut().zip(name.bytes().take(15)) {
        *dst = src as libc::c_char;
    }
    req
}

fn sockaddr_in(ip: Ipv4Addr) -> libc::sockaddr {
    let sin = libc::sockaddr_in {
        sin_family: libc::AF_INET as libc::sa_family_t,
        sin_port: 0,
        sin_addr: libc::in_addr {
            s_addr: u32::from(ip).to_be(),
        },
        sin_zero: [0; 8],
    };
    // SAFETY: sockaddr_in and sockaddr have the same size (16 bytes).
    unsafe { std::mem::transmute::<libc::sockaddr_in, libc::sockaddr>(sin) }
}

impl Tun {
    /// `open("/dev/net/tun")` and `ioctl(TUNSETIFF, "name", IFF_TUN|IFF_NO_PI)`.
    pub fn create(name: &str) -> Result<Tun> {
        let raw = nix::fcntl::open(
            "/dev/net/tun",
            nix::fcntl::OFlag::O_RDWR | nix::fcntl::OFlag::O_CLOEXEC,
            nix::sys::stat::Mode::empty(),
        );
        let raw = match raw {
            Ok(fd) => fd,
            Err(e @ (Errno::EACCES | Errno::EPERM)) => {
                return Err(no_privilege(tr!(
                    "/dev/net/tun is not accessible to uid {} ({e}): run as root \
                     (`sudo ./target/debug/tcp-lab`), or make the device usable by all, as most \
                     distributions ship it: `sudo chmod 0666 /dev/net/tun`", "uid {} 无法访问 /dev/net/tun（{e}）：请以 root 运行（`sudo ./target/debug/tcp-lab`），\
                     或者像大多数发行版默认的那样，让所有人都能用这个设备：\
                     `sudo chmod 0666 /dev/net/tun`",
                    nix::unistd::getuid()
                )))
            }
            Err(e @ Errno::ENOENT) => {
                return Err(no_privilege(tr!(
                    "there is no /dev/net/tun ({e}): load the TUN driver with `sudo modprobe tun`", "没有 /dev/net/tun（{e}）：用 `sudo modprobe tun` 加载 TUN 驱动"
                )))
            }
            Err(e) => return Err(e).context("open(\"/dev/net/tun\")"),
        };
        let fd: OwnedFd = raw;
        let mut req = ifreq(name);
        req.ifr_ifru.ifru_flags = (libc::IFF_TUN | libc::IFF_NO_PI) as libc::c_short;
        // SAFETY: req is a valid ifreq for the duration of the call.
        match unsafe { tunsetiff(fd.as_raw_fd(), &req) } {
            Ok(_) => {}
            Err(e @ Errno::EPERM) => {
                return Err(no_privilege(tr!(
                    "ioctl(TUNSETIFF) said {e}: creating an interface needs CAP_NET_ADMIN \
                     in this namespace; run as root",
                    "ioctl(TUNSETIFF) 返回 {e}：在这个命名空间里创建网络接口需要 CAP_NET_ADMIN；\
                     请以 root 运行"
                )))
            }
            Err(e) => return Err(e).context(format!("ioctl(TUNSETIFF, {name})")),
        }
        Ok(Tun {
            name: name.to_string(),
            fd,
        })
    }

    /// Waits at most `timeout` for one packet from the kernel; `None` if
    /// none came.
    pub fn recv(&self, timeout: Duration) -> Result<Option<Vec<u8>>> {
        let deadline = Instant::now() + timeout;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let ms = u16::try_from(left.as_millis()).unwrap_or(u16::MAX);
            let mut fds = [PollFd::new(self.fd.as_fd(), PollFlags::POLLIN)];
            match poll(&mut fds, PollTimeout::from(ms)) {
                Ok(0) => return Ok(None),
                Ok(_) => break,
                Err(Errno::EINTR) => continue,
                Err(e) => return Err(e).context("poll() on the TUN device"),
            }
        }
        let mut buf = vec![0u8; 65536];
        let n =
            nix::unistd::read(self.fd.as_fd(), &mut buf).context("read() from the TUN device")?;
        buf.truncate(n);
        Ok(Some(buf))
    }

    /// Hands one IPv4 packet to the kernel, as if it arrived on the wire.
    pub fn send(&self, packet: &[u8]) -> Result<()> {
        nix::unistd::write(self.fd.as_fd(), packet).context("write() to the TUN device")?;
        Ok(())
    }

    /// The raw descriptor, for poll() over several devices.
    pub fn fd(&self) -> std::os::fd::BorrowedFd<'_> {
        self.fd.as_fd()
    }
}

/// Gives `name` the IPv4 address `ip/24` and brings it up: the kernel then
/// routes 192.0.2.0/24 through it. Works on any interface, `lo` included
/// (pass `None` to only bring it up).
pub fn configure(name: &str, ip: Option<Ipv4Addr>) -> Result<()> {
    // Any AF_INET socket will do as the handle for interface ioctls; it
    // must be created in the namespace whose interface we configure.
    let sock = nix::sys::socket::socket(
        nix::sys::socket::AddressFamily::Inet,
        nix::sys::socket::SockType::Datagram,
        nix::sys::socket::SockFlag::SOCK_CLOEXEC,
        None,
    )
    .context("socket(AF_INET, SOCK_DGRAM) for the interface ioctls")?;
    let s = sock.as_raw_fd();
    if let Some(ip) = ip {
        let mut req = ifreq(name);
        req.ifr_ifru.ifru_addr = sockaddr_in(ip);
        // SAFETY: req is a valid ifreq for the duration of each call.
        unsafe { siocsifaddr(s, &req) }
            .with_context(|| format!("ioctl(SIOCSIFADDR, {name}, {ip})"))?;
        req.ifr_ifru.ifru_netmask = sockaddr_in(Ipv4Addr::new(255, 255, 255, 0));
        unsafe { siocsifnetmask(s, &req) }
            .with_context(|| format!("ioctl(SIOCSIFNETMASK, {name})"))?;
    }
    let mut req = ifreq(name);
    // SAFETY: as above; SIOCGIFFLAGS fills ifru_flags.
    unsafe { siocgifflags(s, &mut req) }.with_context(|| format!("ioctl(SIOCGIFFLAGS, {name})"))?;
    // SAFETY: SIOCGIFFLAGS just wrote the flags member of the union.
    let flags = unsafe { req.ifr_ifru.ifru_flags };
    req.ifr_ifru.ifru_flags = flags | (libc::IFF_UP | libc::IFF_RUNNING) as libc::c_short;
    unsafe { siocsifflags(s, &req) }.with_context(|| format!("ioctl(SIOCSIFFLAGS, {name}, UP)"))?;
    Ok(())
}

/// For unit tests elsewhere in the crate: a `Tun` whose "wire" is one end of
/// a datagram socketpair, so a test plays the kernel at the other end. Like a
/// TUN descriptor, each `read()` or `write()` is one whole packet.
#[cfg(test)]
pub(crate) mod stand_in {
    use super::Tun;
    use nix::sys::socket::{recv, socketpair, AddressFamily, MsgFlags, SockFlag, SockType};
    use std::os::fd::{AsRawFd, OwnedFd};

    /// The stand-in device and the test's end of its wire.
    pub(crate) fn tun(name: &str) -> (Tun, OwnedFd) {
        let (ours, theirs) = socketpair(
            AddressFamily::Unix,
            SockType::Datagram,
            None,
            SockFlag::SOCK_CLOEXEC,
        )
        .expect("socketpair(AF_UNIX, SOCK_DGRAM)");
        (
            Tun {
                name: name.into(),
                fd: ours,
            },
            theirs,
        )
    }

    /// The next packet the device writes, waiting at most `wait`.
    pub(crate) fn next_within(theirs: &OwnedFd, wait: std::time::Duration) -> Option<Vec<u8>> {
        use nix::poll::{poll, PollFd, PollFlags, PollTimeout};
        use std::os::fd::AsFd;
        let ms = u16::try_from(wait.as_millis()).unwrap_or(u16::MAX);
        let mut fds = [PollFd::new(theirs.as_fd(), PollFlags::POLLIN)];
        if poll(&mut fds, PollTimeout::from(ms)).expect("poll") == 0 {
            return None;
        }
        written(theirs).into_iter().next()
    }

    /// What the device has written to the test's end so far, packet by packet
    /// (without waiting: a write to a socketpair is queued before it returns).
    pub(crate) fn written(theirs: &OwnedFd) -> Vec<Vec<u8>> {
        let mut packets = Vec::new();
        let mut buf = vec![0u8; 65536];
        while let Ok(n) = recv(theirs.as_raw_fd(), &mut buf, MsgFlags::MSG_DONTWAIT) {
            packets.push(buf[..n].to_vec());
        }
        packets
    }
}

#[cfg(test)]
mod tests {
    use super::stand_in::{tun, written};
    use super::*;

    #[test]
    fn recv_waits_its_time_then_reads_whole_packets_and_send_writes_one() {
        let (t, theirs) = tun("t");
        let started = Instant::now();
        assert_eq!(t.recv(Duration::from_millis(30)).unwrap(), None);
        assert!(started.elapsed() >= Duration::from_millis(25));
        nix::unistd::write(&theirs, b"first packet").unwrap();
        nix::unistd::write(&theirs, b"second").unwrap();
        let wait = Duration::from_secs(1);
        assert_eq!(t.recv(wait).unwrap().unwrap(), b"first packet");
        assert_eq!(t.recv(wait).unwrap().unwrap(), b"second");
        t.send(b"to the kernel").unwrap();
        assert_eq!(written(&theirs), [b"to the kernel"]);
    }
}
