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
use demo_kit::{tr, Context, Result};
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
    heading(tr!(
        "course-header: the notes' header dictionary, byte for byte",
        "course-header：笔记里的报头字典，逐字节展示"
    ));
    let notes_header = notes_header_bytes();
    let n = notes_header.len();
    say(
        Side::Note,
        tr!(
            "header_dic = {{'filename': 'a.txt', 'total_size': {}…{} ({} digits), 'hash': '{}'}}",
            "header_dic = {{'filename': 'a.txt', 'total_size': {}…{}（共 {} 位）, 'hash': '{}'}}",
            &NOTES_TOTAL_SIZE[..12],
            &NOTES_TOTAL_SIZE[NOTES_TOTAL_SIZE.len() - 4..],
            NOTES_TOTAL_SIZE.len(),
            NOTES_HASH
        ),
    );
    say(
        Side::Note,
        tr!(
            "json.dumps(header_dic).encode('utf-8') -> {n} bytes: {}…{}",
            "json.dumps(header_dic).encode('utf-8') -> {n} 字节：{}…{}",
            show_bytes(&notes_header[..48]),
            tail(&notes_header)
        ),
    );
    let notes_prefix_le = Prefix::CourseLe.encode(n).context(tr!(
        "packing the notes' header length",
        "打包笔记里报头的长度"
    ))?;
    // The hex is followed by an ASCII ": " in Chinese too, as in English:
    // the parity check reads "00:" as a number, "00：" as hex data.
    say(
        Side::Note,
        tr!(
            "struct.pack('i', {n})  -> {} {}   hex {}: little-endian, low byte first ({n} = 0x{n:08x})",
            "struct.pack('i', {n})  -> {} {}   十六进制 {}: 小端，低字节在前（{n} = 0x{n:08x}）",
            show_bytes(&notes_prefix_le),
            notes_prefix_le.len(),
            hex(&notes_prefix_le)
        ),
    );
    let notes_prefix_be = Prefix::NetworkBe.encode(n).context(tr!(
        "packing the notes' header length",
        "打包笔记里报头的长度"
    ))?;
    say(
        Side::Note,
        tr!(
            "struct.pack('!I', {n}) -> {} {}   hex {}: network order, high byte first",
            "struct.pack('!I', {n}) -> {} {}   十六进制 {}: 网络字节序，高字节在前",
            show_bytes(&notes_prefix_be),
            notes_prefix_be.len(),
            hex(&notes_prefix_be)
        ),
    );
    let notes_unpacked = Prefix::CourseLe
        .decode(notes_prefix_le)
        .context(tr!("unpacking the prefix", "解包长度前缀"))?;
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
        codec.write_frame(stream, &header).context(tr!(
            "client: sending the notes' header",
            "客户端：发送笔记里的报头"
        ))?;
        say(
            Side::Client,
            tr!(
                "sent the {} prefix + the {}-byte header (no body: 10^439 bytes fit nowhere)",
                "发送了 {} 前缀 + {} 字节的报头（没有正文：10^439 字节哪里都放不下）",
                python_format(codec.prefix()),
                header.len()
            ),
        );
        Ok(4 + header.len())
    })?;
    let (server, written) = link.join_client()?;
    wait_queued(&server, written, TIMEOUT)
        .context(tr!("server: ioctl(FIONREAD)", "服务端：ioctl(FIONREAD)"))?
        .with_context(|| {
            tr!(
                "server: the header was not queued within {TIMEOUT:?}",
                "服务端：{TIMEOUT:?} 内报头没有到达接收队列"
            )
        })?;
    let notes_on_wire = kernel::peek(&server, written)
        .context(tr!("server: recv(MSG_PEEK)", "服务端：recv(MSG_PEEK)"))?;
    say(
        Side::Server,
        tr!(
            "on the wire ({} bytes, peeked): {} | {} ...",
            "线路上的字节（{} 字节，用 MSG_PEEK 预读）：{} | {} ...",
            notes_on_wire.len(),
            hex(&notes_on_wire[..4]),
            hex(&notes_on_wire[4..20])
        ),
    );
    let read = codec.read_header(&mut &server);
    let notes_verdict = match &read {
        Ok(Some(h)) => format!("accepted: {}", serde_json::Value::Object(h.clone())),
        Ok(None) => "the stream ended before a header".to_string(),
        Err(e) => format!("rejected: {e}"),
    };
    // The report keeps the English verdict (the tests read it); the
    // Chinese line quotes framing's error as it is, like kernel output.
    let told = match &read {
        Ok(Some(h)) => tr!(
            "accepted: {}",
            "接受了：{}",
            serde_json::Value::Object(h.clone())
        ),
        Ok(None) => tr!(
            "the stream ended before a header",
            "还没读到报头，数据流就结束了"
        ),
        Err(e) => tr!("rejected: {e}", "拒绝了：“{e}”"),
    };
    say(
        Side::Server,
        tr!("read_header: {told}", "read_header：{told}"),
    );
    if notes_verdict.contains("out of range") {
        say(
            Side::Note,
            tr!(
                "a 440-digit number does not even fit a JSON parser's f64 (max about 1.8e308): the notes' header is refused, not obeyed",
                "一个 440 位的数，连 JSON 解析器的 f64 都装不下（最大约 1.8e308）：笔记里的报头被拒绝了，而不是照着它去读"
            ),
        );
    }

    // A header that parses but claims an absurd body: refused before any
    // allocation (the body would be 10^18 bytes; none follow).
    let mut huge = Vec::new();
    let huge_read = codec
        .write_frame(
            &mut huge,
            format!(r#"{{"total_size": {HUGE_SIZE}}}"#).as_bytes(),
        )
        .map_err(demo_kit::Error::from)
        .and_then(|()| codec.read_message(&mut &huge[..]).map_err(Into::into));
    let huge_verdict = match &huge_read {
        Ok(_) => "accepted (!)".to_string(),
        Err(e) => format!("rejected: {e}"),
    };
    let told = match &huge_read {
        Ok(_) => tr!("accepted (!)", "接受了（！）"),
        Err(e) => tr!("rejected: {e}", "拒绝了：“{e}”"),
    };
    say(
        Side::Note,
        tr!(
            "a size that does parse is checked before anything is allocated — read_message on a header with total_size {HUGE_SIZE}: {told}",
            "能解析出来的大小，也要在分配任何内存之前先检查——对 total_size 为 {HUGE_SIZE} 的报头调用 read_message：{told}"
        ),
    );

    // Round 2: a real message — header + body — on a new connection.
    heading(tr!(
        "course-header: a real header + body",
        "course-header：一条真实的报头 + 正文"
    ));
    let body_sent = A_TXT.to_vec();
    let body = body_sent.clone();
    let link = link::start(move |stream| {
        codec
            .write_message(
                stream,
                json!({"filename": "a.txt", "hash": NOTES_HASH}),
                &body,
            )
            .context(tr!("client: sending a.txt", "客户端：发送 a.txt"))?;
        say(
            Side::Client,
            tr!(
                "write_message({{\"filename\": \"a.txt\", \"hash\": \"{}\"}}, body of {} bytes): total_size is filled in from the body",
                "write_message：报头 {{\"filename\": \"a.txt\", \"hash\": \"{}\"}}，正文 {} 字节；total_size 按正文自动填上",
                NOTES_HASH,
                body.len()
            ),
        );
        Ok(())
    })?;
    let (server, ()) = link.join_client()?;
    let mut reader = Recorder::new(&server);
    let message = read_header(codec, &mut reader)?;
    tell::header_seen("a.txt", codec, &message);
    let size =
        framing::total_size(&message.header).context(tr!("server: the header", "服务端：报头"))?;
    let body_received =
        read_body(&mut reader, size).context(tr!("server: reading the body", "服务端：读正文"))?;
    say(
        Side::Server,
        tr!(
            "body ({} bytes): {} — {}",
            "正文（{} 字节）：{}——{}",
            body_received.len(),
            show_bytes(&body_received),
            same(&body_received, &body_sent)
        ),
    );
    say(
        Side::Server,
        tr!(
            "as text: {:?}",
            "按文本显示：{:?}",
            String::from_utf8_lossy(&body_received)
        ),
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
