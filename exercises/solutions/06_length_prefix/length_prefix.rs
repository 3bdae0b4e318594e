// Exercise `length_prefix` — lesson 06, the length prefix (报头 + struct):
// docs/06-length-prefix.md
//
// The course fixes sticky packets with a fixed-length header:
// `struct.pack('i', len(data))` — 4 bytes holding the length — then the data.
// On x86-64, 'i' is a 32-bit int in little-endian order: 507 -> b'\xfb\x01\x00\x00'.
// The network convention ('!I') is big-endian instead: 507 -> b'\x00\x00\x01\xfb'.
//
// 1. Write `prefix` (the course's 'i') and `prefix_network` ('!I'): the 4
//    header bytes for a payload of `len` bytes. A length the prefix cannot
//    hold is an error: 'i' holds at most i32::MAX, '!I' at most u32::MAX.
//    `frame` (prefix + payload) is already written. Hint: `to_le_bytes`.
// 2. Write `send_frame`: send one frame on a TCP socket in ONE system call.
//    The course sends the prefix with one `send` and the data with another:
//    two small segments on the wire for every message (and with Nagle's
//    algorithm on, the second may wait for the peer's delayed ACK). The test
//    turns Nagle off and counts, with `getsockopt(TCP_INFO)`, the segments
//    your socket sent: one per frame.

use std::io::Write;
use std::net::TcpStream;

/// `struct.pack('i', len)`.
fn prefix(len: usize) -> Result<[u8; 4], String> {
    let len = i32::try_from(len).map_err(|_| format!("{len} does not fit in an 'i' prefix"))?;
    Ok(len.to_le_bytes())
}

/// `struct.pack('!I', len)`.
fn prefix_network(len: usize) -> Result<[u8; 4], String> {
    let len = u32::try_from(len).map_err(|_| format!("{len} does not fit in a '!I' prefix"))?;
    Ok(len.to_be_bytes())
}

/// `struct.pack('i', len(payload)) + payload`: one frame, ready to send.
fn frame(payload: &[u8]) -> Result<Vec<u8>, String> {
    let mut out = Vec::with_capacity(4 + payload.len());
    out.extend_from_slice(&prefix(payload.len())?);
    out.extend_from_slice(payload);
    Ok(out)
}

/// Sends `struct.pack('i', len(payload)) + payload` on `stream`, prefix
/// and payload together in one system call.
fn send_frame(stream: &mut TcpStream, payload: &[u8]) -> std::io::Result<()> {
    // The whole frame first, then one write_all: one write() system call
    // (it loops only if the kernel took part of it).
    let bytes = frame(payload).map_err(std::io::Error::other)?;
    stream.write_all(&bytes)
}

// The tests are the exercise's own, kept once: see exercises/06_length_prefix/length_prefix.rs.
// (`cargo run -p course -- verify` runs them against this solution.)
