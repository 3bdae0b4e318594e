//! Scenario `udp`: the contrast — UDP keeps message boundaries, and cuts
//! what does not fit.
//!
//! Each `recvfrom` returns exactly one datagram, even when several are
//! waiting and the buffer could hold them all: the kernel stores them as
//! separate packets, and `FIONREAD` on a UDP socket reports the size of
//! the *next* one only. The price is the course's 不可靠: no
//! acknowledgement and no retransmission, so a lost datagram stays lost,
//! and no ordering or duplicate protection either (RFC 768, RFC 8085).
//!
//! "Whole" has a catch (see udp(7) and recv(2)): a datagram larger than
//! the buffer given to `recvfrom` is **cut** to fit, the rest of it is
//! thrown away, and the call still succeeds. The return value does not
//! say so: `recvmsg`'s `msg_flags` does, with `MSG_TRUNC` (as would the
//! `MSG_TRUNC` flag passed to `recv`, which returns the real length, or
//! `FIONREAD` asked before). The course reads with `recv(1024)`, so a
//! 1500-byte datagram loses its last 476 bytes without a word.

use crate::report::bytes;
use demo_kit::say::{say, show_bytes, step};
use demo_kit::sock::queued_bytes;
use demo_kit::{tr, Context, Result, Side};
use nix::sys::socket::{recvmsg, MsgFlags, SockaddrIn};
use std::io::IoSliceMut;
use std::net::UdpSocket;
use std::os::fd::AsRawFd;
use std::time::Duration;

/// The receive buffer of every `recvfrom` here: the course's `recv(1024)`.
pub const RECV_BUFFER: usize = 1024;

/// What the UDP scenario observed.
#[derive(Debug)]
pub struct UdpReport {
    pub sent: Vec<Vec<u8>>,
    /// Before each receive: what `FIONREAD` said the next datagram's size was.
    pub next_sizes: Vec<usize>,
    /// What each `recv_from` (with a 1024-byte buffer) returned.
    pub received: Vec<Vec<u8>>,
    /// The oversized datagram: its size, what `recvmsg` returned, whether
    /// `MSG_TRUNC` was set, and what the next receive returned.
    pub big_sent: usize,
    pub big_received: usize,
    /// The bytes of the oversized datagram that were delivered.
    pub big_head: Vec<u8>,
    pub big_truncated: bool,
    pub after_big: Vec<u8>,
}

