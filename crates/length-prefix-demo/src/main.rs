//! `cargo run -p length-prefix-demo [merge|split|course-header] [--network]`
//!
//! The cure for 粘包 (sticky packets), narrated from real reads on a real
//! TCP connection: every message gets a 4-byte length prefix (the course's
//! `struct.pack('i', n)`), so the receiver always knows where it ends.
//! The scenarios live in the library; this file only tells the story.

use demo_kit::cli::Args;
use demo_kit::say::{heading, hex, say, show_bytes};
use demo_kit::{Context, Error, Result, Side};
use framing::{Codec, Prefix};
use length_prefix_demo::{codec, course, merge, python_format, split, SMALL_MESSAGES};
use std::process::ExitCode;

const HELP: &str = "\
length-prefix-demo: the cure for sticky packets (粘包) — a 4-byte length, a header, a body

USAGE:
    cargo run -p length-prefix-demo [SCENARIO] [--network] [--size BYTES]

SCENARIOS (default: all three, in this order):
    merge          small frames written back to back are all queued at once,
                   yet each comes out exactly as sent
    split          a reply longer than recv(1024) arrives whole, and the next
                   reply is intact
    course-header  the notes' header dictionary (507 bytes -> fb 01 00 00)
                   and a real header + body message, byte by byte

OPTIONS:
    --network      use network byte order ('!I', big-endian) for the prefix
                   instead of the course's struct.pack('i') (little-endian)
    --size BYTES   size of the long reply in `split` (default 3000, max 16777216)
    -h, --help     print this help

Everything runs in one process: a server socket and a client thread on
127.0.0.1 with a port the kernel picks. Set NO_COLOR=1 to turn colours off.";

const SCENARIOS: [&str; 3] = ["merge", "split", "course-header"];

fn main() -> ExitCode {
    demo_kit::fail::run(run)
}

fn run() -> Result<()> {
    let mut args = Args::parse(HELP);
    let network = args.flag("--network");
    let size = args.value::<usize>("--size")?.unwrap_or(3000);
    if size > 16 << 20 {
        return demo_kit::bail_msg(format!(
            "--size {size} is too large: at most 16777216 bytes; see --help"
        ));
    }
    let chosen = args.positional();
    args.finish()?;
    let scenarios: Vec<&str> = match chosen.as_deref() {
        None | Some("all") => SCENARIOS.to_vec(),
        Some(s) if SCENARIOS.contains(&s) => vec![s],
        Some(other) => {
            return Err(Error::msg(format!(
                "unknown scenario {other:?}: choose merge, split or course-header; see --help"
            ))
            .with_exit_code(2))
        }
    };
    let codec = codec(network);
    say(
        Side::Note,
        format!(
            "prefix: 4 bytes, {} — {}",
            python_format(codec.prefix()),
            order_words(codec.prefix())
        ),
    );
    for s in scenarios {
        match s {
            "merge" => show_merge(merge::run(codec, &SMALL_MESSAGES).context("merge")?),
            "split" => show_split(split::run(codec, size).context("split")?),
            _ => show_course(course::run(codec).context("course-header")?),
        }
    }
    Ok(())
}

