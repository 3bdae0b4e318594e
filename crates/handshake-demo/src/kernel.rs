//! Asking the kernel which TCP state a socket is in — the two places Linux tells.
//!
//! The course draws the states (LISTEN, SYN_SENT, ESTABLISHED, ...) as
//! pictures. Linux will tell us the real state of *our* sockets in two ways:
//!
//! * `getsockopt(fd, IPPROTO_TCP, TCP_INFO)` fills a `struct tcp_info` whose
//!   first byte, `tcpi_state`, is the state of the socket behind `fd`. For a
//!   listening socket, `tcpi_unacked` is the current length of its accept
//!   queue and `tcpi_sacked` the backlog it was given.
//! * `/proc/net/tcp` and `/proc/net/tcp6` list every TCP socket of this
//!   network namespace, including those that no file descriptor points to:
//!   a connection the server has not `accept()`ed yet, and a connection in
//!   TIME_WAIT (after the last `close()` the fd is gone, but the kernel keeps
//!   the connection's ports for a while).

use demo_kit::{Context, Result};
use nix::libc;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::os::fd::{AsFd, AsRawFd};

/// A TCP state, numbered as in the kernel's `include/net/tcp_states.h`
/// (the same numbers appear in `/proc/net/tcp` in hex).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TcpState {
    Established,
    SynSent,
    SynRecv,
    FinWait1,
    FinWait2,
    TimeWait,
    Close,
    CloseWait,
    LastAck,
    Listen,
    Closing,
    NewSynRecv,
    Unknown(u8),
}

impl TcpState {
    /// Maps the kernel's number to a state.
    pub fn from_kernel(n: u8) -> TcpState {
        use TcpState::*;
        match n {
            1 => Established,
            2 => SynSent,
            3 => SynRecv,
            4 => FinWait1,
            5 => FinWait2,
            6 => TimeWait,
            7 => Close,
            8 => CloseWait,
            9 => LastAck,
            10 => Listen,
            11 => Closing,
            12 => NewSynRecv,
            other => Unknown(other),
        }
    }

    /// The name the course (and `netstat`) uses.
    pub fn name(self) -> String {
        use TcpState::*;
        match self {
            Established => "ESTABLISHED".into(),
            SynSent => "SYN_SENT".into(),
            SynRecv => "SYN_RECV".into(),
            FinWait1 => "FIN_WAIT1".into(),
            FinWait2 => "FIN_WAIT2".into(),
            TimeWait => "TIME_WAIT".into(),
            Close => "CLOSE".into(),
            CloseWait => "CLOSE_WAIT".into(),
            LastAck => "LAST_ACK".into(),
            Listen => "LISTEN".into(),
            Closing => "CLOSING".into(),
            NewSynRecv => "NEW_SYN_RECV".into(),
            Unknown(n) => format!("state#{n}"),
        }
    }
}

impl std::fmt::Display for TcpState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.name())
    }
}

/// The few `struct tcp_info` fields the lessons print.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TcpInfo {
    pub state: TcpState,
    /// On a listener: connections waiting in the accept queue.
    pub unacked: u32,
    /// On a listener: the backlog (maximum accept-queue length).
    pub sacked: u32,
}

/// `getsockopt(fd, IPPROTO_TCP, TCP_INFO)`. nix 0.32 has no wrapper for
/// this option, so we make the call ourselves with libc's `struct tcp_info`.
pub fn tcp_info(fd: &impl AsFd) -> Result<TcpInfo> {
    // SAFETY: tcp_info is plain old data; all-zero bytes are a valid value.
    let mut info: libc::tcp_info = unsafe { std::mem::zeroed() };
    let mut len = std::mem::size_of::<libc::tcp_info>() as libc::socklen_t;
    // SAFETY: the pointer and length describe `info`, which outlives the call;
    // the kernel writes at most `len` bytes and updates `len`.
    let rc = unsafe {
        libc::getsockopt(
            fd.as_fd().as_raw_fd(),
            libc::IPPROTO_TCP,
            libc::TCP_INFO,
            (&mut info as *mut libc::tcp_info).cast(),
            &mut len,
        )
    };
    if rc != 0 {
        return Err(std::io::Error::last_os_error()).context("getsockopt(TCP_INFO)");
    }
    Ok(TcpInfo {
        state: TcpState::from_kernel(info.tcpi_state),
        unacked: info.tcpi_unacked,
        sacked: info.tcpi_sacked,
    })
}

