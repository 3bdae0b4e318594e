// Exercise `http_split` — lesson 02, C/S and B/S (C/S 架构 / B/S 架构):
// docs/02-client-server-browser.md
//
// A browser keeps one TCP connection open (keep-alive) and sends request
// after request on it. The replies come back on ONE byte stream, with
// nothing between them: this is the sticky-packet problem (粘包), and HTTP
// solves it with both of the course's tools:
//   * a reply's head ends at the first empty line, "\r\n\r\n" (a delimiter);
//   * then exactly `Content-Length` bytes of body follow (a length prefix,
//     the notes' total_size).
//
// Write `read_reply`: read ONE reply from `conn` with `read()` and return it.
//   * `pending` holds bytes read earlier but not used yet: use them first.
//     Whatever you read past the end of this reply is the start of the next
//     one: leave it in `pending` (do not lose it, do not wait for more).
//   * `parse_head` (done) turns the head's text into the status and headers.
//   * No `Content-Length`, or one that is not a number: `InvalidData`.
//   * A head longer than MAX_HEAD bytes without "\r\n\r\n": `InvalidData`
//     (stop reading: never buffer a stranger's endless head).
//   * The peer closes before the reply is complete: `UnexpectedEof`.
// The tests run a real server on 127.0.0.1 that writes the replies glued
// together, cut at odd places, or broken.

use std::io::{self, Read};
use std::net::TcpStream;

/// The longest head we accept.
const MAX_HEAD: usize = 8 * 1024;

/// One reply.
#[derive(Debug, PartialEq)]
struct Reply {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Reply {
    /// A header's value; names are case-insensitive in HTTP.
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// `HTTP/1.1 200 OK\r\nName: value\r\n...` (without the final empty line)
/// → (200, [("Name", "value"), ...]).
fn parse_head(head: &str) -> io::Result<(u16, Vec<(String, String)>)> {
    let bad = |why: &str| io::Error::new(io::ErrorKind::InvalidData, why.to_string());
    let mut lines = head.split("\r\n");
    let status_line = lines.next().unwrap_or("");
    let status = status_line
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| bad("no status code"))?;
    let mut headers = Vec::new();
    for line in lines {
        let (name, value) = line
            .split_once(':')
            .ok_or_else(|| bad("header without ':'"))?;
        headers.push((name.to_string(), value.trim().to_string()));
    }
    Ok((status, headers))
}

/// Reads one reply from `conn`; see the top of the file.
fn read_reply(conn: &mut TcpStream, pending: &mut Vec<u8>) -> io::Result<Reply> {
    let invalid = |why: String| io::Error::new(io::ErrorKind::InvalidData, why);
    let eof = || io::Error::new(io::ErrorKind::UnexpectedEof, "closed mid-reply");
    let mut chunk = [0u8; 4096];
    // 1. The head: read until the delimiter "\r\n\r\n" is in `pending`.
    let head_end = loop {
        if let Some(at) = pending.windows(4).position(|w| w == b"\r\n\r\n") {
            break at;
        }
        if pending.len() > MAX_HEAD {
            return Err(invalid(format!("no end of head in {MAX_HEAD} bytes")));
        }
        let n = conn.read(&mut chunk)?;
        if n == 0 {
            return Err(eof());
        }
        pending.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&pending[..head_end]).into_owned();
    let (status, headers) = parse_head(&head)?;
    pending.drain(..head_end + 4);
    // 2. The body: exactly Content-Length bytes, the length prefix.
    let length = headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case("Content-Length"))
        .ok_or_else(|| invalid("no Content-Length".into()))?
        .1
        .parse::<usize>()
        .map_err(|e| invalid(format!("bad Content-Length: {e}")))?;
    while pending.len() < length {
        let want = (length - pending.len()).min(chunk.len());
        let n = conn.read(&mut chunk[..want])?;
        if n == 0 {
            return Err(eof());
        }
        pending.extend_from_slice(&chunk[..n]);
    }
    let body = pending.drain(..length).collect();
    Ok(Reply {
        status,
        headers,
        body,
    })
}

// The tests are the exercise's own, kept once: see exercises/02_client_server/http_split.rs.
// (`cargo run -p course -- verify` runs them against this solution.)
