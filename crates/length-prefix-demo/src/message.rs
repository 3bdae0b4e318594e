//! One message as the server's reader consumed it: the 4 prefix bytes, the
//! JSON header bytes and the parsed header, then exactly `total_size` body
//! bytes. `split` and `course-header` both read this way, so the demo can
//! show the very bytes `struct.unpack` would have been given.

use crate::link::Recorder;
use demo_kit::{tr, Context, Result};
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
        .context(tr!("server: reading a header", "服务端：读报头"))?
        .context(tr!(
            "server: the stream ended before a header",
            "服务端：还没读到报头，数据流就结束了"
        ))?;
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
        return demo_kit::bail_msg(tr!(
            "total_size {size} is over the limit of {} bytes",
            "total_size {size} 超过了 {} 字节的上限",
            framing::DEFAULT_MAX_BODY
        ));
    }
    let mut body = vec![0u8; size as usize];
    // read_exact_or_eof's "truncated" error names the length prefix, its
    // usual use; here the missing bytes are the body's.
    match framing::read_exact_or_eof(reader, &mut body) {
        Ok(true) => Ok(body),
        Ok(false) => demo_kit::bail_msg(tr!(
            "the stream ended before the body: got 0 of {size} bytes",
            "还没读到正文，数据流就结束了：{size} 字节只收到 0 字节"
        )),
        Err(framing::FrameError::Truncated { expected, got, .. }) => demo_kit::bail_msg(tr!(
            "the stream ended in the middle of the body: got {got} of {expected} bytes",
            "正文读到一半，数据流就结束了：{expected} 字节只收到 {got} 字节"
        )),
        Err(e) => Err(e.into()),
    }
}

/// A message with `total_size` filled in, as `write_message` will send it.
pub fn message(header: serde_json::Value, body: Vec<u8>) -> Message {
    let mut header = header.as_object().cloned().unwrap_or_default();
    header.insert(framing::TOTAL_SIZE.into(), json!(body.len()));
    Message { header, body }
}

/// Prefix + header + body: the bytes one message takes on the wire.
pub fn wire_len(m: &Message) -> Result<usize> {
    let header = serde_json::to_vec(&m.header).context(tr!("encoding a header", "编码报头"))?;
    Ok(4 + header.len() + m.body.len())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    #[test]
    fn a_body_of_exactly_the_limit_is_read_one_byte_more_is_refused() {
        // The English errors, whatever the locale of the test run.
        demo_kit::lang::set(demo_kit::lang::Lang::En);
        let max = framing::DEFAULT_MAX_BODY;
        let mut exactly = std::io::repeat(7).take(max);
        let body = read_body(&mut exactly, max).expect("the limit itself is allowed");
        assert_eq!(body.len() as u64, max);
        let mut more = std::io::repeat(7).take(max + 1);
        let refused = read_body(&mut more, max + 1).expect_err("over the limit");
        assert!(
            refused.to_string().contains("is over the limit"),
            "{refused}"
        );
    }

    #[test]
    fn a_stream_that_ends_before_the_body_is_an_error_an_empty_body_is_not() {
        demo_kit::lang::set(demo_kit::lang::Lang::En);
        let short = read_body(&mut &b"abc"[..], 5).expect_err("3 of 5 bytes");
        assert_eq!(
            short.to_string(),
            "the stream ended in the middle of the body: got 3 of 5 bytes"
        );
        let none = read_body(&mut &b""[..], 5).expect_err("0 of 5 bytes");
        assert_eq!(
            none.to_string(),
            "the stream ended before the body: got 0 of 5 bytes"
        );
        assert_eq!(read_body(&mut &b""[..], 0).unwrap(), b"");
        assert_eq!(read_body(&mut &b"abcde"[..], 5).unwrap(), b"abcde");
    }
}
