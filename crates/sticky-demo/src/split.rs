//! Scenario `split`: one long reply, read with a small buffer.
//!
//! The other face of 粘包. The course's server answers each command with
//! one `send()`, and its client reads each answer with one `recv(1024)`.
//! A 2500-byte output then needs three reads: the client prints the first
//! 1024 bytes, and the rest is what its *next* `recv(1024)` — meant for the
//! next command — returns. The last piece of the long reply is even glued
//! to the start of the short one.

use crate::report::{bytes, describe, fake_command_output};
use crate::ARRIVAL_TIMEOUT;
use demo_kit::net::loopback_pair;
use demo_kit::say::{heading, say, show_bytes, step};
use demo_kit::sock::wait_queued;
use demo_kit::{Context, Result, Side};
use std::io::{Read, Write};

/// The second, short reply: what the course's client asked for next.
pub const NEXT_REPLY: &[u8] = b"output of the NEXT command\n";

/// What the split scenario observed.
#[derive(Debug)]
pub struct SplitReport {
    /// The receive buffer size the client uses, like the course's `recv(1024)`.
    pub buffer: usize,
    /// The replies the server sent, each with one `write_all`.
    pub replies: Vec<Vec<u8>>,
    /// Each `read()` the client made, in order, until all bytes were read.
    pub reads: Vec<Vec<u8>>,
}

/// The server sends a `size`-byte reply then [`NEXT_REPLY`]; the client
/// reads with a `buffer`-byte buffer until it has every byte.
pub fn run(size: usize, buffer: usize) -> Result<SplitReport> {
    heading(format!(
        "split: a {size}-byte reply read with recv({buffer})"
    ));
    let long = fake_command_output(size);
    let pair = loopback_pair(false)?;
    pair.client
        .set_read_timeout(Some(ARRIVAL_TIMEOUT))
        .context("setting a read timeout")?;

    step(
        1,
        "the server answers two commands, one write_all() per reply",
    );
    let mut server = &pair.server;
    server
        .write_all(&long)
        .context("server sending the long reply")?;
    say(
        Side::Server,
        format!("reply 1: {} (a long command output)", bytes(long.len())),
    );
    server
        .write_all(NEXT_REPLY)
        .context("server sending the short reply")?;
    say(
        Side::Server,
        format!(
            "reply 2: {}: {}",
            bytes(NEXT_REPLY.len()),
            show_bytes(NEXT_REPLY)
        ),
    );

    step(
        2,
        format!("the client reads with a {buffer}-byte buffer, one read() per \"reply\""),
    );
    // Read only once every byte is queued, so the cut points depend on
    // the buffer size alone, not on luck.
    let total = long.len() + NEXT_REPLY.len();
    wait_queued(&pair.client, total, ARRIVAL_TIMEOUT)
        .context("ioctl(FIONREAD) on the client socket")?
        .with_context(|| format!("not all {total} bytes arrived within {ARRIVAL_TIMEOUT:?}"))?;
    let mut reads: Vec<Vec<u8>> = Vec::new();
    let mut offset = 0;
    let mut buf = vec![0u8; buffer];
    while offset < total {
        let n = (&pair.client).read(&mut buf).context("client read")?;
        if n == 0 {
            return demo_kit::bail_msg("the server closed the connection early");
        }
        say(
            Side::Client,
            format!(
                "read #{}: {n} bytes = {}",
                reads.len() + 1,
                describe(offset, n, long.len(), NEXT_REPLY.len())
            ),
        );
        reads.push(buf[..n].to_vec());
        offset += n;
    }
    if let Some(second) = reads.get(1) {
        say(
            Side::Note,
            format!(
                "the course's client would print read #2 as the answer to its NEXT command: {}…",
                show_bytes(&second[..second.len().min(30)])
            ),
        );
    }
    say(
        Side::Note,
        "one send() became several recv()s, and the leftovers stuck to the next reply.",
    );
    Ok(SplitReport {
        buffer,
        replies: vec![long, NEXT_REPLY.to_vec()],
        reads,
    })
}