fn show_merge(r: merge::MergeReport) {
    heading("merge: small frames written back to back");
    for m in &r.sent {
        let prefix = r.codec.encode_prefix(m.len()).unwrap_or_default();
        say(
            Side::Client,
            format!(
                "write_frame({}): prefix {} + {} bytes, one writev",
                show_bytes(m),
                hex(&prefix),
                m.len()
            ),
        );
    }
    say(
        Side::Client,
        format!(
            "done: {} bytes written in {} writes, then close",
            r.bytes_written,
            r.sent.len()
        ),
    );
    say(
        Side::Kernel,
        format!("FIONREAD on the server socket: {} bytes queued — all {} frames, before the server reads anything", r.queued, r.sent.len()),
    );
    say(
        Side::Server,
        format!(
            "recv(1024, MSG_PEEK) -> {} bytes, what one raw recv(1024) would return:",
            r.peeked.len()
        ),
    );
    say(Side::Server, format!("  {}", show_bytes(&r.peeked)));
    say(
        Side::Note,
        "  all the messages stuck together (粘包) — but every one is led by its length:",
    );
    let mut exact = 0;
    for (i, f) in r.frames.iter().enumerate() {
        let same = r.sent.get(i) == Some(&f.payload);
        exact += same as usize;
        say(
            Side::Server,
            format!(
                "read_frame {}: prefix {} -> {} ({}), payload {}  [read() calls returned {}] {}",
                i + 1,
                hex(&f.prefix),
                f.payload.len(),
                unpack_words(r.codec.prefix()),
                show_bytes(&f.payload),
                join(&f.reads),
                if same { "== sent" } else { "!= SENT" }
            ),
        );
    }
    if r.clean_end {
        say(Side::Server, format!("read_frame {}: end of stream between frames -> Ok(None): the client closed cleanly", r.frames.len() + 1));
    }
    say(
        Side::Note,
        format!(
            "{exact} of {} messages came out exactly as sent",
            r.sent.len()
        ),
    );
    other_order(r.codec, r.sent.first().map_or(0, |m| m.len()));
}

fn show_split(r: split::SplitReport) {
    heading("split: a reply longer than the course's recv(1024)");
    for m in &r.sent {
        say(
            Side::Client,
            format!(
                "write_message(header {}, body of {} bytes): one writev",
                serde_json::Value::Object(m.header.clone()),
                m.body.len()
            ),
        );
    }
    show_header_seen("reply 1", r.codec, &r.first);
    let total: usize = r.body_reads.iter().sum();
    say(
        Side::Server,
        format!(
            "body: read(min(1024, remaining)) until total_size: {} = {total} bytes",
            join(&r.body_reads)
        ),
    );
    say(
        Side::Server,
        format!(
            "reply 1 body: {} ... {} — {}",
            show_bytes(&r.first_body[..r.first_body.len().min(40)]),
            tail(&r.first_body),
            same(&r.first_body, &r.sent[0].body)
        ),
    );
    say(
        Side::Kernel,
        format!("FIONREAD now: {} bytes queued; reply 2 is {} bytes on the wire — nothing of it was eaten by reply 1", r.left_queued, r.second_wire_len),
    );
    show_header_seen("reply 2", r.codec, &r.second);
    say(
        Side::Server,
        format!(
            "reply 2 body: {} — {}",
            show_bytes(&r.second_body),
            same(&r.second_body, &r.sent[1].body)
        ),
    );
    if r.clean_end {
        say(
            Side::Server,
            "then end of stream between messages: a clean close",
        );
    }
    say(
        Side::Note,
        format!("without a header, a recv(1024) client would print the first 1024 bytes and the other {} would show up as the answer to the next command (try: cargo run -p sticky-demo split)", r.first_body.len().saturating_sub(1024)),
    );
}

