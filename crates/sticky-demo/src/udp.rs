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
use demo_kit::{Context, Result, Side};
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
    demo_kit::say::heading("udp: the same idea with datagrams");
    let server = UdpSocket::bind("127.0.0.1:0").context("binding a UDP socket on 127.0.0.1:0")?;
    let client = UdpSocket::bind("127.0.0.1:0").context("binding the client's UDP socket")?;
    server
        .set_read_timeout(Some(Duration::from_secs(5)))
        .context("setting a read timeout")?;
    let to = server
        .local_addr()
        .context("reading the server's address")?;

    step(1, "the client sends three datagrams");
    for msg in messages {
        let n = client.send_to(msg, to).context("client sendto")?;
        say(
            Side::Client,
            format!("sendto({}) -> {}", show_bytes(msg), bytes(n)),
        );
    }

    step(
        2,
        "the server receives with a 1024-byte buffer, three times",
    );
    let mut next_sizes = Vec::new();
    let mut received = Vec::new();
    let mut buf = [0u8; RECV_BUFFER];
    for _ in messages {
        let size = next_datagram_size(&server)?;
        say(
            Side::Kernel,
            format!("FIONREAD: the next datagram is {}", bytes(size)),
        );
        let (n, _) = server.recv_from(&mut buf).context("server recvfrom")?;
        say(
            Side::Server,
            format!(
                "recvfrom(1024) returned {}: {}",
                bytes(n),
                show_bytes(&buf[..n])
            ),
        );
        next_sizes.push(size);
        received.push(buf[..n].to_vec());
    }
    say(
        Side::Note,
        format!(
            "{} datagrams sent, {} received, each whole: UDP keeps message boundaries.",
            messages.len(),
            received.len()
        ),
    );

    step(
        3,
        format!("a {big}-byte datagram, and the same 1024-byte buffer"),
    );
    let payload: Vec<u8> = (0..big).map(|i| b'a' + (i % 26) as u8).collect();
    let n = client.send_to(&payload, to).context("client sendto")?;
    say(
        Side::Client,
        format!("sendto({}) -> {}", bytes(big), bytes(n)),
    );
    let next: &[u8] = b"next";
    client.send_to(next, to).context("client sendto")?;
    say(
        Side::Client,
        format!("sendto({}) -> {}", show_bytes(next), bytes(next.len())),
    );
    let size = next_datagram_size(&server)?;
    say(
        Side::Kernel,
        format!("FIONREAD: the next datagram is {}", bytes(size)),
    );
    // recvmsg() instead of recvfrom(): same receive, but it also returns
    // the kernel's msg_flags, where MSG_TRUNC reports the cut.
    let mut iov = [IoSliceMut::new(&mut buf)];
    let msg = recvmsg::<SockaddrIn>(server.as_raw_fd(), &mut iov, None, MsgFlags::empty())
        .context("server recvmsg")?;
    let (big_received, big_truncated) = (msg.bytes, msg.flags.contains(MsgFlags::MSG_TRUNC));
    let big_head = buf[..big_received].to_vec();
    say(
        Side::Server,
        format!(
            "recvmsg(1024) returned {}, msg_flags: {}",
            bytes(big_received),
            if big_truncated {
                "MSG_TRUNC (the datagram was cut)"
            } else {
                "none"
            }
        ),
    );
    let size = next_datagram_size(&server)?;
    say(
        Side::Kernel,
        format!(
            "FIONREAD: the next datagram is {}: the other {} are gone, not queued",
            bytes(size),
            big.saturating_sub(big_received)
        ),
    );
    let (n, _) = server.recv_from(&mut buf).context("server recvfrom")?;
    let after_big = buf[..n].to_vec();
    say(
        Side::Server,
        format!(
            "recvfrom(1024) returned {}: {}",
            bytes(n),
            show_bytes(&after_big)
        ),
    );
    say(
        Side::Note,
        format!(
            "a datagram bigger than the buffer is cut and its tail dropped: recv(1024) returns {big_received} bytes and no error; recvmsg's msg_flags says MSG_TRUNC."
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
    server
        .peek_from(&mut peek)
        .context("waiting for a datagram (loopback lost it?)")?;
    queued_bytes(server).context("ioctl(FIONREAD) on the UDP socket")
}
