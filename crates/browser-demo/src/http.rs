//! HTTP/1.1 framing, by hand: where a request's header ends, how long its
//! body is, and what to do when a client lies about either.
//!
//! TCP delivers a byte stream with no boundaries (粘包). HTTP draws them in
//! two ways, the two the course knows:
//! * the header is lines of text ending at an empty line: `\r\n\r\n` is a
//!   **delimiter**, found by scanning;
//! * the body's size is announced in the header, `Content-Length: N`: a
//!   **length prefix**, the notes' `total_size`.
//!
//! HTTP/1.1 has two more ways to end a body (RFC 9112 §6.3): chunked
//! transfer coding (the body comes in pieces, each with its own length
//! prefix, and a piece of length 0 ends it), and, for a response only, the
//! server closing the connection. Some messages have no body at all, whatever
//! their headers say: the reply to HEAD, and the statuses 1xx, 204 and 304.
//! This server refuses chunked request bodies with 501: a deliberate
//! departure, since every HTTP/1.1 recipient MUST be able to decode chunked
//! (RFC 9112 §7.1). It keeps the framing to the two ways the course teaches.
//!
//! A server reads bytes from strangers, so each step has a limit: the head
//! may not exceed [`MAX_HEAD`] (431), a body may not exceed [`MAX_BODY`]
//! (413, refused *before* allocating), a half-sent head is dropped after a
//! timeout, and anything malformed gets 400. None of it may crash the server.

use crate::request::{body_length, reject};
pub use crate::request::{parse_head, Failure, Request, END_OF_HEAD, MAX_BODY, MAX_HEAD};
use std::io::{ErrorKind, Read};
use std::net::TcpStream;
use std::time::{Duration, Instant};

/// The standard reason phrase of the statuses this server sends.
pub fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        400 => "Bad Request",
        404 => "Not Found",
        405 => "Method Not Allowed",
        413 => "Content Too Large",
        431 => "Request Header Fields Too Large",
        501 => "Not Implemented",
        503 => "Service Unavailable",
        _ => "Unknown",
    }
}

/// Reads one request (head and body) from `stream`. `pending` holds bytes
/// already read past the previous request (a pipelining client may send
/// the next request before our reply); leftovers stay there for the next call.
///
/// `idle` bounds the wait for the first byte, `head_timeout` the time from
/// then until the head is complete (a client that sends half a head and
/// stalls must not hold a thread forever).
pub fn read_request(
    stream: &mut TcpStream,
    pending: &mut Vec<u8>,
    idle: Duration,
    head_timeout: Duration,
) -> Result<Request, Failure> {
    let mut deadline = Instant::now()
        + if pending.is_empty() {
            idle
        } else {
            head_timeout
        };
    let head_len = loop {
        if let Some(at) = find(pending, END_OF_HEAD) {
            break at + END_OF_HEAD.len();
        }
        if pending.len() > MAX_HEAD {
            return Err(reject(431, format!("head longer than {MAX_HEAD} bytes")));
        }
        let was_empty = pending.is_empty();
        match read_some(stream, pending, deadline) {
            Ok(0) if was_empty => return Err(Failure::Closed),
            Ok(0) => return Err(Failure::ClosedMidHead(pending.len())),
            Ok(_) if was_empty => deadline = Instant::now() + head_timeout,
            Ok(_) => {}
            Err(e) if is_timeout(&e) => return Err(Failure::TimedOut(pending.len())),
            Err(e) => return Err(Failure::Io(e)),
        }
    };
    if head_len > MAX_HEAD {
        return Err(reject(
            431,
            format!("head of {head_len} bytes, limit {MAX_HEAD}"),
        ));
    }
    let raw_head: Vec<u8> = pending.drain(..head_len).collect();
    let mut request = parse_head(raw_head)?;
    request.body_len = body_length(&request)?;
    // The body: its bytes are counted, not kept (no route here needs them).
    let mut left = request.body_len as usize;
    let from_pending = left.min(pending.len());
    pending.drain(..from_pending);
    left -= from_pending;
    let mut sink = [0u8; 4096];
    while left > 0 {
        let want = left.min(sink.len());
        match read_with_deadline(stream, &mut sink[..want], deadline) {
            Ok(0) => return Err(Failure::ClosedMidHead(head_len)),
            Ok(n) => left -= n,
            Err(e) if is_timeout(&e) => return Err(Failure::TimedOut(head_len)),
            Err(e) => return Err(Failure::Io(e)),
        }
    }
    Ok(request)
}

/// The methods this server supports; a 405 reply must list them in `Allow`
/// (RFC 9110 §15.5.6), and every server must support GET and HEAD (§9.1).
pub const ALLOWED_METHODS: &str = "GET, HEAD";

/// A complete response: status line, headers, the empty line, the body.
pub fn response(status: u16, content_type: &str, body: &[u8], keep_alive: bool) -> Vec<u8> {
    let mut out = response_head(status, content_type, body.len(), keep_alive);
    out.extend_from_slice(body);
    out
}

/// The head of a response whose body is `body_len` bytes long: what a reply
/// to HEAD sends, with the `Content-Length` a GET would get and no body.
pub fn response_head(
    status: u16,
    content_type: &str,
    body_len: usize,
    keep_alive: bool,
) -> Vec<u8> {
    let allow = if status == 405 {
        format!("Allow: {ALLOWED_METHODS}\r\n")
    } else {
        String::new()
    };
    format!(
        "HTTP/1.1 {status} {}\r\nContent-Type: {content_type}\r\nContent-Length: {body_len}\r\n\
         {allow}Cache-Control: no-store\r\nConnection: {}\r\n\r\n",
        reason(status),
        if keep_alive { "keep-alive" } else { "close" }
    )
    .into_bytes()
}

/// Where `needle` first occurs in `hay`.
pub fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// Shows a head line by line with `\r\n` made visible, the way it sits in
/// the byte stream: `GET / HTTP/1.1\r\n`.
pub fn visible_lines(head: &[u8]) -> Vec<String> {
    head.split_inclusive(|&b| b == b'\n')
        .map(|l| {
            String::from_utf8_lossy(l)
                .replace('\r', "\\r")
                .replace('\n', "\\n")
        })
        .collect()
}

fn read_some(
    stream: &mut TcpStream,
    into: &mut Vec<u8>,
    deadline: Instant,
) -> std::io::Result<usize> {
    let mut chunk = [0u8; 4096];
    let n = read_with_deadline(stream, &mut chunk, deadline)?;
    into.extend_from_slice(&chunk[..n]);
    Ok(n)
}

/// One `read()`, bounded by `SO_RCVTIMEO` set to the time left.
fn read_with_deadline(
    stream: &mut TcpStream,
    buf: &mut [u8],
    deadline: Instant,
) -> std::io::Result<usize> {
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(ErrorKind::TimedOut.into());
        }
        stream.set_read_timeout(Some(left))?;
        match stream.read(buf) {
            Err(e) if e.kind() == ErrorKind::Interrupted => continue,
            other => return other,
        }
    }
}

fn is_timeout(e: &std::io::Error) -> bool {
    matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut)
}

#[cfg(test)]
mod tests;
