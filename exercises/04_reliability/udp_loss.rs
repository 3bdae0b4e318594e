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
//
// 中文：
// 练习 `udp_loss`——第 04 课，可靠协议与不可靠协议。
//
// UDP 的发送方永远不会得知某个数据报丢了——但接收方的内核会把它因为套接字接收缓
// 冲区已满而丢弃的每个数据报都记下数来。读出这些计数：
//
// 1. `socket_inode`：套接字的 inode 号（对它的文件描述符做 `fstat`；
//    `ls -l /proc/self/fd` 把它显示为 `socket:[INODE]`）。
// 2. `socket_drops`：这个套接字在 `/proc/net/udp` 中那一行的最后一列 `drops`
//    （按 `inode` 列找到这一行；各列的名字在文件的第一行）。找不到这个套接字：
//    `NotFound`。
// 3. `rcvbuf_errors`：`/proc/net/snmp` 里 `Udp:` 行中的 `RcvbufErrors`（第一行
//    `Udp:` 给出列名，第二行是数值）。它统计的是整台机器上的所有套接字。
// 4. 在 `flood` 里，在发送任何数据之前先把接收方的缓冲区调小：用
//    `setsockopt(SO_RCVBUF)` 设为 4096 字节（标着 TODO 的地方）。
// 测试在 127.0.0.1 上向一个真实的套接字狂发数据报，再拿你的计数和实际发送、接
// 收的数量对照检查。

use nix::sys::socket::{getsockopt, setsockopt, sockopt};
use std::io;
use std::net::UdpSocket;

/// A socket's inode number.
fn socket_inode(socket: &UdpSocket) -> io::Result<u64> {
    todo!("fstat the socket's fd: {socket:?}")
}

/// `drops` of the socket with `inode`, from `/proc/net/udp`.
fn socket_drops(inode: u64) -> io::Result<u64> {
    todo!("find inode {inode} in /proc/net/udp and read its drops column")
}

/// `Udp: RcvbufErrors` from `/proc/net/snmp`.
fn rcvbuf_errors() -> io::Result<u64> {
    todo!("read /proc/net/snmp")
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
    // TODO: a small receive buffer, 4096 bytes, with setsockopt(SO_RCVBUF).
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

#[cfg(test)]
mod tests {
    use super::*;
    use exercises::within;

    /// `socket_inode` gives the inode that /proc/self/fd shows as `socket:[INODE]`.
    /// 中文：`socket_inode` 得到的 inode 号，和 /proc/self/fd 里显示的 `socket:[INODE]` 一致。
    #[test]
    fn the_inode_is_the_one_in_proc_self_fd() {
        use std::os::fd::AsRawFd;
        let s = UdpSocket::bind("127.0.0.1:0").unwrap();
        let link = std::fs::read_link(format!("/proc/self/fd/{}", s.as_raw_fd())).unwrap();
        assert_eq!(
            link.to_string_lossy(),
            format!("socket:[{}]", socket_inode(&s).unwrap())
        );
    }

    /// A fresh socket's `drops` in /proc/net/udp is 0, and an inode not in the file is `NotFound`.
    /// 中文：新建套接字在 /proc/net/udp 里的 `drops` 是 0；文件里找不到的 inode 返回 `NotFound`。
    #[test]
    fn a_fresh_socket_has_dropped_nothing_and_unknown_ones_are_not_found() {
        let s = UdpSocket::bind("127.0.0.1:0").unwrap();
        assert_eq!(drops_of(socket_inode(&s).unwrap()).unwrap(), 0);
        let e = socket_drops(u64::MAX).unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::NotFound);
    }

    /// `rcvbuf_errors` is the `RcvbufErrors` counter of the `Udp:` lines in /proc/net/snmp.
    /// 中文：`rcvbuf_errors` 读出的是 /proc/net/snmp 里 `Udp:` 行的 `RcvbufErrors` 计数。
    #[test]
    fn rcvbuf_errors_is_the_snmp_counter() {
        let text = std::fs::read_to_string("/proc/net/snmp").unwrap();
        let udp: Vec<&str> = text.lines().filter(|l| l.starts_with("Udp:")).collect();
        let col = udp[0]
            .split_whitespace()
            .position(|n| n == "RcvbufErrors")
            .unwrap();
        let then: u64 = udp[1].split_whitespace().nth(col).unwrap().parse().unwrap();
        // Other programs may drop datagrams meanwhile: never fewer.
        assert!(rcvbuf_errors().unwrap() >= then);
    }

    /// Flooding a socket whose receive buffer was made small loses datagrams, and its `drops` is exactly sent minus received.
    /// 中文：往接收缓冲区调小了的套接字狂发数据报会丢包，它的 `drops` 正好等于发送数减去接收数。
    #[test]
    fn every_lost_datagram_is_counted_by_the_kernel() {
        within(20, || {
            let loss = flood(2000).unwrap();
            assert!(
                loss.rcvbuf <= 16 * 1024,
                "the buffer was made small: {loss:?}"
            );
            assert!(loss.received < loss.sent, "some were lost: {loss:?}");
            assert_eq!(loss.socket_drops, loss.sent - loss.received, "{loss:?}");
            assert!(loss.rcvbuf_errors_rise >= loss.socket_drops, "{loss:?}");
        });
    }

    /// With room in the buffer, all three datagrams arrive and none is counted as dropped.
    /// 中文：缓冲区装得下时，3 个数据报全部收到，`drops` 为 0。
    #[test]
    fn with_room_nothing_is_lost() {
        within(20, || {
            let loss = flood(3).unwrap();
            assert_eq!((loss.received, loss.socket_drops), (3, 0), "{loss:?}");
        });
    }
}