fn show_course(r: course::CourseReport) {
    heading("course-header: the notes' header dictionary, byte for byte");
    let n = r.notes_header.len();
    say(
        Side::Note,
        format!(
            "header_dic = {{'filename': 'a.txt', 'total_size': {}…{} ({} digits), 'hash': '{}'}}",
            &course::NOTES_TOTAL_SIZE[..12],
            &course::NOTES_TOTAL_SIZE[course::NOTES_TOTAL_SIZE.len() - 4..],
            course::NOTES_TOTAL_SIZE.len(),
            course::NOTES_HASH
        ),
    );
    say(
        Side::Note,
        format!(
            "json.dumps(header_dic).encode('utf-8') -> {n} bytes: {}…{}",
            show_bytes(&r.notes_header[..48]),
            tail(&r.notes_header)
        ),
    );
    say(Side::Note, format!("struct.pack('i', {n})  -> {} {}   hex {}: little-endian, low byte first ({n} = 0x{n:08x})", show_bytes(&r.notes_prefix_le), r.notes_prefix_le.len(), hex(&r.notes_prefix_le)));
    say(
        Side::Note,
        format!(
            "struct.pack('!I', {n}) -> {} {}   hex {}: network order, high byte first",
            show_bytes(&r.notes_prefix_be),
            r.notes_prefix_be.len(),
            hex(&r.notes_prefix_be)
        ),
    );
    say(
        Side::Note,
        format!(
            "struct.unpack('i', {}) -> ({},)",
            show_bytes(&r.notes_prefix_le),
            r.notes_unpacked
        ),
    );
    say(
        Side::Client,
        format!(
            "sent the {} prefix + the {n}-byte header (no body: 10^439 bytes fit nowhere)",
            python_format(r.codec.prefix())
        ),
    );
    say(
        Side::Server,
        format!(
            "on the wire ({} bytes, peeked): {} | {} ...",
            r.notes_on_wire.len(),
            hex(&r.notes_on_wire[..4]),
            hex(&r.notes_on_wire[4..20])
        ),
    );
    say(Side::Server, format!("read_header: {}", r.notes_verdict));
    say(Side::Note, "a 440-digit total_size fits in no integer type and no memory: framing checks a size before it allocates, so the notes' header is refused, not obeyed");

    heading("course-header: a real header + body");
    say(Side::Client, format!("write_message({{\"filename\": \"a.txt\", \"hash\": \"{}\"}}, body of {} bytes): total_size is filled in from the body", course::NOTES_HASH, r.body_sent.len()));
    show_header_seen("a.txt", r.codec, &r.message);
    say(
        Side::Server,
        format!(
            "body ({} bytes): {} — {}",
            r.body_received.len(),
            show_bytes(&r.body_received),
            same(&r.body_received, &r.body_sent)
        ),
    );
    say(
        Side::Server,
        format!("as text: {:?}", String::from_utf8_lossy(&r.body_received)),
    );
}

/// Narrates the prefix and header bytes a framed reader consumed.
fn show_header_seen(what: &str, codec: Codec, h: &split::HeaderSeen) {
    let len = h.header_bytes.len();
    say(
        Side::Server,
        format!(
            "{what}: read exactly 4 bytes: {} -> header length {len} ({})",
            hex(&h.prefix),
            unpack_words(codec.prefix())
        ),
    );
    say(
        Side::Server,
        format!("{what}: read exactly {len} bytes of JSON header:"),
    );
    for (i, chunk) in h.header_bytes.chunks(16).enumerate() {
        say(
            Side::Server,
            format!("  +{:03}: {:<47}  {}", i * 16, hex(chunk), printable(chunk)),
        );
    }
    say(
        Side::Server,
        format!(
            "{what}: header = {}",
            serde_json::Value::Object(h.header.clone())
        ),
    );
}

/// The same lengths in the other byte order, so both are on screen.
fn other_order(codec: Codec, len: usize) {
    let other = match codec.prefix() {
        Prefix::CourseLe => Prefix::NetworkBe,
        Prefix::NetworkBe => Prefix::CourseLe,
    };
    if let (Ok(a), Ok(b)) = (codec.prefix().encode(len), other.encode(len)) {
        say(
            Side::Note,
            format!(
                "length {len}: {} = {}; {} = {} (the other order: --network)",
                python_format(codec.prefix()),
                hex(&a),
                python_format(other),
                hex(&b)
            ),
        );
    }
}

fn order_words(p: Prefix) -> &'static str {
    match p {
        Prefix::CourseLe => "signed 32-bit little-endian, byte-compatible with the course's Python",
        Prefix::NetworkBe => "unsigned 32-bit big-endian (network order)",
    }
}

fn unpack_words(p: Prefix) -> &'static str {
    match p {
        Prefix::CourseLe => "struct.unpack('i')",
        Prefix::NetworkBe => "struct.unpack('!I')",
    }
}

fn same(got: &[u8], sent: &[u8]) -> &'static str {
    if got == sent {
        "== sent"
    } else {
        "!= SENT"
    }
}

fn join(sizes: &[usize]) -> String {
    sizes
        .iter()
        .map(|n| n.to_string())
        .collect::<Vec<_>>()
        .join(" + ")
}

fn tail(bytes: &[u8]) -> String {
    show_bytes(&bytes[bytes.len().saturating_sub(16)..])
}

fn printable(bytes: &[u8]) -> String {
    bytes
        .iter()
        .map(|&b| {
            if (0x20..0x7f).contains(&b) {
                b as char
            } else {
                '.'
            }
        })
        .collect()
}
