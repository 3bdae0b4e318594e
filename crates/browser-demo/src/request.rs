//! A request head, taken apart: the request line (`GET / HTTP/1.1`), the
//! header lines (`Name: value`), and the body's announced length. Bytes
//! from a stranger: anything malformed is a 400, a `Content-Length` that is
//! negative or too large is refused before one byte of body is stored.

/// The longest request head we accept (request line + headers + blank line).
pub const MAX_HEAD: usize = 8 * 1024;
/// The largest request body we accept.
pub const MAX_BODY: u64 = 64 * 1024;
/// The delimiter that ends every HTTP head: an empty line.
pub const END_OF_HEAD: &[u8] = b"\r\n\r\n";

/// Why no request could be read. Each maps to what the server does next.
#[derive(Debug)]
pub enum Failure {
    /// The peer closed the connection between requests: the normal end.
    Closed,
    /// The peer closed in the middle of a head, after `n` bytes.
    ClosedMidHead(usize),
    /// No complete head within the timeout; `n` bytes had arrived.
    TimedOut(usize),
    /// Answer with this status and reason, then close.
    Reject(u16, String),
    Io(std::io::Error),
}

/// A request refused with this status and reason.
pub(crate) fn reject(status: u16, why: String) -> Failure {
    Failure::Reject(status, why)
}

/// One parsed request head.
#[derive(Clone, Debug)]
pub struct Request {
    /// The head exactly as it came off the socket, up to and including `\r\n\r\n`.
    pub raw_head: Vec<u8>,
    pub method: String,
    pub target: String,
    pub version: String,
    pub headers: Vec<(String, String)>,
    /// The body's length, as announced by `Content-Length` (0 if absent).
    pub body_len: u64,
}

impl Request {
    /// The first value of header `name` (case-insensitive, as HTTP says).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// `GET / HTTP/1.1`
    pub fn request_line(&self) -> String {
        format!("{} {} {}", self.method, self.target, self.version)
    }

    /// Does the client want the connection kept open after the reply?
    pub fn keep_alive(&self) -> bool {
        let conn = self.header("Connection").unwrap_or("").to_ascii_lowercase();
        match self.version.as_str() {
            "HTTP/1.1" => !conn.contains("close"),
            _ => conn.contains("keep-alive"),
        }
    }
}

/// Splits the head into request line and headers; 400 if malformed.
pub fn parse_head(raw_head: Vec<u8>) -> Result<Request, Failure> {
    let text = std::str::from_utf8(&raw_head)
        .map_err(|_| reject(400, "head is not UTF-8 text".into()))?
        .to_string();
    let mut lines = text[..text.len() - END_OF_HEAD.len()].split("\r\n");
    let line = lines.next().unwrap_or("");
    let parts: Vec<&str> = line.split(' ').collect();
    let [method, target, version] = parts[..] else {
        return Err(reject(
            400,
            format!("request line {line:?} is not METHOD TARGET VERSION"),
        ));
    };
    if method.is_empty() || method.len() > 16 || !method.bytes().all(|b| b.is_ascii_uppercase()) {
        return Err(reject(400, format!("bad method {method:?}")));
    }
    if !target.starts_with('/') || target.bytes().any(|b| b.is_ascii_control()) {
        return Err(reject(400, format!("bad target {target:?}")));
    }
    if version != "HTTP/1.1" && version != "HTTP/1.0" {
        return Err(reject(400, format!("bad version {version:?}")));
    }
    let mut headers = Vec::new();
    for l in lines {
        let Some((name, value)) = l.split_once(':') else {
            return Err(reject(400, format!("header line {l:?} has no ':'")));
        };
        if name.is_empty() || name.bytes().any(|b| !b.is_ascii_graphic()) {
            return Err(reject(400, format!("bad header name {name:?}")));
        }
        headers.push((name.to_string(), value.trim().to_string()));
    }
    Ok(Request {
        raw_head,
        method: method.into(),
        target: target.into(),
        version: version.into(),
        headers,
        body_len: 0,
    })
}

/// `Content-Length`, checked before a single body byte is read or stored.
/// A request without it has no body (a request is never ended by close).
/// `Transfer-Encoding` gets 501: HTTP/1.1 requires every recipient to decode
/// chunked (RFC 9112 §7.1), so this is a deliberate departure, to keep the
/// demo's framing to a delimiter and a length prefix.
pub(crate) fn body_length(request: &Request) -> Result<u64, Failure> {
    if request.header("Transfer-Encoding").is_some() {
        return Err(reject(
            501,
            "Transfer-Encoding (chunked bodies) not supported here, on purpose".into(),
        ));
    }
    let values: Vec<&str> = request
        .headers
        .iter()
        .filter(|(n, _)| n.eq_ignore_ascii_case("Content-Length"))
        .map(|(_, v)| v.as_str())
        .collect();
    let Some(first) = values.first() else {
        return Ok(0);
    };
    if values.iter().any(|v| v != first) {
        return Err(reject(400, "conflicting Content-Length headers".into()));
    }
    if first.is_empty() || !first.bytes().all(|b| b.is_ascii_digit()) {
        return Err(reject(
            400,
            format!("Content-Length {first:?} is not a non-negative integer"),
        ));
    }
    match first.parse::<u64>() {
        Ok(n) if n <= MAX_BODY => Ok(n),
        _ => Err(reject(
            413,
            format!("Content-Length {first} exceeds {MAX_BODY} bytes"),
        )),
    }
}
