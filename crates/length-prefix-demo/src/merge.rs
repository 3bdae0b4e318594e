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
use demo_kit::{tr, Context, Result};
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
    heading(tr!(
        "merge: small frames written back to back",
        "merge：紧挨着连发的几个小帧"
    ));
    let sent: Vec<Vec<u8>> = messages.iter().map(|m| m.to_vec()).collect();
    let to_send = sent.clone();

    // The client: one framed write per message, as fast as it can.
    let link = link::start(move |stream| {
        let mut written = 0;
        for msg in &to_send {
            codec
                .write_frame(stream, msg)
                .context(tr!("client: writing a frame", "客户端：写一帧"))?;
            written += 4 + msg.len();
            let prefix = codec.encode_prefix(msg.len()).unwrap_or_default();
            let (shown, prefix, n) = (show_bytes(msg), hex(&prefix), msg.len());
            say(
                Side::Client,
                tr!(
                    "write_frame({shown}): prefix {prefix} + {n} bytes, one writev",
                    "write_frame({shown})：前缀 {prefix} + {n} 字节，一次 writev"
                ),
            );
        }
        Ok(written)
    })?;
    let (server, bytes_written) = link.join_client()?;
    let writes = sent.len();
    say(
        Side::Client,
        tr!(
            "done: {bytes_written} bytes written in {writes} writes, then close",
            "完成：{writes} 次写入共写了 {bytes_written} 字节，然后关闭连接"
        ),
    );

    // Reliable, not lucky: wait until every byte sits in our receive buffer.
    let queued = wait_queued(&server, bytes_written, TIMEOUT)
        .context(tr!("server: ioctl(FIONREAD)", "服务端：ioctl(FIONREAD)"))?
        .with_context(|| {
            tr!(
                "server: {bytes_written} bytes were not all queued within {TIMEOUT:?}",
                "服务端：{TIMEOUT:?} 内 {bytes_written} 字节没有全部到达接收队列"
            )
        })?;
    say(
        Side::Kernel,
        tr!(
            "FIONREAD on the server socket: {queued} bytes queued — all {writes} frames, before the server reads anything",
            "服务端套接字上的 FIONREAD：队列里有 {queued} 字节——{writes} 帧全到了，服务端还一个字节都没读"
        ),
    );

    // What the course's conn.recv(1024) would return right now: everything, stuck together.
    let peeked = kernel::peek(&server, COURSE_RECV)
        .context(tr!("server: recv(MSG_PEEK)", "服务端：recv(MSG_PEEK)"))?;
    let n = peeked.len();
    say(
        Side::Server,
        tr!(
            "recv(1024, MSG_PEEK) -> {n} bytes, what one raw recv(1024) would return:",
            "recv(1024, MSG_PEEK) -> {n} 字节，也就是一次普通的 recv(1024) 会拿到的内容："
        ),
    );
    say(Side::Server, format!("  {}", show_bytes(&peeked)));
    say(
        Side::Note,
        tr!(
            "  all the messages stuck together (粘包) — but every one is led by its length:",
            "  所有消息粘在了一起（粘包）——但每条消息前面都有它的长度："
        ),
    );

    // Now the framed reader: exactly 4 bytes, then exactly `len` bytes.
    let mut reader = Recorder::new(&server);
    let mut frames = Vec::new();
    let mut exact = 0;
    while let Some(payload) = codec
        .read_frame(&mut reader)
        .context(tr!("server: reading a frame", "服务端：读一帧"))?
    {
        let (bytes, reads) = reader.drain();
        let mut prefix = [0u8; 4];
        prefix.copy_from_slice(&bytes[..4]);
        let same = sent.get(frames.len()) == Some(&payload);
        exact += usize::from(same);
        let verdict = if same {
            tr!("== sent", "与发送的一致")
        } else {
            tr!("!= SENT", "与发送的不一致！")
        };
        say(
            Side::Server,
            tr!(
                "read_frame {}: prefix {} -> {} ({}), payload {}  [read() calls returned {}] {}",
                "read_frame {}：前缀 {} -> {}（{}），载荷 {}  [各次 read() 返回 {}] {}",
                frames.len() + 1,
                hex(&prefix),
                payload.len(),
                unpack_words(codec.prefix()),
                show_bytes(&payload),
                join(&reads),
                verdict
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
        tr!(
            "read_frame {}: end of stream between frames -> Ok(None): the client closed cleanly",
            "read_frame {}：在两帧之间读到数据流结束 -> Ok(None)：客户端正常关闭了连接",
            frames.len() + 1
        ),
    );
    say(
        Side::Note,
        tr!(
            "{exact} of {} messages came out exactly as sent",
            "{} 条消息中有 {exact} 条读出来和发送时完全一样",
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
