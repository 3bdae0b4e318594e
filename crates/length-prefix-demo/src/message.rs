//! One message as the server's reader consumed it: the 4 prefix bytes, the
//! JSON header bytes and the parsed header, then exactly `total_size` body
//! bytes. `split` and `course-header` both read this way, so the demo can
//! show the very bytes `struct.unpack` would have been given.

use crate::link::Recorder;
use demo_kit::{Context, Result};
use framing::{Codec, Header, Message};
use serde_json::json;
use std::io::Read;

/// What the framed reader consumed for one message's prefix and header.
#[derive(Clone, Debug, PartialEq)]
pub struct HeaderSeen {
    /// The 4 prefix bytes, as read from the socket.
    pub prefix: [u8; 4],
    /// The JSON header bytes, as read from the socket.
    pub header_bytes: Vec<u8>,
    /// The header, parsed.
    pub header: Header,
}

/// Reads a prefix and a JSON header and keeps the bytes they came from.
pub fn read_header<R: Read>(codec: Codec, reader: &mut Recorder<R>) -> Result<HeaderSeen> {
    reader.drain();
    let header = codec
        .read_header(reader)
        .context("server: reading a header")?
        .context("server: the stream ended before a header")?;
    let (bytes, _) = reader.drain();
    let mut prefix = [0u8; 4];
    prefix.copy_from_slice(&bytes[..4]);
    Ok(HeaderSeen {
        prefix,
        header_bytes: bytes[4..].to_vec(),
        header,
    })
}

/// Reads exactly `size` body bytes, refusing sizes over framing's default
/// body limit *before* allocating (a header can claim anything).
pub fn read_body<R: Read>(reader: &mut R, size: u64) -> Result<Vec<u8>> {
    if size > framing::DEFAULT_MAX_BODY {
        return demo_kit::bail_msg(format!(
            "total_size {size} is over the limit of {} bytes",
            framing::DEFAULT_MAX_BODY
        ));
    }
    let mut body = vec![0u8; size as usize];
    if !framing::read_exact_or_eof(reader, &mut body)? && size > 0 {
        return demo_kit::bail_msg("the stream ended before the body");
    }
    Ok(body)
}

/// A message with `total_size` filled in, as `write_message` will send it.
pub fn message(header: serde_json::Value, body: Vec<u8>) -> Message {
    let mut header = header.as_object().cloned().unwrap_or_default();
    header.insert(framing::TOTAL_SIZE.into(), json!(body.len()));
    Message { header, body }
}

/// Prefix + header + body: the bytes one message takes on the wire.
pub fn wire_len(m: &Message) -> Result<usize> {
    let header = serde_json::to_vec(&m.header).context("encoding a header")?;
    Ok(4 + header.len() + m.body.len())
}
