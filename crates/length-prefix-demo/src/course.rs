//! The course's own header dictionary, and a real header + body message.
//!
//! The notes pack this dictionary (自定义报头, "custom header"):
//!
//! ```text
//! header_dic = {'filename': 'a.txt', 'total_size': 1111231312…2223 (440 digits), 'hash': 'asdf123123x123213x'}
//! header_bytes = json.dumps(header_dic).encode('utf-8')
//! obj = struct.pack('i', len(header_bytes))      # b'\xfb\x01\x00\x00', i.e. 507
//! ```
//!
//! We rebuild those header bytes exactly as Python's `json.dumps` writes
//! them (`", "` and `": "` separators, keys in insertion order), pack the
//! length both ways, and send the frame over TCP. Our reader then *refuses*
//! it: a 440-digit number does not even parse (it is beyond an `f64`), and
//! a size that does parse, like 10^18, is checked against the body limit
//! before anything is allocated.
//!
//! Then a message that is real: the same kind of header with a body, whose
//! `total_size` `write_message` fills in from the body itself.
//!
//! The notes' `'hash': 'asdf123123x123213x'` is a placeholder: the notes
//! never compute a hash. We keep it byte for byte (the 507 depends on it).

use crate::kernel;
use crate::link::{self, Recorder, TIMEOUT};
use crate::message::{read_body, read_header, HeaderSeen};
use crate::python_format;
use crate::tell::{self, same, tail};
use demo_kit::say::{heading, hex, say, show_bytes};
use demo_kit::sock::wait_queued;
use demo_kit::Side;
use demo_kit::{Context, Result};
use framing::{Codec, Prefix};
use serde_json::json;

/// The notes' `total_size`, digit for digit (440 digits: a joke number).
pub const NOTES_TOTAL_SIZE: &str = concat!(
    "11112313123212222222222222222222222222222222222222222222222222222221111111111111",
    "11111111111111111111111111111111111111111111111111111111111111111111111111111111",
    "11111111111111111111111111111111111111111312222222222222222222222222222222222222",
    "22222222222222222222222222222222222222222222222222222222222222222222222222222222",
    "22222222222222222222222222222222222222222222222222222222222222222222222222222222",
    "2222222222222222222222222222222222222223",
);

/// The notes' `hash` value (a placeholder, not a real hash).
pub const NOTES_HASH: &str = "asdf123123x123213x";

/// A `total_size` that fits in a `u64` but in no memory: 10^18 bytes.
pub const HUGE_SIZE: u64 = 1_000_000_000_000_000_000;

/// The body of the real message: the contents of "a.txt".
pub const A_TXT: &[u8] = "hello from a.txt\n你好 (UTF-8 works too)\n".as_bytes();