/// Sends `messages` as separate datagrams and receives them one by one;
/// then a `big`-byte datagram followed by a short one, received into
/// [`RECV_BUFFER`] bytes.
pub fn run(messages: &[&[u8]], big: usize) -> Result<UdpReport> {
    demo_kit::say::heading(tr!(
        "udp: the same idea with datagrams",
        "udp：换成数据报再试一次"
    ));
    let server = UdpSocket::bind("127.0.0.1:0").context(tr!(
        "binding a UDP socket on 127.0.0.1:0",
        "在 127.0.0.1:0 上绑定 UDP 套接字"
    ))?;
    let client = UdpSocket::bind("127.0.0.1:0").context(tr!(
        "binding the client's UDP socket",
        "绑定客户端的 UDP 套接字"
    ))?;
    server
        .set_read_timeout(Some(Duration::from_secs(5)))
        .context(tr!("setting a read timeout", "设置读超时"))?;
    let to = server
        .local_addr()
        .context(tr!("reading the server's address", "读取服务端的地址"))?;

    step(
        1,
        tr!("the client sends three datagrams", "客户端发送三个数据报"),
    );
    for msg in messages {
        let n = client
            .send_to(msg, to)
            .context(tr!("client sendto", "客户端 sendto"))?;
        let (shown, b) = (show_bytes(msg), bytes(n));
        say(
            Side::Client,
            tr!("sendto({shown}) -> {b}", "sendto({shown}) -> {n} 字节"),
        );
    }

    step(
        2,
        tr!(
            "the server receives with a 1024-byte buffer, three times",
            "服务端用 1024 字节的缓冲区接收，共三次"
        ),
    );
    let mut next_sizes = Vec::new();
    let mut received = Vec::new();
    let mut buf = [0u8; RECV_BUFFER];
    for _ in messages {
        let size = next_datagram_size(&server)?;
        say(Side::Kernel, next_is(size));
        let (n, _) = server
            .recv_from(&mut buf)
            .context(tr!("server recvfrom", "服务端 recvfrom"))?;
        say(Side::Server, recvfrom_returned(&buf[..n]));
        next_sizes.push(size);
        received.push(buf[..n].to_vec());
    }
    say(
        Side::Note,
        tr!(
            "{} datagrams sent, {} received, each whole: UDP keeps message boundaries.",
            "发了 {} 个数据报，收到 {} 个，个个完整：UDP 保留消息边界。",
            messages.len(),
            received.len()
        ),
    );

    step(
        3,
        tr!(
            "a {big}-byte datagram, and the same 1024-byte buffer",
            "一个 {big} 字节的数据报，缓冲区还是 1024 字节"
        ),
    );
    let payload: Vec<u8> = (0..big).map(|i| b'a' + (i % 26) as u8).collect();
    let n = client
        .send_to(&payload, to)
        .context(tr!("client sendto", "客户端 sendto"))?;
    let (b_big, b) = (bytes(big), bytes(n));
    say(
        Side::Client,
        tr!("sendto({b_big}) -> {b}", "sendto（{big} 字节）-> {n} 字节"),
    );
    let next: &[u8] = b"next";
    client
        .send_to(next, to)
        .context(tr!("client sendto", "客户端 sendto"))?;
    let (shown, n, b) = (show_bytes(next), next.len(), bytes(next.len()));
    say(
        Side::Client,
        tr!("sendto({shown}) -> {b}", "sendto({shown}) -> {n} 字节"),
    );
    let size = next_datagram_size(&server)?;
    say(Side::Kernel, next_is(size));
    // recvmsg() instead of recvfrom(): same receive, but it also returns
    // the kernel's msg_flags, where MSG_TRUNC reports the cut.
    let mut iov = [IoSliceMut::new(&mut buf)];
    let msg = recvmsg::<SockaddrIn>(server.as_raw_fd(), &mut iov, None, MsgFlags::empty())
        .context(tr!("server recvmsg", "服务端 recvmsg"))?;
    let (big_received, big_truncated) = (msg.bytes, msg.flags.contains(MsgFlags::MSG_TRUNC));
    let big_head = buf[..big_received].to_vec();
    let (n, b) = (big_received, bytes(big_received));
    let flags = if big_truncated {
        tr!(
            "MSG_TRUNC (the datagram was cut)",
            "MSG_TRUNC（数据报被截断了）"
        )
    } else {
        tr!("none", "无")
    };
    say(
        Side::Server,
        tr!(
            "recvmsg(1024) returned {b}, msg_flags: {flags}",
            "recvmsg(1024) 返回了 {n} 字节，msg_flags：{flags}"
        ),
    );
    let size = next_datagram_size(&server)?;
    let (b, lost) = (bytes(size), big.saturating_sub(big_received));
    say(
        Side::Kernel,
        tr!(
            "FIONREAD: the next datagram is {b}: the other {lost} are gone, not queued",
            "FIONREAD：下一个数据报有 {size} 字节；大数据报剩下的 {lost} 字节已经丢了，没有留在队列里"
        ),
    );
    let (n, _) = server
        .recv_from(&mut buf)
        .context(tr!("server recvfrom", "服务端 recvfrom"))?;
    let after_big = buf[..n].to_vec();
    say(Side::Server, recvfrom_returned(&after_big));
    say(
        Side::Note,
        tr!(
            "a datagram bigger than the buffer is cut and its tail dropped: recv(1024) returns {big_received} bytes and no error; recvmsg's msg_flags says MSG_TRUNC.",
            "数据报比缓冲区大，就会被截断，多出的部分直接丢弃：recv(1024) 返回 {big_received} 字节，不报任何错误；只有 recvmsg 的 msg_flags 里会出现 MSG_TRUNC。"
        ),
    );
    Ok(UdpReport {
        sent: messages.iter().map(|m| m.to_vec()).collect(),
        next_sizes,
        received,
        big_sent: big,
        big_received,
        big_head,
        big_truncated,
        after_big,
    })
}

/// Blocks until a datagram is there without consuming it (`MSG_PEEK`),
/// then asks its size (`FIONREAD`).
fn next_datagram_size(server: &UdpSocket) -> Result<usize> {
    let mut peek = [0u8; 1];
    server.peek_from(&mut peek).context(tr!(
        "waiting for a datagram (loopback lost it?)",
        "等待数据报（被回环接口丢了？）"
    ))?;
    queued_bytes(server).context(tr!(
        "ioctl(FIONREAD) on the UDP socket",
        "UDP 套接字上的 ioctl(FIONREAD)"
    ))
}

/// What `FIONREAD` said: the next datagram's size.
fn next_is(size: usize) -> String {
    let b = bytes(size);
    tr!(
        "FIONREAD: the next datagram is {b}",
        "FIONREAD：下一个数据报有 {size} 字节"
    )
}

/// What a `recvfrom(1024)` returned: the datagram, as Python shows bytes.
fn recvfrom_returned(datagram: &[u8]) -> String {
    let (n, b, shown) = (datagram.len(), bytes(datagram.len()), show_bytes(datagram));
    tr!(
        "recvfrom(1024) returned {b}: {shown}",
        "recvfrom(1024) 返回了 {n} 字节：{shown}"
    )
}
