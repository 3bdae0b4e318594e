//! Reading `/proc/net/tcp{,6}`, `/proc/net/netstat` and `/proc/sys/net`:
//! the kernel's tables, for what no file descriptor can tell.
//!
//! `/proc/net/tcp` lists every IPv4 TCP socket of this network namespace
//! (`/proc/net/tcp6` the IPv6 ones) — also those without an fd: a finished
//! connection still waiting for `accept()`, and a TIME_WAIT record. It is
//! what `netstat -tan` reads; `ss -tan` asks the kernel for the same list
//! over netlink (sock_diag(7)).

use crate::kernel::TcpState;
use demo_kit::procnet::parse_addr;
use demo_kit::{Context, Result};
use nix::libc;
use std::net::SocketAddr;

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

/// Reads the TCP sockets, IPv4 and IPv6, whose local or remote port is
/// `port`. The tables list every socket of the namespace, thousands of
/// TIME_WAIT records after a busy minute, and the demo looks again every
/// few milliseconds while it waits for a state: so only the lines that
/// hold the port as the kernel prints it (`:1F90 ` for 8080, after either
/// address) are parsed.
pub fn proc_entries_on(port: u16) -> Result<Vec<ProcEntry>> {
    entries_in("/proc/net/tcp", "/proc/net/tcp6", &format!(":{port:04X} "))
}

/// The entries of an IPv4 table, which must be there, and of an IPv6 one,
/// which a kernel without IPv6 does not have; only the lines that contain
/// `holding` are parsed ("" holds in every line).
fn entries_in(tcp: &str, tcp6: &str, holding: &str) -> Result<Vec<ProcEntry>> {
    let mut all = Vec::new();
    for path in [tcp, tcp6] {
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(_) if path == tcp6 => continue,
            Err(e) => return Err(e).context(format!("reading {path} (is this Linux?)")),
        };
        let lines = text.lines().skip(1).filter(|l| l.contains(holding));
        all.extend(lines.filter_map(parse_proc_line));
    }
    Ok(all)
}

/// The state of the socket whose local end is `local` and remote end is
/// `remote`, or `None` if the kernel lists no such socket.
pub fn proc_state(local: SocketAddr, remote: SocketAddr) -> Result<Option<TcpState>> {
    Ok(proc_entry(local, remote)?.map(|e| e.state))
}

/// The whole `/proc` line for the socket `local` → `remote`, if listed.
pub fn proc_entry(local: SocketAddr, remote: SocketAddr) -> Result<Option<ProcEntry>> {
    Ok(proc_entries_on(local.port())?
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
/// use handshake_demo::{kernel::TcpState, procnet::parse_proc_line};
/// let e = parse_proc_line("0: 0100007F:1F90 00000000:0000 0A 00000000:00000002 00:00000000 0 0").unwrap();
/// assert_eq!(e.local.to_string(), "127.0.0.1:8080");
/// assert_eq!((e.state, e.rx_queue), (TcpState::Listen, 2));
/// ```
pub fn parse_proc_line(line: &str) -> Option<ProcEntry> {
    let mut f = line.split_whitespace();
    let _slot = f.next()?;
    let local = parse_addr(f.next()?)?;
    let remote = parse_addr(f.next()?)?;
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

/// Clock ticks per second (sysconf(3), `_SC_CLK_TCK`): the unit of the
/// timers in `/proc/net/tcp`. It cannot fail on Linux, which always knows
/// its USER_HZ.
fn clock_ticks() -> f64 {
    // SAFETY: sysconf only reads a configuration value.
    unsafe { libc::sysconf(libc::_SC_CLK_TCK) as f64 }
}

/// A number from `/proc/sys/net/...`, e.g. `sysctl("core/somaxconn")`.
pub fn sysctl(name: &str) -> Result<String> {
    let path = format!("/proc/sys/net/{name}");
    let text = std::fs::read_to_string(&path).with_context(|| format!("reading {path}"))?;
    Ok(text.trim().to_string())
}

/// A counter from the `TcpExt:` lines of `/proc/net/netstat`, e.g.
/// `ListenOverflows` (SYNs, or final ACKs, dropped because an accept queue
/// was full).
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_an_ipv6_time_wait_line() {
        // A real line of /proc/net/tcp6: [::1]:41000 -> [::1]:8080, TIME_WAIT.
        let line = "3: 00000000000000000000000001000000:A028 00000000000000000000000001000000:1F90 06 00000000:00000000 03:00001770 00000000 0 0 0 3 0000000000000000";
        let e = parse_proc_line(line).unwrap();
        assert_eq!(e.local, "[::1]:41000".parse().unwrap());
        assert_eq!(e.remote, "[::1]:8080".parse().unwrap());
        assert_eq!((e.state, e.timer), (TcpState::TimeWait, 3));
        assert!((e.timer_left_secs - 60.0).abs() < 0.01);
    }

    #[test]
    fn only_the_ipv6_table_may_be_missing() {
        let v4 = entries_in("/proc/net/tcp", "/nonexistent/tcp6", "").unwrap();
        assert!(v4.iter().all(|e| e.local.is_ipv4()), "{v4:?}");
        let err = entries_in("/nonexistent/tcp", "/proc/net/tcp6", "").unwrap_err();
        assert!(
            err.to_string().contains("reading /nonexistent/tcp"),
            "{err}"
        );
    }

    #[test]
    fn only_lines_holding_the_text_are_read() {
        let dir = std::env::temp_dir().join(format!(
            "procnet-{}-{}",
            std::process::id(),
            // Another user's run may have left a directory of the same pid.
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_nanos())
        ));
        std::fs::create_dir_all(&dir).unwrap();
        let table = dir.join("tcp");
        std::fs::write(
            &table,
            "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when\n\
             0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 0 0\n\
             1: 0100007F:A028 0100007F:1F90 06 00000000:00000000 03:00001770 0 0\n\
             2: 0100007F:0050 0100007F:A029 01 00000000:00000000 00:00000000 0 0\n",
        )
        .unwrap();
        let t = table.to_str().unwrap();
        let ports = |holding| {
            let e = entries_in(t, "/nonexistent/tcp6", holding).unwrap();
            e.iter()
                .map(|e| (e.local.port(), e.remote.port()))
                .collect::<Vec<_>>()
        };
        assert_eq!(ports(""), [(8080, 0), (41000, 8080), (80, 41001)]);
        assert_eq!(ports(":1F90 "), [(8080, 0), (41000, 8080)]);
        assert_eq!(ports(":0050 "), [(80, 41001)]);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn rejects_garbage() {
        assert_eq!(
            parse_proc_line("  sl  local_address rem_address   st"),
            None
        );
        assert_eq!(parse_proc_line(""), None);
    }
}
