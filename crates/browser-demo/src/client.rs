//! The client side, written by hand: it sends the lines a browser sends,
//! two requests on ONE connection (keep-alive), then reads the replies as
//! what TCP delivers: one byte stream. Where reply 1 ends and reply 2
//! begins is known only from reply 1's `Content-Length` — the sticky-packet
//! problem, solved with a length prefix, as in lesson 06.

use crate::http::{self, find, END_OF_HEAD};
use crate::server::Event;
use crossbeam_channel::Receiver;
use demo_kit::say::{say, show_bytes};
use demo_kit::{bail_msg, tr, Context, Result, Side};
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

/// How long any step waits for the server before giving up.
const WAIT: Duration = Duration::from_secs(10);

/// One reply cut out of the stream.
#[derive(Clone, Debug)]
pub struct Reply {
    pub head: Vec<u8>,
    pub status: u16,
    pub content_length: usize,
    pub body: Vec<u8>,
}

/// What the keep-alive run observed.
#[derive(Debug)]
pub struct KeepAlive {
    pub local: SocketAddr,
    /// The server's (connection number, request number) for each request.
    pub served_as: Vec<(u64, u64)>,
    /// Bytes the server reported sending, per reply.
    pub reply_lens: Vec<usize>,
    /// What ONE read() returned after both replies had arrived.
    pub one_read: usize,
    pub replies: Vec<Reply>,
}

/// The head a browser sends for `path` (the same lines, in the same order).
pub fn browser_request(server: SocketAddr, path: &str) -> Vec<u8> {
    format!(
        "GET {path} HTTP/1.1\r\nHost: {server}\r\nConnection: keep-alive\r\n\
         User-Agent: Mozilla/5.0 (X11; Linux x86_64) browser-demo/0.1 (a hand-written client)\r\n\
         Accept: text/html,*/*;q=0.8\r\nAccept-Language: en,zh-CN;q=0.9\r\n\r\n"
    )
    .into_bytes()
}

/// Two requests on one connection, both replies read as one stream.
pub fn keep_alive(server: SocketAddr, events: &Receiver<Event>) -> Result<KeepAlive> {
    let mut stream = TcpStream::connect(server)
        .context(tr!("connect() to the server", "connect() 连接服务端"))?;
    let local = stream.local_addr()?;
    say(
        Side::Client,
        tr!(
            "connect() from {local} to {server}: one TCP connection",
            "connect() 从 {local} 连到 {server}：一个 TCP 连接"
        ),
    );
    let (mut served_as, mut reply_lens) = (Vec::new(), Vec::new());
    for path in ["/", "/data"] {
        let request = browser_request(server, path);
        stream
            .write_all(&request)
            .context(tr!("write() of the request", "write() 发送请求"))?;
        say(
            Side::Client,
            tr!(
                "write() {} bytes, the request for {path}:",
                "write() {} 个字节，请求 {path}：",
                request.len()
            ),
        );
        for line in http::visible_lines(&request) {
            let mark = if line == "\\r\\n" {
                tr!(
                    "   <- empty line: the header ends here (a delimiter)",
                    "   <- 空行：报头到此结束（一个分隔符）"
                )
            } else {
                String::new()
            };
            say(Side::Client, format!("    {line}{mark}"));
        }
        let (conn, nth, status, len) = wait_served(events)?;
        say(
            Side::Server,
            tr!(
                "connection #{conn}, request #{nth}: answered {status} with {len} bytes (I read up to the empty line)",
                "连接 #{conn}，请求 #{nth}：回复 {status}，共 {len} 个字节（我读到空行为止）"
            ),
        );
        served_as.push((conn, nth));
        reply_lens.push(len);
    }
    // Both replies have been written; wait until the kernel has them all
    // queued for us, then ONE read(): it returns both, glued together.
    let total: usize = reply_lens.iter().sum();
    demo_kit::sock::wait_queued(&stream, total, WAIT)?.context(tr!(
        "the replies did not arrive in time",
        "回复没有按时到达"
    ))?;
    let mut buf = vec![0u8; 64 * 1024];
    stream.set_read_timeout(Some(WAIT))?;
    let one_read = stream
        .read(&mut buf)
        .context(tr!("read() of the replies", "read() 读取回复"))?;
    say(
        Side::Kernel,
        tr!(
            "ONE read() returned {one_read} bytes: both replies, no boundary between them",
            "一次 read() 就返回了 {one_read} 个字节：两个回复连在一起，中间没有边界"
        ),
    );
    let replies = split_replies(&buf[..one_read])?;
    let mut offset = 0;
    for (i, r) in replies.iter().enumerate() {
        say(
            Side::Client,
            tr!(
                "reply {}: bytes {offset}..{}: status {}, head {} bytes up to the empty line, then Content-Length: {} body bytes",
                "回复 {}：第 {offset}..{} 字节：状态码 {}，到空行为止的报头 {} 个字节，然后是 Content-Length 给出的 {} 个字节的正文",
                i + 1,
                offset + r.head.len() + r.body.len(),
                r.status,
                r.head.len(),
                r.content_length
            ),
        );
        offset += r.head.len() + r.body.len();
    }
    let last = replies.last().map(|r| r.body.clone()).unwrap_or_default();
    say(
        Side::Client,
        tr!("reply 2's body: {}", "回复 2 的正文：{}", show_bytes(&last)),
    );
    Ok(KeepAlive {
        local,
        served_as,
        reply_lens,
        one_read,
        replies,
    })
}

