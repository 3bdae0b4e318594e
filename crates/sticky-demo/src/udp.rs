//! The contrast: UDP keeps message boundaries.
//!
//! A UDP datagram is delivered whole or not at all, and each `recvfrom`
//! returns exactly one datagram — even when several are waiting and the
//! buffer could hold them all. The kernel stores them as separate packets;
//! `FIONREAD` on a UDP socket reports the size of the *next* one only.
//! (The price: no ordering or delivery guarantee — the course's 不可靠.)

use crate::kernel;
use demo_kit::{Context, Result};
use std::net::UdpSocket;
use std::time::Duration;

/// What the UDP scenario observed.
#[derive(Debug)]
pub struct UdpReport {
    pub sent: Vec<Vec<u8>>,
    /// Before each receive: what `FIONREAD` said the next datagram's size was.
    pub next_sizes: Vec<usize>,
    /// What each `recv_from` (with a 1024-byte buffer) returned.
    pub received: Vec<Vec<u8>>,
}

/// Sends `messages` as separate datagrams, then receives them one by one.
pub fn datagrams(messages: &[&[u8]]) -> Result<UdpReport> {
    let server = UdpSocket::bind("127.0.0.1:0").context("binding a UDP socket on 127.0.0.1:0")?;
    let client = UdpSocket::bind("127.0.0.1:0").context("binding the client's UDP socket")?;
    server
        .set_read_timeout(Some(Duration::from_secs(5)))
        .context("setting a read timeout")?;
    let to = server
        .local_addr()
        .context("reading the server's address")?;
    for msg in messages {
        client.send_to(msg, to).context("client send_to")?;
    }
    let mut next_sizes = Vec::new();
    let mut received = Vec::new();
    let mut buf = [0u8; 1024];
    for _ in messages {
        // Block until a datagram is there, without consuming it...
        let mut peek = [0u8; 1];
        server
            .peek_from(&mut peek)
            .context("waiting for a datagram (loopback lost it?)")?;
        // ...then ask its size, then receive it.
        next_sizes.push(kernel::queued_bytes(&server).context("FIONREAD on the UDP socket")?);
        let (n, _) = server.recv_from(&mut buf).context("server recv_from")?;
        received.push(buf[..n].to_vec());
    }
    Ok(UdpReport {
        sent: messages.iter().map(|m| m.to_vec()).collect(),
        next_sizes,
        received,
    })
}