/// Just the state from `TCP_INFO`.
pub fn state_of(fd: &impl AsFd) -> Result<TcpState> {
    Ok(tcp_info(fd)?.state)
}

/// One line of `/proc/net/tcp` or `/proc/net/tcp6`.
#[derive(Clone, Debug, PartialEq)]
pub struct ProcEntry {
    pub local: SocketAddr,
    pub remote: SocketAddr,
    pub state: TcpState,
    /// Bytes queued for sending (not yet acknowledged by the peer).
    pub tx_queue: u64,
    /// Bytes received but not read by the program (on a listener: the
    /// accept-queue length).
    pub rx_queue: u64,
    /// Which timer runs (`tr`): 0 none, 1 retransmit, 2 keepalive,
    /// 3 TIME_WAIT, 4 zero-window probe.
    pub timer: u8,
    /// Time left on that timer (`tm->when`), in seconds.
    pub timer_left_secs: f64,
}

/// Reads every TCP socket of this network namespace, IPv4 and IPv6.
pub fn proc_entries() -> Result<Vec<ProcEntry>> {
    let mut all = Vec::new();
    for path in ["/proc/net/tcp", "/proc/net/tcp6"] {
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            // A kernel without IPv6 has no tcp6 file; that is fine.
            Err(_) if path.ends_with('6') => continue,
            Err(e) => return Err(e).context(format!("reading {path} (is this Linux?)")),
        };
        all.extend(text.lines().skip(1).filter_map(parse_proc_line));
    }
    Ok(all)
}

/// All entries whose local and remote ends are these two addresses (in
/// either order: pass the client's address and the server's to see both
/// ends of one connection).
pub fn entries_between(a: SocketAddr, b: SocketAddr) -> Result<Vec<ProcEntry>> {
    Ok(proc_entries()?
        .into_iter()
        .filter(|e| (e.local == a && e.remote == b) || (e.local == b && e.remote == a))
        .collect())
}

/// The state of the socket whose local end is `local` and remote end is
/// `remote`, or `None` if the kernel lists no such socket.
pub fn proc_state(local: SocketAddr, remote: SocketAddr) -> Result<Option<TcpState>> {
    Ok(proc_entry(local, remote)?.map(|e| e.state))
}

/// The whole `/proc` line for the socket `local` → `remote`, if listed.
pub fn proc_entry(local: SocketAddr, remote: SocketAddr) -> Result<Option<ProcEntry>> {
    Ok(proc_entries()?
        .into_iter()
        .find(|e| e.local == local && e.remote == remote))
}

/// Parses one line such as
/// `0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 ...`.
///
/// Addresses are printed as the raw bytes of the address read as native
/// 32-bit words (so 127.0.0.1 shows as `0100007F` on x86), ports as plain hex.
///
/// ```
/// use handshake_demo::kernel::{parse_proc_line, TcpState};
/// let e = parse_proc_line("0: 0100007F:1F90 00000000:0000 0A 00000000:00000002 00:00000000 0 0").unwrap();
/// assert_eq!(e.local.to_string(), "127.0.0.1:8080");
/// assert_eq!((e.state, e.rx_queue), (TcpState::Listen, 2));
/// ```
pub fn parse_proc_line(line: &str) -> Option<ProcEntry> {
    let mut f = line.split_whitespace();
    let _slot = f.next()?;
    let local = parse_proc_addr(f.next()?)?;
    let remote = parse_proc_addr(f.next()?)?;
    let state = TcpState::from_kernel(u8::from_str_radix(f.next()?, 16).ok()?);
    let (tx, rx) = f.next()?.split_once(':')?;
    let (timer, when) = f.next()?.split_once(':')?;
    Some(ProcEntry {
        local,
        remote,
        state,
        tx_queue: u64::from_str_radix(tx, 16).ok()?,
        rx_queue: u64::from_str_radix(rx, 16).ok()?,
        timer: u8::from_str_radix(timer, 16).ok()?,
        // The kernel prints it in clock ticks (USER_HZ, 100 on Linux).
        timer_left_secs: u64::from_str_radix(when, 16).ok()? as f64 / clock_ticks(),
    })
}

