//! What the kernel says, read from `/proc`: a socket's TCP state, the TCP
//! counters, and sysctls.
//!
//! Each network namespace has its own `/proc/net` and `/proc/sys/net`. We
//! read `/proc/thread-self/net/...` rather than `/proc/net/...` (which is
//! `/proc/self/net`, the *main* thread's namespace): in wire mode a thread
//! sits in a namespace of its own.

use demo_kit::{Context, Result};
use std::net::SocketAddrV4;

/// The TCP states as numbered in `/proc/net/tcp` (include/net/tcp_states.h).
const STATES: [&str; 12] = [
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

/// `192.0.2.1:7000` as `/proc/net/tcp` writes it: `010200C0:1B58` (the
/// address is the raw 32-bit value printed on a little-endian machine).
fn proc_form(a: SocketAddrV4) -> String {
    format!(
        "{:08X}:{:04X}",
        u32::from_ne_bytes(a.ip().octets()),
        a.port()
    )
}

/// The state of the connection `local` ↔ `remote` in this thread's
/// namespace, or "gone" if the kernel has no such socket any more.
///
/// ```
/// // Not a socket any kernel has: reported as gone.
/// let s = tcp_lab::kstate::tcp_state("192.0.2.1:9".parse().unwrap(), "192.0.2.9:9".parse().unwrap());
/// assert_eq!(s.unwrap(), "gone");
/// ```
pub fn tcp_state(local: SocketAddrV4, remote: SocketAddrV4) -> Result<&'static str> {
    let table = std::fs::read_to_string("/proc/thread-self/net/tcp")
        .context("reading /proc/thread-self/net/tcp")?;
    let (l, r) = (proc_form(local), proc_form(remote));
    for line in table.lines().skip(1) {
        let f: Vec<&str> = line.split_whitespace().collect();
        if f.len() > 3 && f[1] == l && f[2] == r {
            let n = usize::from_str_radix(f[3], 16).unwrap_or(0);
            return Ok(STATES.get(n).copied().unwrap_or("?"));
        }
    }
    Ok("gone")
}

/// One counter of `/proc/net/snmp`, e.g. `("Tcp", "RetransSegs")`.
pub fn snmp(group: &str, name: &str) -> Result<u64> {
    let text = std::fs::read_to_string("/proc/thread-self/net/snmp")
        .context("reading /proc/thread-self/net/snmp")?;
    let prefix = format!("{group}:");
    let mut rows = text.lines().filter(|l| l.starts_with(&prefix));
    let (names, values) = (rows.next(), rows.next());
    let (Some(names), Some(values)) = (names, values) else {
        return demo_kit::bail_msg(format!("no {group} rows in /proc/net/snmp"));
    };
    names
        .split_whitespace()
        .zip(values.split_whitespace())
        .find(|(n, _)| *n == name)
        .and_then(|(_, v)| v.parse().ok())
        .with_context(|| format!("no counter {group} {name} in /proc/net/snmp"))
}

/// A sysctl of this thread's namespace, e.g. `net/ipv4/tcp_syn_retries`;
/// `None` if this kernel does not have it.
pub fn sysctl(path: &str) -> Option<String> {
    std::fs::read_to_string(format!("/proc/sys/{path}"))
        .ok()
        .map(|s| s.trim().to_string())
}

/// The kernel's counters, read here and by the test from the same file.
#[cfg(test)]
mod tests {
    use super::*;

    /// `snmp` finds the counter by its name: the test reads the Tcp rows
    /// itself and compares the counters that never change.
    #[test]
    fn snmp_reads_the_named_counter() {
        let text = std::fs::read_to_string("/proc/thread-self/net/snmp").unwrap();
        let mut rows = text.lines().filter(|l| l.starts_with("Tcp:"));
        let (names, values) = (rows.next().unwrap(), rows.next().unwrap());
        for name in ["RtoAlgorithm", "RtoMin", "RtoMax"] {
            let at = names.split_whitespace().position(|n| n == name).unwrap();
            let want: u64 = values.split_whitespace().nth(at).unwrap().parse().unwrap();
            assert_eq!(snmp("Tcp", name).unwrap(), want, "{name}");
        }
        assert!(snmp("Tcp", "NoSuchCounter").is_err());
        assert!(snmp("NoSuchGroup", "RtoMin").is_err());
    }
}
