//! Narration shared by the scenarios: how a prefix, a header and a
//! comparison with what was sent are put into words. Each scenario (in its
//! own file) uses these, so every line about bytes reads the same way in
//! all three stories.

use crate::message::HeaderSeen;
use crate::python_format;
use demo_kit::say::{hex, say, show_bytes};
use demo_kit::Side;
use framing::{Codec, Prefix};

/// Narrates the prefix and header bytes a framed reader consumed.
pub fn header_seen(what: &str, codec: Codec, h: &HeaderSeen) {
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
pub fn other_order(codec: Codec, len: usize) {
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

pub fn order_words(p: Prefix) -> &'static str {
    match p {
        Prefix::CourseLe => "signed 32-bit little-endian, byte-compatible with the course's Python",
        Prefix::NetworkBe => "unsigned 32-bit big-endian (network order)",
    }
}

pub fn unpack_words(p: Prefix) -> &'static str {
    match p {
        Prefix::CourseLe => "struct.unpack('i')",
        Prefix::NetworkBe => "struct.unpack('!I')",
    }
}

pub fn same(got: &[u8], sent: &[u8]) -> &'static str {
    if got == sent {
        "== sent"
    } else {
        "!= SENT"
    }
}

/// Read sizes as a sum, `1024 + 1024 + 952`; a long list (a big `--size`)
/// keeps its first three and last two terms: `1024 + 1024 + 1024 + … + 1024 + 1024 (16384 reads)`.
pub fn join(sizes: &[usize]) -> String {
    let words = |s: &[usize]| {
        s.iter()
            .map(|n| n.to_string())
            .collect::<Vec<_>>()
            .join(" + ")
    };
    if sizes.len() <= 8 {
        return words(sizes);
    }
    format!(
        "{} + … + {} ({} reads)",
        words(&sizes[..3]),
        words(&sizes[sizes.len() - 2..]),
        sizes.len()
    )
}

pub fn tail(bytes: &[u8]) -> String {
    show_bytes(&bytes[bytes.len().saturating_sub(16)..])
}

pub fn printable(bytes: &[u8]) -> String {
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
