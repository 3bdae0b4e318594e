//! Scenarios `merge` and `nodelay`: several small sends, one read.
//!
//! TCP is a byte stream (流式协议). The kernel keeps the *bytes* in order,
//! but not the sizes of the `send()` calls that produced them: a
//! `recv(1024)` returns whatever is queued, up to 1024 bytes, regardless
//! of where one message ended and the next began.
//!
//! To make the phenomenon reliable instead of lucky, the server reads only
//! once the kernel reports (`FIONREAD`) that everything sent is queued —
//! what happens in real life whenever a server is a little slower than its
//! client. `nodelay` repeats it with Nagle's algorithm off (`TCP_NODELAY`)
//! and counts the data segments the client's kernel sent (`TCP_INFO`):
//! separate segments on the wire, still one read.

use crate::report::{bytes, messages_inside, show_boundaries};
use crate::ARRIVAL_TIMEOUT;
use demo_kit::net::{loopback_pair, tcp_info};
use demo_kit::say::{heading, say, show_bytes, step};
use demo_kit::sock::wait_queued;
use demo_kit::{Context, Result, Side};
use nix::sys::socket::{getsockopt, sockopt::TcpNoDelay};
use std::io::{Read, Write};

/// What the merge scenario observed.
#[derive(Debug)]
pub struct MergeReport {
    /// The messages, each sent with its own `write()` system call.
    pub sent: Vec<Vec<u8>>,
    /// Was `TCP_NODELAY` on, as read back from the kernel?
    pub nodelay: bool,
    /// Data segments the client's kernel sent for them (`TCP_INFO`), if known.
    pub data_segments: Option<u32>,
    /// Bytes queued at the server before it read (`FIONREAD`).
    pub queued: usize,
    /// What the server's single `read(1024)` returned.
    pub first_read: Vec<u8>,
}

/// Sends `messages` with one `write()` each, then reads once at the server.
pub fn run(messages: &[&[u8]], nodelay: bool) -> Result<MergeReport> {
    heading(if nodelay {
        "nodelay: the same, with TCP_NODELAY (Nagle's algorithm off)"
    } else {
        "merge: several small sends, one read"
    });
    let pair = loopback_pair(false)?;
    pair.client
        .set_nodelay(nodelay)
        .context("setsockopt(TCP_NODELAY)")?;
    let segments_before = tcp_info(&pair.client).ok().map(|i| i.tcpi_data_segs_out);

    step(
        1,
        format!(
            "the client sends {} messages, one write() each",
            messages.len()
        ),
    );
    let mut client = &pair.client;
    for msg in messages {
        // One write() per message: the "separate sends" of the course.
        let n = client.write(msg).context("client write")?;
        if n != msg.len() {
            return demo_kit::bail_msg(format!("short write: {n} of {} bytes", msg.len()));
        }
        say(
            Side::Client,
            format!("write({}) -> {}", show_bytes(msg), bytes(n)),
        );
    }
    let nodelay = getsockopt(&pair.client, TcpNoDelay).context("getsockopt(TCP_NODELAY)")?;
    say(
        Side::Kernel,
        format!(
            "TCP_NODELAY on the client socket, read back: {}",
            if nodelay { "on" } else { "off" }
        ),
    );
    let total: usize = messages.iter().map(|m| m.len()).sum();
    let queued = wait_queued(&pair.server, total, ARRIVAL_TIMEOUT)
        .context("ioctl(FIONREAD) on the server socket")?
        .with_context(|| format!("not all {total} bytes arrived within {ARRIVAL_TIMEOUT:?}"))?;
    let segments_after = tcp_info(&pair.client).ok().map(|i| i.tcpi_data_segs_out);
    let data_segments = segments_before.zip(segments_after).map(|(a, b)| b - a);
    if let Some(segs) = data_segments {
        say(
            Side::Kernel,
            format!("data segments the client sent for them (TCP_INFO): {segs}"),
        );
    }

    step(
        2,
        "the server is a little late: the bytes wait in its receive buffer",
    );
    say(
        Side::Kernel,
        format!("FIONREAD on the server socket: {queued} bytes waiting"),
    );

    step(
        3,
        "the server reads once, like the course's conn.recv(1024)",
    );
    let mut buf = [0u8; 1024];
    let n = (&pair.server).read(&mut buf).context("server read")?;
    let got = &buf[..n];
    say(
        Side::Server,
        format!("recv(1024) returned {n} bytes: {}", show_bytes(got)),
    );
    let sent: Vec<Vec<u8>> = messages.iter().map(|m| m.to_vec()).collect();
    say(
        Side::Server,
        format!(
            "where the messages really ended: {}",
            show_boundaries(got, &sent, 0)
        ),
    );
    say(
        Side::Note,
        format!(
            "{} messages went in, one read returned {} of them stuck together.",
            sent.len(),
            messages_inside(n, &sent)
        ),
    );
    if nodelay {
        let segs = data_segments
            .map(|s| format!(" ({s} separate segments on the wire)"))
            .unwrap_or_default();
        say(
            Side::Note,
            format!(
                "Nagle was off{segs}, and they still stuck: the receive buffer is one byte stream."
            ),
        );
    } else {
        say(
            Side::Note,
            "TCP kept every byte, in order, but not where one send() ended and the next began.",
        );
    }
    Ok(MergeReport {
        sent,
        nodelay,
        data_segments,
        queued,
        first_read: got.to_vec(),
    })
}
