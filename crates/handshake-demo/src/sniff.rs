//! `sniff` mode: the real packets of one connection, like `tcpdump -S`.
//!
//! `socket(AF_INET, SOCK_RAW, IPPROTO_TCP)` gets a copy of every TCP packet
//! this machine receives — on loopback that is every packet of our
//! connection, each exactly once — starting at the IPv4 header. Because a
//! raw socket sees other programs' traffic too, the kernel needs the
//! CAP_NET_RAW privilege (root has it); without it `socket()` fails with
//! EPERM. A small classic-BPF program (the same machinery tcpdump uses for
//! `port 8080`) keeps only packets to or from our server's port, so a busy
//! machine cannot flood our receive queue.
//!
//! The copies wait in the raw socket's receive queue, so we can first run
//! the whole connection and then read the packets. Every read is bounded by
//! a receive timeout and a packet cap.

use crate::packet::{parse_ipv4_tcp, Segment};
use demo_kit::{tr, Context, Error, Result};
use nix::libc;
use nix::sys::socket::{
    self, setsockopt, sockopt, AddressFamily, SockFlag, SockProtocol, SockType,
};
use std::os::fd::{AsRawFd, OwnedFd};
use std::time::{Duration, Instant};

/// At most this many packets are kept per capture.
pub const PACKET_CAP: usize = 64;
/// The capture ends when no packet came for this long.
pub const QUIET: Duration = Duration::from_millis(300);

/// Linux's option numbers (asm-generic/socket.h, used by x86 and ARM).
const SO_ATTACH_FILTER: libc::c_int = 26;
const SO_RCVBUFFORCE: libc::c_int = 33;

/// What to tell a student whose `socket(SOCK_RAW)` was refused.
pub const NO_PRIVILEGE_HINT: &str = "a raw socket needs the CAP_NET_RAW privilege. \
Run as root: `sudo ./target/debug/handshake-demo sniff` (after `cargo build -p handshake-demo`), \
or give the binary that one capability once: \
`sudo setcap cap_net_raw+ep ./target/debug/handshake-demo` (redo after each rebuild)";

/// [`NO_PRIVILEGE_HINT`] in Chinese.
pub const NO_PRIVILEGE_HINT_ZH: &str = "原始套接字需要 CAP_NET_RAW 权限。\
请以 root 运行：`sudo ./target/debug/handshake-demo sniff`（先 `cargo build -p handshake-demo`），\
或者给这个可执行文件加上这一项能力，只需一次：\
`sudo setcap cap_net_raw+ep ./target/debug/handshake-demo`（每次重新构建后要再做一次）";

/// Exit status when the privilege is missing (EX_NOPERM from sysexits.h).
pub const NO_PRIVILEGE_EXIT: u8 = 77;

/// Opens the raw socket. Fails with EPERM (kept in the error) if this
/// process lacks CAP_NET_RAW.
pub fn open_raw() -> Result<OwnedFd> {
    let fd = socket::socket(
        AddressFamily::Inet,
        SockType::Raw,
        SockFlag::SOCK_CLOEXEC,
        SockProtocol::Tcp,
    );
    match fd {
        Ok(fd) => Ok(fd),
        Err(e @ (nix::errno::Errno::EPERM | nix::errno::Errno::EACCES)) => Err(Error::from(e))
            .context(tr!(
                "no permission to sniff: {NO_PRIVILEGE_HINT}.\nsocket(AF_INET, SOCK_RAW, IPPROTO_TCP) said",
                "没有抓包的权限：{NO_PRIVILEGE_HINT_ZH}。\n失败的调用是 socket(AF_INET, SOCK_RAW, IPPROTO_TCP)"
            ))
            .map_err(|e| e.with_exit_code(NO_PRIVILEGE_EXIT)),
        Err(e) => Err(e).context("socket(AF_INET, SOCK_RAW, IPPROTO_TCP)"),
    }
}

/// Prepares the raw socket for one capture: only packets to or from
/// `port`, a bounded receive timeout, and a big receive queue.
pub fn watch_port(fd: &OwnedFd, port: u16) -> Result<()> {
    // Classic BPF runs in the kernel on each packet (starting at the IPv4
    // header) and returns how many bytes to keep: 0 = drop.
    let op = |code: u16, jt: u8, jf: u8, k: u32| libc::sock_filter { code, jt, jf, k };
    let mut prog = [
        op(0xb1, 0, 0, 0),               // ldxb 4*([0]&0xf)  X = IPv4 header length
        op(0x48, 0, 0, 0),               // ldh  [x+0]         TCP source port
        op(0x15, 3, 0, u32::from(port)), // jeq  #port -> keep
        op(0x48, 0, 0, 2),               // ldh  [x+2]         TCP destination port
        op(0x15, 1, 0, u32::from(port)), // jeq  #port -> keep
        op(0x06, 0, 0, 0),               // ret  #0            drop
        op(0x06, 0, 0, 0xffff),          // ret  #65535        keep
    ];
    let fprog = libc::sock_fprog {
        len: prog.len() as u16,
        filter: prog.as_mut_ptr(),
    };
    // SAFETY: fprog points at `prog`, alive during the call; the kernel copies it.
    let rc = unsafe {
        libc::setsockopt(
            fd.as_raw_fd(),
            libc::SOL_SOCKET,
            SO_ATTACH_FILTER,
            (&fprog as *const libc::sock_fprog).cast(),
            std::mem::size_of::<libc::sock_fprog>() as libc::socklen_t,
        )
    };
    if rc != 0 {
        return Err(std::io::Error::last_os_error()).context("setsockopt(SO_ATTACH_FILTER)");
    }
    let size: libc::c_int = 4 << 20;
    // SAFETY: a c_int option value, passed by pointer and size. Needs
    // CAP_NET_ADMIN; if refused we keep the default queue (the filter
    // already keeps it small).
    unsafe {
        libc::setsockopt(
            fd.as_raw_fd(),
            libc::SOL_SOCKET,
            SO_RCVBUFFORCE,
            (&size as *const libc::c_int).cast(),
            std::mem::size_of::<libc::c_int>() as libc::socklen_t,
        )
    };
    let tv = nix::sys::time::TimeVal::new(0, QUIET.as_micros() as libc::suseconds_t);
    setsockopt(fd, sockopt::ReceiveTimeout, &tv).context("setsockopt(SO_RCVTIMEO)")?;
    Ok(())
}

/// Reads queued packets until none came for [`QUIET`] or [`PACKET_CAP`] were
/// kept; keeps only TCP segments with `port` at either end (the filter
/// may have let through packets queued before it was attached).
pub fn read_packets(fd: &OwnedFd, port: u16) -> Result<Vec<Segment>> {
    let mut out = Vec::new();
    let mut buf = vec![0u8; 65536];
    let deadline = Instant::now() + Duration::from_secs(10);
    while out.len() < PACKET_CAP && Instant::now() < deadline {
        match nix::sys::socket::recv(fd.as_raw_fd(), &mut buf, socket::MsgFlags::empty()) {
            Ok(n) => {
                if let Some(seg) = parse_ipv4_tcp(&buf[..n]) {
                    if seg.src.port() == port || seg.dst.port() == port {
                        out.push(seg);
                    }
                }
            }
            Err(nix::errno::Errno::EAGAIN) => break, // quiet for QUIET: done
            Err(nix::errno::Errno::EINTR) => continue,
            Err(e) => return Err(e).context("recv() on the raw socket"),
        }
    }
    Ok(out)
}
