//! Split: a reply longer than the course's `recv(1024)` buffer, followed
//! by a short reply.
//!
//! Without framing, the course's server answers each command with one
//! `send()`, and the client reads one `recv(1024)`: a 3000-byte output takes
//! three reads, so the client prints the first 1024 bytes and the *rest*
//! shows up as the answer to the next command. With a header that carries
//! `total_size`, the client knows how much belongs to this reply; it reads
//! in pieces of at most 1024 bytes but never past the end of the reply
//! (`min(1024, remaining)` — the course's loop asks for 1024 every time and
//! could swallow the start of the next reply).
//!
//! The long reply may be larger than the socket buffers, so the server
//! reads it while the client is still writing. The client thread narrates
//! its writes; the server narrates reply 1 once the client is done (what
//! it read is recorded as it reads), then reply 2 live.

use crate::link::{self, Recorder, TIMEOUT};
use crate::message::{message, read_body, read_header, wire_len, HeaderSeen};
use crate::tell::{self, join, same, tail};
use crate::COURSE_RECV;
use demo_kit::say::{heading, say, show_bytes};
use demo_kit::sock::wait_queued;
use demo_kit::Side;
use demo_kit::{tr, Context, Result};
use framing::{Codec, Message};
use serde_json::json;
use std::io::Read;

/// What happened in the split scenario.
#[derive(Clone, Debug, PartialEq)]
pub struct SplitReport {
    pub codec: Codec,
    /// The two replies the client sent (the "server" of the course's ssh
    /// example is our client thread here: it is the side that writes).
    pub sent: Vec<Message>,
    /// Prefix and header of the long reply.
    pub first: HeaderSeen,
    /// The size of each `read()` for the long reply's body (each asked for
    /// at most 1024 bytes, and never past `total_size`).
    pub body_reads: Vec<usize>,
    /// The long reply's body as received.
    pub first_body: Vec<u8>,
    /// `FIONREAD` after the long reply was read and the writer had finished:
    /// exactly the second reply's bytes, nothing of it consumed early.
    pub left_queued: usize,
    /// The second reply's size on the wire (prefix + header + body).
    pub second_wire_len: usize,
    /// Prefix and header of the second reply, and the message itself.
    pub second: HeaderSeen,
    pub second_body: Vec<u8>,
    /// The stream ended cleanly after the second reply.
    pub clean_end: bool,
}

/// A stand-in for a long command output (like `ls -l /usr/bin`), exactly
/// `size` bytes of readable lines.
pub fn long_output(size: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(size + 64);
    let mut i = 0;
    while out.len() < size {
        let line = format!(
            "-rwxr-xr-x 1 root root {:>7} Jan  1 00:00 tool-{i:04}\n",
            1000 + i * 37
        );
        out.extend_from_slice(line.as_bytes());
        i += 1;
    }
    out.truncate(size);
    out
}