/// The notes' header exactly as Python's `json.dumps(header_dic)` writes it.
pub fn notes_header_bytes() -> Vec<u8> {
    format!(r#"{{"filename": "a.txt", "total_size": {NOTES_TOTAL_SIZE}, "hash": "{NOTES_HASH}"}}"#)
        .into_bytes()
}

/// What happened in the course-header scenario.
#[derive(Clone, Debug, PartialEq)]
pub struct CourseReport {
    pub codec: Codec,
    /// The notes' header bytes (Python's `json.dumps` format).
    pub notes_header: Vec<u8>,
    /// `struct.pack('i', len)` — the course's prefix.
    pub notes_prefix_le: [u8; 4],
    /// `struct.pack('!I', len)` — network byte order.
    pub notes_prefix_be: [u8; 4],
    /// `struct.unpack('i', prefix)` — the length decoded back.
    pub notes_unpacked: u64,
    /// The prefix + header bytes the server found queued (peeked).
    pub notes_on_wire: Vec<u8>,
    /// What our reader said about the notes' header.
    pub notes_verdict: String,
    /// What `read_message` says about a header that parses but claims
    /// [`HUGE_SIZE`] body bytes (checked in memory, nothing is sent).
    pub huge_verdict: String,
    /// The real message's prefix and header as read from the socket.
    pub message: HeaderSeen,
    /// The body sent, and the body received.
    pub body_sent: Vec<u8>,
    pub body_received: Vec<u8>,
}

/// Runs the scenario.
pub fn run(codec: Codec) -> Result<CourseReport> {
    heading("course-header: the notes' header dictionary, byte for byte");
    let notes_header = notes_header_bytes();
    let n = notes_header.len();
    say(
        Side::Note,
        format!(
            "header_dic = {{'filename': 'a.txt', 'total_size': {}…{} ({} digits), 'hash': '{}'}}",
            &NOTES_TOTAL_SIZE[..12],
            &NOTES_TOTAL_SIZE[NOTES_TOTAL_SIZE.len() - 4..],
            NOTES_TOTAL_SIZE.len(),
            NOTES_HASH
        ),
    );
    say(
        Side::Note,
        format!(
            "json.dumps(header_dic).encode('utf-8') -> {n} bytes: {}…{}",
            show_bytes(&notes_header[..48]),
            tail(&notes_header)
        ),
    );
    let notes_prefix_le = Prefix::CourseLe
        .encode(n)
        .context("packing the notes' header length")?;
    say(Side::Note, format!("struct.pack('i', {n})  -> {} {}   hex {}: little-endian, low byte first ({n} = 0x{n:08x})", show_bytes(&notes_prefix_le), notes_prefix_le.len(), hex(&notes_prefix_le)));
    let notes_prefix_be = Prefix::NetworkBe
        .encode(n)
        .context("packing the notes' header length")?;
    say(
        Side::Note,
        format!(
            "struct.pack('!I', {n}) -> {} {}   hex {}: network order, high byte first",
            show_bytes(&notes_prefix_be),
            notes_prefix_be.len(),
            hex(&notes_prefix_be)
        ),
    );
    let notes_unpacked = Prefix::CourseLe
        .decode(notes_prefix_le)
        .context("unpacking the prefix")?;
    say(
        Side::Note,
        format!(
            "struct.unpack('i', {}) -> ({notes_unpacked},)",
            show_bytes(&notes_prefix_le)
        ),
    );

    // Round 1: the notes' header, framed the course's way, over TCP.
    let header = notes_header.clone();
    let link = link::start(move |stream| {
        codec
            .write_frame(stream, &header)
            .context("client: sending the notes' header")?;
        say(
            Side::Client,
            format!(
                "sent the {} prefix + the {}-byte header (no body: 10^439 bytes fit nowhere)",
                python_format(codec.prefix()),
                header.len()
            ),
        );
        Ok(4 + header.len())
    })?;
    let (server, written) = link.join_client()?;
    wait_queued(&server, written, TIMEOUT)
        .context("server: ioctl(FIONREAD)")?
        .with_context(|| format!("server: the header was not queued within {TIMEOUT:?}"))?;
    let notes_on_wire = kernel::peek(&server, written).context("server: recv(MSG_PEEK)")?;
    say(
        Side::Server,
        format!(
            "on the wire ({} bytes, peeked): {} | {} ...",
            notes_on_wire.len(),
            hex(&notes_on_wire[..4]),
            hex(&notes_on_wire[4..20])
        ),
    );
    let notes_verdict = match codec.read_header(&mut &server) {
        Ok(Some(h)) => format!("accepted: {}", serde_json::Value::Object(h)),
        Ok(None) => "the stream ended before a header".to_string(),
        Err(e) => format!("rejected: {e}"),
    };
    say(Side::Server, format!("read_header: {notes_verdict}"));
    if notes_verdict.contains("out of range") {
        say(Side::Note, "a 440-digit number does not even fit a JSON parser's f64 (max about 1.8e308): the notes' header is refused, not obeyed");
    }

    // A header that parses but claims an absurd body: refused before any
    // allocation (the body would be 10^18 bytes; none follow).
    let mut huge = Vec::new();
    let huge_verdict = match codec
        .write_frame(
            &mut huge,
            format!(r#"{{"total_size": {HUGE_SIZE}}}"#).as_bytes(),
        )
        .map_err(demo_kit::Error::from)
        .and_then(|()| codec.read_message(&mut &huge[..]).map_err(Into::into))
    {
        Ok(_) => "accepted (!)".to_string(),
        Err(e) => format!("rejected: {e}"),
    };
    say(
        Side::Note,
        format!(
            "a size that does parse is checked before anything is allocated — read_message on a header with total_size {HUGE_SIZE}: {huge_verdict}"
        ),
    );

    // Round 2: a real message — header + body — on a new connection.
    heading("course-header: a real header + body");
    let body_sent = A_TXT.to_vec();
    let body = body_sent.clone();
    let link = link::start(move |stream| {
        codec
            .write_message(
                stream,
                json!({"filename": "a.txt", "hash": NOTES_HASH}),
                &body,
            )
            .context("client: sending a.txt")?;
        say(Side::Client, format!("write_message({{\"filename\": \"a.txt\", \"hash\": \"{}\"}}, body of {} bytes): total_size is filled in from the body", NOTES_HASH, body.len()));
        Ok(())
    })?;
    let (server, ()) = link.join_client()?;
    let mut reader = Recorder::new(&server);
    let message = read_header(codec, &mut reader)?;
    tell::header_seen("a.txt", codec, &message);
    let size = framing::total_size(&message.header).context("server: the header")?;
    let body_received = read_body(&mut reader, size).context("server: reading the body")?;
    say(
        Side::Server,
        format!(
            "body ({} bytes): {} — {}",
            body_received.len(),
            show_bytes(&body_received),
            same(&body_received, &body_sent)
        ),
    );
    say(
        Side::Server,
        format!("as text: {:?}", String::from_utf8_lossy(&body_received)),
    );
    Ok(CourseReport {
        codec,
        notes_header,
        notes_prefix_le,
        notes_prefix_be,
        notes_unpacked,
        notes_on_wire,
        notes_verdict,
        huge_verdict,
        message,
        body_sent,
        body_received,
    })
}
