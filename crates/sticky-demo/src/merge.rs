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
use demo_kit::{tr, Context, Result, Side};
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
        tr!(
            "nodelay: the same, with TCP_NODELAY (Nagle's algorithm off)",
            "nodelay：同样的实验，打开 TCP_NODELAY（关掉 Nagle 算法）"
        )
    } else {
        tr!(
            "merge: several small sends, one read",
            "merge：几次小的发送，一次读完"
        )
    });
    let pair = loopback_pair(false)?;
    pair.client
        .set_nodelay(nodelay)
        .context("setsockopt(TCP_NODELAY)")?;
    let segments_before = tcp_info(&pair.client).ok().map(|i| i.tcpi_data_segs_out);

    step(
        1,
        tr!(
            "the client sends {} messages, one write() each",
            "客户端发送 {} 条消息，每条一次 write()",
            messages.len()
        ),
    );
    let mut client = &pair.client;
    for msg in messages {
        // One write() per message: the "separate sends" of the course.
        let n = client
            .write(msg)
            .context(tr!("client write", "客户端 write"))?;
        if n != msg.len() {
            return demo_kit::bail_msg(tr!(
                "short write: {n} of {} bytes",
                "write 没写完：只写了 {n} 字节，共 {} 字节",
                msg.len()
            ));
        }
        let (shown, b) = (show_bytes(msg), bytes(n));
        say(
            Side::Client,
            tr!("write({shown}) -> {b}", "write({shown}) -> {n} 字节"),
        );
    }
    let nodelay = getsockopt(&pair.client, TcpNoDelay).context("getsockopt(TCP_NODELAY)")?;
    say(
        Side::Kernel,
        if nodelay {
            tr!(
                "TCP_NODELAY on the client socket, read back: on",
                "从内核读回客户端套接字的 TCP_NODELAY：开"
            )
        } else {
            tr!(
                "TCP_NODELAY on the client socket, read back: off",
                "从内核读回客户端套接字的 TCP_NODELAY：关"
            )
        },
    );
    let total: usize = messages.iter().map(|m| m.len()).sum();
    let queued = wait_queued(&pair.server, total, ARRIVAL_TIMEOUT)
        .context(tr!(
            "ioctl(FIONREAD) on the server socket",
            "服务端套接字上的 ioctl(FIONREAD)"
        ))?
        .with_context(|| {
            tr!(
                "not all {total} bytes arrived within {ARRIVAL_TIMEOUT:?}",
                "{ARRIVAL_TIMEOUT:?} 内没有收齐全部 {total} 字节"
            )
        })?;
    let segments_after = tcp_info(&pair.client).ok().map(|i| i.tcpi_data_segs_out);
    let data_segments = segments_before.zip(segments_after).map(|(a, b)| b - a);
    if let Some(segs) = data_segments {
        say(
            Side::Kernel,
            tr!(
                "data segments the client sent for them (TCP_INFO): {segs}",
                "客户端为它们发出的数据报文段（TCP_INFO）：{segs} 个"
            ),
        );
    }

    step(
        2,
        tr!(
            "the server is a little late: the bytes wait in its receive buffer",
            "服务端慢了一步，字节都在它的接收缓冲区里等着"
        ),
    );
    say(
        Side::Kernel,
        tr!(
            "FIONREAD on the server socket: {queued} bytes waiting",
            "服务端套接字上的 FIONREAD：有 {queued} 字节等着读"
        ),
    );

    step(
        3,
        tr!(
            "the server reads once, like the course's conn.recv(1024)",
            "服务端只读一次，就像课程里的 conn.recv(1024)"
        ),
    );
    let mut buf = [0u8; 1024];
    let n = (&pair.server)
        .read(&mut buf)
        .context(tr!("server read", "服务端 read"))?;
    let got = &buf[..n];
    say(
        Side::Server,
        tr!(
            "recv(1024) returned {n} bytes: {}",
            "recv(1024) 返回了 {n} 字节：{}",
            show_bytes(got)
        ),
    );
    let sent: Vec<Vec<u8>> = messages.iter().map(|m| m.to_vec()).collect();
    say(
        Side::Server,
        tr!(
            "where the messages really ended: {}",
            "消息原本的边界：{}",
            show_boundaries(got, &sent, 0)
        ),
    );
    say(
        Side::Note,
        tr!(
            "{} messages went in, one read returned {} of them stuck together.",
            "发进去 {} 条消息，一次读就拿到了其中 {} 条，全粘在一起。",
            sent.len(),
            messages_inside(n, &sent)
        ),
    );
    if nodelay {
        let segs = data_segments
            .map(|s| {
                tr!(
                    " ({s} separate segments on the wire)",
                    "（线路上是 {s} 个独立的报文段）"
                )
            })
            .unwrap_or_default();
        say(
            Side::Note,
            tr!(
                "Nagle was off{segs}, and they still stuck: the receive buffer is one byte stream.",
                "Nagle 算法关掉了{segs}，数据照样粘在一起：接收缓冲区就是一条字节流。"
            ),
        );
    } else {
        say(
            Side::Note,
            tr!(
                "TCP kept every byte, in order, but not where one send() ended and the next began.",
                "TCP 按顺序保留了每一个字节，却不记得一次 send() 在哪里结束、下一次从哪里开始。"
            ),
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
