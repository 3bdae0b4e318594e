//! Narration shared by the scenarios: how a prefix, a header and a
//! comparison with what was sent are put into words. Each scenario (in its
//! own file) uses these, so every line about bytes reads the same way in
//! all three stories.

use crate::message::HeaderSeen;
use crate::python_format;
use demo_kit::say::{hex, say, show_bytes};
use demo_kit::{tr, Side};
use framing::{Codec, Prefix};

/// Narrates the prefix and header bytes a framed reader consumed.
pub fn header_seen(what: &str, codec: Codec, h: &HeaderSeen) {
    let len = h.header_bytes.len();
    let (prefix, unpack) = (hex(&h.prefix), unpack_words(codec.prefix()));
    say(
        Side::Server,
        tr!(
            "{what}: read exactly 4 bytes: {prefix} -> header length {len} ({unpack})",
            "{what}：恰好读 4 个字节：{prefix} -> 报头长度 {len}（{unpack}）"
        ),
    );
    say(
        Side::Server,
        tr!(
            "{what}: read exactly {len} bytes of JSON header:",
            "{what}：恰好读 {len} 字节的 JSON 报头："
        ),
    );
    for (i, chunk) in h.header_bytes.chunks(16).enumerate() {
        say(
            Side::Server,
            format!("  +{:03}: {:<47}  {}", i * 16, hex(chunk), printable(chunk)),
        );
    }
    let header = serde_json::Value::Object(h.header.clone());
    say(
        Side::Server,
        tr!("{what}: header = {header}", "{what}：报头 = {header}"),
    );
}

/// The same lengths in the other byte order, so both are on screen.
pub fn other_order(codec: Codec, len: usize) {
    let other = match codec.prefix() {
        Prefix::CourseLe => Prefix::NetworkBe,
        Prefix::NetworkBe => Prefix::CourseLe,
    };
    if let (Ok(a), Ok(b)) = (codec.prefix().encode(len), other.encode(len)) {
        let (this_format, a) = (python_format(codec.prefix()), hex(&a));
        let (other_format, b) = (python_format(other), hex(&b));
        // "; " between the two Python expressions in both languages: the
        // parity check reads "00;" as a number, "00；" as hex data.
        say(
            Side::Note,
            tr!(
                "length {len}: {this_format} = {a}; {other_format} = {b} (the other order: --network)",
                "长度 {len}：{this_format} = {a}; {other_format} = {b}（另一种字节序：--network）"
            ),
        );
    }
}

pub fn order_words(p: Prefix) -> String {
    match p {
        Prefix::CourseLe => tr!(
            "signed 32-bit little-endian, byte-compatible with the course's Python",
            "有符号 32 位小端，和课程里的 Python 逐字节兼容"
        ),
        Prefix::NetworkBe => tr!(
            "unsigned 32-bit big-endian (network order)",
            "无符号 32 位大端（网络字节序）"
        ),
    }
}

pub fn unpack_words(p: Prefix) -> &'static str {
    match p {
        Prefix::CourseLe => "struct.unpack('i')",
        Prefix::NetworkBe => "struct.unpack('!I')",
    }
}

pub fn same(got: &[u8], sent: &[u8]) -> String {
    if got == sent {
        tr!("== sent", "与发送的一致")
    } else {
        tr!("!= SENT", "与发送的不一致！")
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
    tr!(
        "{} + … + {} ({} reads)",
        "{} + … + {}（共 {} 次 read）",
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
