//! What Linux tells about delivery, read where `netstat -su`, `ss -u` and
//! `ss -t` read it:
//! * `/proc/net/snmp`, line `Udp:`: counters for the whole network namespace
//!   (every program's sockets), e.g. `RcvbufErrors`, datagrams dropped
//!   because a receive buffer was full;
//! * `/proc/net/udp`: one line per UDP socket; its last column `drops` is
//!   the count for that one socket, found by the socket's inode;
//! * `ioctl(SIOCOUTQ)` / `ioctl(SIOCOUTQNSD)`: bytes in a TCP socket's send
//!   queue not yet acknowledged / not even sent yet.

use demo_kit::{bail_msg, tr, Context, Result};
use nix::libc;
use std::os::fd::AsRawFd;
use std::os::unix::fs::MetadataExt;

/// A counter from a `/proc/net/snmp` or `/proc/net/netstat` table: the
/// table's first line with `prefix` names the columns, the second holds the
/// values. E.g. `counter("/proc/net/snmp", "Udp:", "RcvbufErrors")`.
pub fn counter(file: &str, prefix: &str, name: &str) -> Result<u64> {
    let text = std::fs::read_to_string(file).with_context(|| {
        tr!(
            "reading {file} (is this Linux?)",
            "读取 {file}（这是 Linux 吗？）"
        )
    })?;
    let lines: Vec<&str> = text.lines().filter(|l| l.starts_with(prefix)).collect();
    if let [names, values, ..] = lines[..] {
        for (n, v) in names.split_whitespace().zip(values.split_whitespace()) {
            if n == name {
                return v.parse().with_context(|| {
                    tr!(
                        "parsing {prefix} {name} in {file}",
                        "解析 {file} 里的 {prefix} {name}"
                    )
                });
            }
        }
    }
    bail_msg(tr!(
        "no {prefix} {name} in {file}",
        "{file} 里没有 {prefix} {name}"
    ))
}

/// `Udp: RcvbufErrors`, namespace-wide.
pub fn udp_rcvbuf_errors() -> Result<u64> {
    counter("/proc/net/snmp", "Udp:", "RcvbufErrors")
}

/// The inode number of a socket: what `/proc/net/*` lists it by, and what
/// `ls -l /proc/self/fd` shows as `socket:[INODE]` (`fstat` gives it).
pub fn socket_inode(socket: &impl AsRawFd) -> Result<u64> {
    let path = format!("/proc/self/fd/{}", socket.as_raw_fd());
    Ok(std::fs::metadata(&path)
        .with_context(|| format!("fstat {path}"))?
        .ino())
}

/// The `drops` column of `/proc/net/udp` for the socket with `inode`:
/// datagrams the kernel dropped for this one socket.
pub fn udp_socket_drops(inode: u64) -> Result<u64> {
    let text = std::fs::read_to_string("/proc/net/udp")
        .context(tr!("reading /proc/net/udp", "读取 /proc/net/udp"))?;
    for line in text.lines().skip(1) {
        let f: Vec<&str> = line.split_whitespace().collect();
        // sl local rem st tx:rx tr:tm retrnsmt uid timeout inode ref pointer drops
        if f.len() >= 13 && f[9].parse() == Ok(inode) {
            return f[12].parse().context(tr!(
                "parsing the drops column of /proc/net/udp",
                "解析 /proc/net/udp 的 drops 列"
            ));
        }
    }
    bail_msg(tr!(
        "socket inode {inode} is not in /proc/net/udp",
        "/proc/net/udp 里没有 inode 为 {inode} 的套接字"
    ))
}

/// `SIOCOUTQNSD` (linux/sockios.h): bytes in the send queue not yet sent.
const SIOCOUTQNSD: libc::c_ulong = 0x894B;

/// (bytes not yet acknowledged, of which not yet sent) in a TCP socket's
/// send queue: `ioctl(SIOCOUTQ)` and `ioctl(SIOCOUTQNSD)`.
pub fn send_queue(socket: &impl AsRawFd) -> std::io::Result<(usize, usize)> {
    let ask = |request: libc::c_ulong| {
        let mut n: libc::c_int = 0;
        // SAFETY: both requests write one int through the pointer we pass.
        let rc = unsafe { libc::ioctl(socket.as_raw_fd(), request as _, &mut n) };
        if rc < 0 {
            Err(std::io::Error::last_os_error())
        } else {
            Ok(n as usize)
        }
    };
    // SIOCOUTQ has the same number as TIOCOUTQ.
    Ok((ask(libc::TIOCOUTQ as libc::c_ulong)?, ask(SIOCOUTQNSD)?))
}