fn clock_ticks() -> f64 {
    // SAFETY: sysconf only reads a configuration value.
    let t = unsafe { libc::sysconf(libc::_SC_CLK_TCK) };
    if t > 0 {
        t as f64
    } else {
        100.0
    }
}

fn parse_proc_addr(field: &str) -> Option<SocketAddr> {
    let (addr, port) = field.split_once(':')?;
    let port = u16::from_str_radix(port, 16).ok()?;
    let mut bytes = Vec::with_capacity(16);
    for chunk in addr.as_bytes().chunks(8) {
        let word = u32::from_str_radix(std::str::from_utf8(chunk).ok()?, 16).ok()?;
        bytes.extend_from_slice(&word.to_ne_bytes());
    }
    let ip = match bytes.len() {
        4 => IpAddr::V4(Ipv4Addr::new(bytes[0], bytes[1], bytes[2], bytes[3])),
        16 => IpAddr::V6(Ipv6Addr::from(<[u8; 16]>::try_from(bytes).ok()?)),
        _ => return None,
    };
    Some(SocketAddr::new(ip, port))
}

/// A number from `/proc/sys/net/...`, e.g. `sysctl("core/somaxconn")`.
pub fn sysctl(name: &str) -> Result<String> {
    let path = format!("/proc/sys/net/{name}");
    let text = std::fs::read_to_string(&path).with_context(|| format!("reading {path}"))?;
    Ok(text.trim().to_string())
}

/// A counter from the `TcpExt:` lines of `/proc/net/netstat`, e.g.
/// `ListenOverflows` (SYNs dropped because an accept queue was full).
/// The counters are for the whole network namespace, not for one socket.
pub fn tcp_ext_counter(name: &str) -> Result<u64> {
    let text = std::fs::read_to_string("/proc/net/netstat").context("reading /proc/net/netstat")?;
    let lines: Vec<&str> = text.lines().filter(|l| l.starts_with("TcpExt:")).collect();
    // The first TcpExt: line holds the names, the second the values.
    if let [names, values, ..] = lines[..] {
        for (n, v) in names.split_whitespace().zip(values.split_whitespace()) {
            if n == name {
                return v.parse().with_context(|| format!("parsing TcpExt {name}"));
            }
        }
    }
    demo_kit::bail_msg(format!("no TcpExt counter {name} in /proc/net/netstat"))
}

/// `getsockname()` as a std address: which address and port the kernel gave
/// a socket made with nix (port 0 → a free port).
pub fn local_addr(fd: &impl AsFd) -> Result<SocketAddr> {
    use nix::sys::socket::{getsockname, SockaddrLike, SockaddrStorage};
    let sa: SockaddrStorage = getsockname(fd.as_fd().as_raw_fd()).context("getsockname")?;
    if let Some(v4) = sa.as_sockaddr_in() {
        Ok(SocketAddr::V4((*v4).into()))
    } else if let Some(v6) = sa.as_sockaddr_in6() {
        Ok(SocketAddr::V6((*v6).into()))
    } else {
        demo_kit::bail_msg(format!("unexpected address family {:?}", sa.family()))
    }
}
