//! Scenario `split`: one long reply, read with a small buffer.
//!
//! The other face of 粘包. The course's server answers each command with
//! one `send()`, and its client reads each answer with one `recv(1024)`.
//! A 2500-byte output then needs three reads: the client prints the first
//! 1024 bytes, and the rest is what its *next* `recv(1024)` — meant for the
//! next command — returns. The last piece of the long reply is even glued
//! to the start of the short one.

use crate::report::{bytes, describe, describe_zh, fake_command_output};
use crate::ARRIVAL_TIMEOUT;
use demo_kit::net::loopback_pair;
use demo_kit::say::{heading, say, show_bytes, step};
use demo_kit::sock::wait_queued;
use demo_kit::{tr, Context, Result, Side};
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
    heading(tr!(
        "split: a {size}-byte reply read with recv({buffer})",
        "split：{size} 字节的回复，用 recv({buffer}) 来读"
    ));
    let long = fake_command_output(size);
    let pair = loopback_pair(false)?;
    pair.client
        .set_read_timeout(Some(ARRIVAL_TIMEOUT))
        .context(tr!("setting a read timeout", "设置读超时"))?;

    step(
        1,
        tr!(
            "the server answers two commands, one write_all() per reply",
            "服务端回答两条命令，每个回复一次 write_all()"
        ),
    );
    let mut server = &pair.server;
    server
        .write_all(&long)
        .context(tr!("server sending the long reply", "服务端发送长回复"))?;
    let (n, b) = (long.len(), bytes(long.len()));
    say(
        Side::Server,
        tr!(
            "reply 1: {b} (a long command output)",
            "回复 1：{n} 字节（一条命令的长输出）"
        ),
    );
    server
        .write_all(NEXT_REPLY)
        .context(tr!("server sending the short reply", "服务端发送短回复"))?;
    let (n, b, shown) = (
        NEXT_REPLY.len(),
        bytes(NEXT_REPLY.len()),
        show_bytes(NEXT_REPLY),
    );
    say(
        Side::Server,
        tr!("reply 2: {b}: {shown}", "回复 2：{n} 字节：{shown}"),
    );

    step(
        2,
        tr!(
            "the client reads with a {buffer}-byte buffer, one read() per \"reply\"",
            "客户端用 {buffer} 字节的缓冲区来读，每个“回复”调用一次 read()"
        ),
    );
    // Read only once every byte is queued, so the cut points depend on
    // the buffer size alone, not on luck.
    let total = long.len() + NEXT_REPLY.len();
    wait_queued(&pair.client, total, ARRIVAL_TIMEOUT)
        .context(tr!(
            "ioctl(FIONREAD) on the client socket",
            "客户端套接字上的 ioctl(FIONREAD)"
        ))?
        .with_context(|| {
            tr!(
                "not all {total} bytes arrived within {ARRIVAL_TIMEOUT:?}",
                "{ARRIVAL_TIMEOUT:?} 内没有收齐全部 {total} 字节"
            )
        })?;
    let mut reads: Vec<Vec<u8>> = Vec::new();
    let mut offset = 0;
    let mut buf = vec![0u8; buffer];
    while offset < total {
        let n = (&pair.client)
            .read(&mut buf)
            .context(tr!("client read", "客户端 read"))?;
        if n == 0 {
            return demo_kit::bail_msg(tr!(
                "the server closed the connection early",
                "服务端提前关闭了连接"
            ));
        }
        let (i, first, second) = (reads.len() + 1, long.len(), NEXT_REPLY.len());
        let covered = if demo_kit::lang::is_zh() {
            describe_zh(offset, n, first, second)
        } else {
            describe(offset, n, first, second)
        };
        say(
            Side::Client,
            tr!(
                "read #{i}: {n} bytes = {covered}",
                "第 {i} 次 read：{n} 字节 = {covered}"
            ),
        );
        reads.push(buf[..n].to_vec());
        offset += n;
    }
    if let Some(second) = reads.get(1) {
        say(
            Side::Note,
            tr!(
                "the course's client would print read #2 as the answer to its NEXT command: {}…",
                "课程里的客户端会把第 2 次 read 读到的内容，当成下一条命令的结果打印出来：{}…",
                show_bytes(&second[..second.len().min(30)])
            ),
        );
    }
    say(
        Side::Note,
        tr!(
            "one send() became several recv()s, and the leftovers stuck to the next reply.",
            "一次 send() 变成了好几次 recv()，剩下的部分还粘到了下一个回复上。"
        ),
    );
    Ok(SplitReport {
        buffer,
        replies: vec![long, NEXT_REPLY.to_vec()],
        reads,
    })
}