/// Runs the scenario with a long reply of `size` bytes.
pub fn run(codec: Codec, size: usize) -> Result<SplitReport> {
    heading(tr!(
        "split: a reply longer than the course's recv(1024)",
        "split：比课程里的 recv(1024) 更长的回复"
    ));
    let sent = vec![
        message(
            json!({"cmd": "ls -l /usr/bin (simulated)"}),
            long_output(size),
        ),
        message(json!({"cmd": "whoami (simulated)"}), b"root\n".to_vec()),
    ];
    let to_send = sent.clone();
    let link = link::start(move |stream| {
        let mut lens = Vec::new();
        for m in &to_send {
            let header = serde_json::Value::Object(m.header.clone());
            codec
                .write_message(stream, header.clone(), &m.body)
                .context(tr!("client: writing a reply", "客户端：写一个回复"))?;
            let n = m.body.len();
            say(
                Side::Client,
                tr!(
                    "write_message(header {header}, body of {n} bytes): one writev",
                    "write_message：报头 {header}，正文 {n} 字节，一次 writev"
                ),
            );
            lens.push(wire_len(m)?);
        }
        Ok(lens)
    })?;

    // Read the long reply while it arrives (it may be larger than the
    // socket buffers, so we must not wait for all of it first).
    let mut reader = Recorder::new(&link.server);
    let first = read_header(codec, &mut reader)?;
    let total = framing::total_size(&first.header)
        .context(tr!("server: reply 1 header", "服务端：回复 1 的报头"))?;
    let mut first_body = Vec::new();
    let mut body_reads = Vec::new();
    let mut chunk = [0u8; COURSE_RECV];
    while (first_body.len() as u64) < total {
        let remaining = total - first_body.len() as u64;
        let want = remaining.min(COURSE_RECV as u64) as usize;
        let n = reader.read(&mut chunk[..want]).context(tr!(
            "server: reading reply 1's body",
            "服务端：读回复 1 的正文"
        ))?;
        if n == 0 {
            return demo_kit::bail_msg(tr!(
                "server: the stream ended after {} of {total} body bytes",
                "服务端：正文共 {total} 字节，只读到 {} 字节数据流就结束了",
                first_body.len()
            ));
        }
        body_reads.push(n);
        first_body.extend_from_slice(&chunk[..n]);
    }
    reader.drain();

    // The writer is done once its thread returns; then what is left queued
    // must be exactly reply 2 — proof we consumed nothing that was not ours.
    let (server, lens) = link.join_client()?;
    tell::header_seen(&tr!("reply 1", "回复 1"), codec, &first);
    let reads = join(&body_reads);
    say(
        Side::Server,
        tr!(
            "body: read(min(1024, remaining)) until total_size: {reads} = {total} bytes",
            "正文：反复 read(min(1024, remaining))，直到读满 total_size：{reads} = {total} 字节"
        ),
    );
    let (head, end, verdict) = (
        show_bytes(&first_body[..first_body.len().min(40)]),
        tail(&first_body),
        same(&first_body, &sent[0].body),
    );
    say(
        Side::Server,
        tr!(
            "reply 1 body: {head} ... {end} — {verdict}",
            "回复 1 的正文：{head} ... {end}——{verdict}"
        ),
    );
    let second_wire_len = lens[1];
    let left_queued = wait_queued(&server, second_wire_len, TIMEOUT)
        .context(tr!("server: ioctl(FIONREAD)", "服务端：ioctl(FIONREAD)"))?
        .with_context(|| {
            tr!(
                "server: reply 2 was not queued within {TIMEOUT:?}",
                "服务端：{TIMEOUT:?} 内回复 2 没有到达接收队列"
            )
        })?;
    let verdict = if left_queued == second_wire_len {
        tr!(
            "nothing of it was eaten by reply 1",
            "回复 1 没有吞掉它的任何字节"
        )
    } else {
        tr!("MORE than reply 2 is queued", "队列里的字节比回复 2 还多")
    };
    say(
        Side::Kernel,
        tr!(
            "FIONREAD now: {left_queued} bytes queued; reply 2 is {second_wire_len} bytes on the wire — {verdict}",
            "此时的 FIONREAD：队列里有 {left_queued} 字节；回复 2 在线路上正好 {second_wire_len} 字节——{verdict}"
        ),
    );

    let mut reader = Recorder::new(&server);
    let second = read_header(codec, &mut reader)?;
    tell::header_seen(&tr!("reply 2", "回复 2"), codec, &second);
    let n = framing::total_size(&second.header)
        .context(tr!("server: reply 2 header", "服务端：回复 2 的报头"))?;
    let second_body = read_body(&mut reader, n).context(tr!(
        "server: reading reply 2's body",
        "服务端：读回复 2 的正文"
    ))?;
    let (shown, verdict) = (show_bytes(&second_body), same(&second_body, &sent[1].body));
    say(
        Side::Server,
        tr!(
            "reply 2 body: {shown} — {verdict}",
            "回复 2 的正文：{shown}——{verdict}"
        ),
    );
    let clean_end = codec
        .read_header(&mut reader)
        .context(tr!(
            "server: reading after reply 2",
            "服务端：回复 2 之后继续读"
        ))?
        .is_none();
    if clean_end {
        say(
            Side::Server,
            tr!(
                "then end of stream between messages: a clean close",
                "接着在两条消息之间读到数据流结束：正常关闭"
            ),
        );
    }
    let rest = first_body.len().saturating_sub(COURSE_RECV);
    if rest > 0 {
        say(
            Side::Note,
            tr!(
                "without a header, a recv(1024) client would print the first 1024 bytes and the other {rest} would show up as the answer to the next command (try: cargo run -p sticky-demo split)",
                "没有报头的话，用 recv(1024) 的客户端只会打印前 1024 字节，剩下的 {rest} 字节会被当成下一条命令的结果（试试：cargo run -p sticky-demo split）"
            ),
        );
    } else {
        say(
            Side::Note,
            tr!(
                "this reply fits in one recv(1024); try --size 3000 to see it split",
                "这个回复一次 recv(1024) 就装得下；试试 --size 3000，看它被拆开"
            ),
        );
    }
    Ok(SplitReport {
        codec,
        sent,
        first,
        body_reads,
        first_body,
        left_queued,
        second_wire_len,
        second,
        second_body,
        clean_end,
    })
}
