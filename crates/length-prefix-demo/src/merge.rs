//! Merge: small frames written back to back, read back one by one.
//!
//! The client makes one `write_frame` per message — each is one `writev`
//! system call carrying the 4-byte prefix and the payload. The server does
//! not read until the kernel says every byte is queued (`FIONREAD`), so the
//! messages are *certainly* stuck together in its receive buffer; a peek
//! shows what one raw `recv()` would return. Then `read_frame` takes them
//! out one at a time: first exactly 4 bytes, then exactly that many.
//!
//! The client thread narrates its writes as it makes them; the server
//! says nothing until the client is done, so the story reads in order.

use crate::kernel;
use crate::link::{self, Recorder, TIMEOUT};
use crate::tell::{join, other_order, unpack_words};
use crate::COURSE_RECV;
use demo_kit::say::{heading, hex, say, show_bytes};
use demo_kit::sock::wait_queued;
use demo_kit::Side;
use demo_kit::{Context, Result};
use framing::Codec;

/// One frame as the server's framed reader consumed it from the socket.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FrameSeen {
    /// The 4 prefix bytes, as read from the socket.
    pub prefix: [u8; 4],
    /// The payload `read_frame` returned.
    pub payload: Vec<u8>,
    /// The size of each `read()` the framed reader made for this frame.
    pub reads: Vec<usize>,
}

/// What happened in the merge scenario.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MergeReport {
    /// The codec both sides used.
    pub codec: Codec,
    /// The payloads the client wrote, one `write_frame` each.
    pub sent: Vec<Vec<u8>>,
    /// Bytes the client wrote in total (prefixes included).
    pub bytes_written: usize,
    /// `FIONREAD` on the server socket before its first read.
    pub queued: usize,
    /// What one raw `recv()` would have returned (peeked, not consumed).
    pub peeked: Vec<u8>,
    /// The frames `read_frame` returned, in order.
    pub frames: Vec<FrameSeen>,
    /// `read_frame` returned `Ok(None)` after the last frame: a clean end.
    pub clean_end: bool,
}

/// Runs the scenario with `messages` (see [`crate::SMALL_MESSAGES`]).
pub fn run(codec: Codec, messages: &[&[u8]]) -> Result<MergeReport> {
    heading("merge: small frames written back to back");
    let sent: Vec<Vec<u8>> = messages.iter().map(|m| m.to_vec()).collect();
    let to_send = sent.clone();

    // The client: one framed write per message, as fast as it can.
    let link = link::start(move |stream| {
        let mut written = 0;
        for msg in &to_send {
            codec
                .write_frame(stream, msg)
                .context("client: writing a frame")?;
            written += 4 + msg.len();
            let prefix = codec.encode_prefix(msg.len()).unwrap_or_default();
            say(
                Side::Client,
                format!(
                    "write_frame({}): prefix {} + {} bytes, one writev",
                    show_bytes(msg),
                    hex(&prefix),
                    msg.len()
                ),
            );
        }
        Ok(written)
    })?;
    let (server, bytes_written) = link.join_client()?;
    say(
        Side::Client,
        format!(
            "done: {bytes_written} bytes written in {} writes, then close",
            sent.len()
        ),
    );

    // Reliable, not lucky: wait until every byte sits in our receive buffer.
    let queued = wait_queued(&server, bytes_written, TIMEOUT)
        .context("server: ioctl(FIONREAD)")?
        .with_context(|| {
            format!("server: {bytes_written} bytes were not all queued within {TIMEOUT:?}")
        })?;
    say(
        Side::Kernel,
        format!("FIONREAD on the server socket: {queued} bytes queued — all {} frames, before the server reads anything", sent.len()),
    );

    // What the course's conn.recv(1024) would return right now: everything, stuck together.
    let peeked = kernel::peek(&server, COURSE_RECV).context("server: recv(MSG_PEEK)")?;
    say(
        Side::Server,
        format!(
            "recv(1024, MSG_PEEK) -> {} bytes, what one raw recv(1024) would return:",
            peeked.len()
        ),
    );
    say(Side::Server, format!("  {}", show_bytes(&peeked)));
    say(
        Side::Note,
        "  all the messages stuck together (粘包) — but every one is led by its length:",
    );

    // Now the framed reader: exactly 4 bytes, then exactly `len` bytes.
    let mut reader = Recorder::new(&server);
    let mut frames = Vec::new();
    let mut exact = 0;
    while let Some(payload) = codec
        .read_frame(&mut reader)
        .context("server: reading a frame")?
    {
        let (bytes, reads) = reader.drain();
        let mut prefix = [0u8; 4];
        prefix.copy_from_slice(&bytes[..4]);
        let same = sent.get(frames.len()) == Some(&payload);
        exact += usize::from(same);
        say(
            Side::Server,
            format!(
                "read_frame {}: prefix {} -> {} ({}), payload {}  [read() calls returned {}] {}",
                frames.len() + 1,
                hex(&prefix),
                payload.len(),
                unpack_words(codec.prefix()),
                show_bytes(&payload),
                join(&reads),
                if same { "== sent" } else { "!= SENT" }
            ),
        );
        frames.push(FrameSeen {
            prefix,
            payload,
            reads,
        });
    }
    say(
        Side::Server,
        format!(
            "read_frame {}: end of stream between frames -> Ok(None): the client closed cleanly",
            frames.len() + 1
        ),
    );
    say(
        Side::Note,
        format!(
            "{exact} of {} messages came out exactly as sent",
            sent.len()
        ),
    );
    other_order(codec, sent.first().map_or(0, |m| m.len()));
    Ok(MergeReport {
        codec,
        sent,
        bytes_written,
        queued,
        peeked,
        frames,
        clean_end: true,
    })
}