/// Cuts complete replies out of `stream`: the head ends at `\r\n\r\n`,
/// then exactly `Content-Length` body bytes follow. Enough for replies to
/// GET from this server; a general client must also know the request's
/// method and the status: a reply to HEAD, and 1xx, 204 and 304 replies,
/// have no body whatever their headers say, and a body may also be chunked
/// or end when the server closes (RFC 9112 §6.3).
pub fn split_replies(mut stream: &[u8]) -> Result<Vec<Reply>> {
    let mut replies = Vec::new();
    while !stream.is_empty() {
        let Some(at) = find(stream, END_OF_HEAD) else {
            return bail_msg(tr!(
                "{} bytes left with no complete head",
                "还剩 {} 个字节，却没有完整的报头",
                stream.len()
            ));
        };
        let head = &stream[..at + END_OF_HEAD.len()];
        let text = String::from_utf8_lossy(head);
        let status = text
            .split(' ')
            .nth(1)
            .and_then(|s| s.parse().ok())
            .context(tr!("reply has no status", "回复里没有状态码"))?;
        let content_length: usize = text
            .lines()
            .find_map(|l| l.strip_prefix("Content-Length:"))
            .and_then(|v| v.trim().parse().ok())
            .context(tr!(
                "reply has no Content-Length",
                "回复里没有 Content-Length"
            ))?;
        let end = head.len() + content_length;
        if stream.len() < end {
            return bail_msg(tr!(
                "the stream ends inside a body",
                "字节流在正文中间就结束了"
            ));
        }
        replies.push(Reply {
            head: head.to_vec(),
            status,
            content_length,
            body: stream[head.len()..end].to_vec(),
        });
        stream = &stream[end..];
    }
    Ok(replies)
}

/// Sends raw bytes on a new connection and reads until the server closes:
/// what a bad client gets back.
pub fn send_raw(server: SocketAddr, bytes: &[u8]) -> Result<Vec<u8>> {
    let mut stream = TcpStream::connect(server)
        .context(tr!("connect() to the server", "connect() 连接服务端"))?;
    stream.set_read_timeout(Some(WAIT))?;
    // The server may answer and close before we finish writing a huge head.
    let _ = stream.write_all(bytes);
    let mut reply = Vec::new();
    let _ = stream.read_to_end(&mut reply);
    Ok(reply)
}

/// Waits for the server's next `Served` event.
pub fn wait_served(events: &Receiver<Event>) -> Result<(u64, u64, u16, usize)> {
    loop {
        match events.recv_timeout(WAIT) {
            Ok(Event::Served {
                conn,
                nth,
                status,
                reply_len,
                ..
            }) => return Ok((conn, nth, status, reply_len)),
            Ok(_) => continue,
            Err(_) => {
                return bail_msg(tr!(
                    "the server did not answer within 10 s",
                    "服务端 10 s 内没有回复"
                ))
            }
        }
    }
}

/// Bad requests, each on a new connection; then a good one, to show the
/// server still serves.
pub fn bad_requests(addr: SocketAddr, events: &Receiver<Event>) -> Result<()> {
    let big = format!("GET / HTTP/1.1\r\nX-Big: {}\r\n\r\n", "a".repeat(9000));
    let cases: [(String, Vec<u8>); 4] = [
        (
            tr!("a malformed request line", "一个格式错误的请求行"),
            b"HELLO SERVER\r\n\r\n".to_vec(),
        ),
        (tr!("a 9 KiB header", "一个 9 KiB 的报头"), big.into_bytes()),
        (
            tr!("Content-Length: -5", "带 Content-Length: -5 的请求"),
            b"POST / HTTP/1.1\r\nContent-Length: -5\r\n\r\n".to_vec(),
        ),
        (
            tr!("Content-Length: 10^20", "带 Content-Length: 10^20 的请求"),
            b"POST / HTTP/1.1\r\nContent-Length: 100000000000000000000\r\n\r\n".to_vec(),
        ),
    ];
    for (what, bytes) in cases {
        let reply = send_raw(addr, &bytes)?;
        let status_line = String::from_utf8_lossy(&reply)
            .lines()
            .next()
            .map(|l| format!("{l:?}"))
            .unwrap_or_else(|| format!("{:?}", tr!("(nothing)", "（什么也没有）")));
        say(
            Side::Client,
            tr!(
                "sent {what} ({} bytes); got {status_line}, then end-of-file",
                "发送{what}（{} 个字节）；收到 {status_line}，然后是文件结束（EOF）",
                bytes.len()
            ),
        );
    }
    let reply = send_raw(addr, b"GET /data HTTP/1.1\r\nConnection: close\r\n\r\n")?;
    let ok = split_replies(&reply)?;
    let status = ok.first().map(|r| r.status).context(tr!(
        "no reply to the last request",
        "最后一个请求没有收到回复"
    ))?;
    say(
        Side::Client,
        tr!(
            "and a good request afterwards: status {status}: the server is still serving",
            "之后再发一个正常的请求：状态码 {status}：服务端仍在正常服务"
        ),
    );
    let refused = events
        .try_iter()
        .filter(|e| matches!(e, Event::Refused { .. }))
        .count();
    say(
        Side::Server,
        tr!(
            "I refused {refused} requests and closed those connections; nothing crashed",
            "我拒绝了 {refused} 个请求，并关闭了这些连接；没有任何崩溃"
        ),
    );
    Ok(())
}
