//! The client side, written by hand: it sends the lines a browser sends,
//! two requests on ONE connection (keep-alive), then reads the replies as
//! what TCP delivers: one byte stream. Where reply 1 ends and reply 2
//! begins is known only from reply 1's `Content-Length` — the sticky-packet
//! problem, solved with a length prefix, as in lesson 06.

use crate::http::{self, find, END_OF_HEAD};
use crate::server::Event;
use crossbeam_channel::Receiver;
use demo_kit::say::{say, show_bytes};
use demo_kit::{bail_msg, Context, Result, Side};
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
    let mut stream = TcpStream::connect(server).context("connect() to the server")?;
    let local = stream.local_addr()?;
    say(
        Side::Client,
        format!("connect() from {local} to {server}: one TCP connection"),
    );
    let (mut served_as, mut reply_lens) = (Vec::new(), Vec::new());
    for path in ["/", "/data"] {
        let request = browser_request(server, path);
        stream
            .write_all(&request)
            .context("write() of the request")?;
        say(
            Side::Client,
            format!("write() {} bytes, the request for {path}:", request.len()),
        );
        for line in http::visible_lines(&request) {
            let mark = if line == "\\r\\n" {
                "   <- empty line: the header ends here (a delimiter)"
            } else {
                ""
            };
            say(Side::Client, format!("    {line}{mark}"));
        }
        let (conn, nth, status, len) = wait_served(events)?;
        say(Side::Server, format!("connection #{conn}, request #{nth}: answered {status} with {len} bytes (I read up to the empty line)"));
        served_as.push((conn, nth));
        reply_lens.push(len);
    }
    // Both replies have been written; wait until the kernel has them all
    // queued for us, then ONE read(): it returns both, glued together.
    let total: usize = reply_lens.iter().sum();
    demo_kit::sock::wait_queued(&stream, total, WAIT)?
        .context("the replies did not arrive in time")?;
    let mut buf = vec![0u8; 64 * 1024];
    stream.set_read_timeout(Some(WAIT))?;
    let one_read = stream.read(&mut buf).context("read() of the replies")?;
    say(
        Side::Kernel,
        format!("ONE read() returned {one_read} bytes: both replies, no boundary between them"),
    );
    let replies = split_replies(&buf[..one_read])?;
    let mut offset = 0;
    for (i, r) in replies.iter().enumerate() {
        say(Side::Client, format!(
            "reply {}: bytes {offset}..{}: status {}, head {} bytes up to the empty line, then Content-Length: {} body bytes",
            i + 1, offset + r.head.len() + r.body.len(), r.status, r.head.len(), r.content_length));
        offset += r.head.len() + r.body.len();
    }
    let last = replies.last().map(|r| r.body.clone()).unwrap_or_default();
    say(
        Side::Client,
        format!("reply 2's body: {}", show_bytes(&last)),
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
            return bail_msg(format!("{} bytes left with no complete head", stream.len()));
        };
        let head = &stream[..at + END_OF_HEAD.len()];
        let text = String::from_utf8_lossy(head);
        let status = text
            .split(' ')
            .nth(1)
            .and_then(|s| s.parse().ok())
            .context("reply has no status")?;
        let content_length: usize = text
            .lines()
            .find_map(|l| l.strip_prefix("Content-Length:"))
            .and_then(|v| v.trim().parse().ok())
            .context("reply has no Content-Length")?;
        let end = head.len() + content_length;
        if stream.len() < end {
            return bail_msg("the stream ends inside a body");
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
    let mut stream = TcpStream::connect(server).context("connect() to the server")?;
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
            Err(_) => return bail_msg("the server did not answer within 10 s"),
        }
    }
}

/// Bad requests, each on a new connection; then a good one, to show the
/// server still serves.
pub fn bad_requests(addr: SocketAddr, events: &Receiver<Event>) -> Result<()> {
    let big = format!("GET / HTTP/1.1\r\nX-Big: {}\r\n\r\n", "a".repeat(9000));
    let cases: [(&str, Vec<u8>); 4] = [
        ("a malformed request line", b"HELLO SERVER\r\n\r\n".to_vec()),
        ("a 9 KiB header", big.into_bytes()),
        (
            "Content-Length: -5",
            b"POST / HTTP/1.1\r\nContent-Length: -5\r\n\r\n".to_vec(),
        ),
        (
            "Content-Length: 10^20",
            b"POST / HTTP/1.1\r\nContent-Length: 100000000000000000000\r\n\r\n".to_vec(),
        ),
    ];
    for (what, bytes) in cases {
        let reply = send_raw(addr, &bytes)?;
        let status_line = String::from_utf8_lossy(&reply)
            .lines()
            .next()
            .unwrap_or("(nothing)")
            .to_string();
        say(
            Side::Client,
            format!(
                "sent {what} ({} bytes); got {status_line:?}, then end-of-file",
                bytes.len()
            ),
        );
    }
    let reply = send_raw(addr, b"GET /data HTTP/1.1\r\nConnection: close\r\n\r\n")?;
    let ok = split_replies(&reply)?;
    let status = ok
        .first()
        .map(|r| r.status)
        .context("no reply to the last request")?;
    say(
        Side::Client,
        format!("and a good request afterwards: status {status}: the server is still serving"),
    );
    let refused = events
        .try_iter()
        .filter(|e| matches!(e, Event::Refused { .. }))
        .count();
    say(
        Side::Server,
        format!("I refused {refused} requests and closed those connections; nothing crashed"),
    );
    Ok(())
}
