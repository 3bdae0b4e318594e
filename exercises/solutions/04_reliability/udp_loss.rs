// Exercise `udp_loss` — lesson 04, reliability (为何tcp协议是可靠协议, 而udp协议是
// 不可靠协议): docs/04-reliability.md
//
// UDP's sender is never told about a lost datagram — but the receiving
// kernel counts every datagram it drops because the socket's receive
// buffer was full. Read those counts:
//
// 1. `socket_inode`: the inode number of a socket (`fstat` on its file
//    descriptor; `ls -l /proc/self/fd` shows it as `socket:[INODE]`).
// 2. `socket_drops`: the last column, `drops`, of this socket's line in
//    `/proc/net/udp` (find the line by its `inode` column; the columns are
//    named in the file's first line). No such socket: `NotFound`.
// 3. `rcvbuf_errors`: `RcvbufErrors` from the `Udp:` lines of
//    `/proc/net/snmp` (the first `Udp:` line names the columns, the second
//    holds the values). It counts for every socket on the machine.
// 4. In `flood`, make the receiver's buffer small before anything is sent:
//    `setsockopt(SO_RCVBUF)` to 4096 bytes (the spot marked TODO).
// The tests flood a real socket on 127.0.0.1 and check your counts against
// what was sent and received.

use nix::sys::socket::{getsockopt, setsockopt, sockopt};
use std::io;
use std::net::UdpSocket;

/// A socket's inode number.
fn socket_inode(socket: &UdpSocket) -> io::Result<u64> {
    let stat = nix::sys::stat::fstat(socket)?;
    Ok(stat.st_ino)
}

/// `drops` of the socket with `inode`, from `/proc/net/udp`.
fn socket_drops(inode: u64) -> io::Result<u64> {
    let text = std::fs::read_to_string("/proc/net/udp")?;
    let mut lines = text.lines();
    let names: Vec<&str> = lines.next().unwrap_or("").split_whitespace().collect();
    // The title row names `tx_queue rx_queue` and `tr tm->when` as four
    // columns, but each pair is ONE field in the rows: count from the end.
    let from_end = names.len() - names.iter().position(|n| *n == "drops").unwrap_or(0);
    for line in lines {
        let f: Vec<&str> = line.split_whitespace().collect();
        if f.len() > 9 && f[9].parse() == Ok(inode) {
            let drops = f[f.len() - from_end];
            return drops.parse().map_err(|e| {
                io::Error::new(io::ErrorKind::InvalidData, format!("{drops:?}: {e}"))
            });
        }
    }
    Err(io::Error::new(
        io::ErrorKind::NotFound,
        format!("no socket with inode {inode} in /proc/net/udp"),
    ))
}

/// `Udp: RcvbufErrors` from `/proc/net/snmp`.
fn rcvbuf_errors() -> io::Result<u64> {
    let text = std::fs::read_to_string("/proc/net/snmp")?;
    let udp: Vec<&str> = text.lines().filter(|l| l.starts_with("Udp:")).collect();
    if let [names, values, ..] = udp[..] {
        for (n, v) in names.split_whitespace().zip(values.split_whitespace()) {
            if n == "RcvbufErrors" {
                return v.parse().map_err(|e| {
                    io::Error::new(io::ErrorKind::InvalidData, format!("{v:?}: {e}"))
                });
            }
        }
    }
    Err(io::Error::new(
        io::ErrorKind::NotFound,
        "no Udp RcvbufErrors in /proc/net/snmp",
    ))
}

/// What one flood measured.
#[derive(Debug)]
struct Loss {
    sent: u64,
    received: u64,
    /// The receive buffer the kernel granted.
    rcvbuf: usize,
    socket_drops: u64,
    rcvbuf_errors_rise: u64,
}

/// Sends `count` datagrams of 1 KiB to a receiver that reads only after
/// the sender is done, then counts what arrived and what the kernel dropped.
fn flood(count: u32) -> io::Result<Loss> {
    let receiver = UdpSocket::bind("127.0.0.1:0")?;
    setsockopt(&receiver, sockopt::RcvBuf, &4096)?;
    let rcvbuf = getsockopt(&receiver, sockopt::RcvBuf)?;
    let inode = socket_inode(&receiver)?;
    let (drops_before, errors_before) = (drops_of(inode)?, rcvbuf_errors()?);

    let sender = UdpSocket::bind("127.0.0.1:0")?;
    for seq in 0..count {
        let mut datagram = seq.to_be_bytes().to_vec();
        datagram.resize(1024, b'x');
        sender.send_to(&datagram, receiver.local_addr()?)?;
    }
    // On loopback every datagram was queued or dropped inside send_to():
    // read what is queued, without waiting for more.
    receiver.set_nonblocking(true)?;
    let mut received = 0;
    let mut buf = [0u8; 2048];
    loop {
        match receiver.recv(&mut buf) {
            Ok(_) => received += 1,
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => break,
            Err(e) => return Err(e),
        }
    }
    Ok(Loss {
        sent: u64::from(count),
        received,
        rcvbuf,
        socket_drops: drops_of(inode)? - drops_before,
        rcvbuf_errors_rise: rcvbuf_errors()?.saturating_sub(errors_before),
    })
}

/// `socket_drops`, asked again when the socket was not found. The kernel
/// writes `/proc/net/udp` one `read` at a time, and each `read` walks the
/// socket table again up to the line reached so far: when other programs
/// close UDP sockets in between, a line can be skipped. Ours is open, so a
/// second look finds it.
fn drops_of(inode: u64) -> io::Result<u64> {
    let mut tries = 0;
    loop {
        match socket_drops(inode) {
            Err(e) if e.kind() == io::ErrorKind::NotFound && tries < 5 => tries += 1,
            found => return found,
        }
    }
}

// The tests are the exercise's own, kept once: see exercises/04_reliability/udp_loss.rs.
// (`cargo run -p course -- verify` runs them against this solution.)
