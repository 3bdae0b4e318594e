// Exercise `header_frame` — lesson 06, the length prefix (报头):
// docs/06-length-prefix.md
//
// The course's client reads a header frame like this:
//     header_len = struct.unpack('i', phone.recv(4))[0]
//     header = json.loads(phone.recv(header_len))
// and trusts whatever arrives. Write `read_header` so that it never does:
//   1. read the 4-byte prefix (an i32, little-endian, like 'i');
//      end of stream before the first byte -> Ok(None) (the peer is done);
//      end of stream inside the prefix -> Err
//   2. a negative length or one above MAX_HEADER -> Err, WITHOUT reading on
//      (a lying peer must not make us wait for, or allocate, 2 GB)
//   3. read exactly that many bytes (end of stream before that -> Err)
//   4. they must be a JSON object with "total_size": a non-negative integer
//      (anything else -> Err)
// Leave the body alone: the caller reads `total_size` bytes after the header.
// First write `fill`, the loop around `read` (the course's `recv`) that
// both steps need: one `read` may return fewer bytes than asked for.

use serde_json::{Map, Value};
use std::io::{self, Read};

/// The largest header we accept, in bytes.
const MAX_HEADER: usize = 64 * 1024;

/// Reads until `buf` is full or the stream ends; returns how many bytes it
/// got (fewer than `buf.len()` only at the end of the stream).
fn fill(stream: &mut impl Read, buf: &mut [u8]) -> io::Result<usize> {
    let mut got = 0;
    while got < buf.len() {
        match stream.read(&mut buf[got..]) {
            Ok(0) => break,
            Ok(n) => got += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        }
    }
    Ok(got)
}

/// Reads one header frame: `Ok(None)` at a clean end of stream.
fn read_header(stream: &mut impl Read) -> Result<Option<Map<String, Value>>, String> {
    let mut prefix = [0u8; 4];
    match fill(stream, &mut prefix).map_err(|e| format!("reading the prefix: {e}"))? {
        0 => return Ok(None),
        4 => {}
        n => return Err(format!("stream ended after {n} of 4 prefix bytes")),
    }
    let len = i32::from_le_bytes(prefix);
    let len = usize::try_from(len).map_err(|_| format!("negative header length {len}"))?;
    if len > MAX_HEADER {
        return Err(format!(
            "header of {len} bytes is over the {MAX_HEADER} limit"
        ));
    }
    let mut raw = vec![0u8; len];
    let got = fill(stream, &mut raw).map_err(|e| format!("reading the header: {e}"))?;
    if got < len {
        return Err(format!("stream ended after {got} of {len} header bytes"));
    }
    let header: Map<String, Value> =
        serde_json::from_slice(&raw).map_err(|e| format!("header is not a JSON object: {e}"))?;
    match header.get("total_size") {
        Some(size) if size.as_u64().is_some() => Ok(Some(header)),
        Some(other) => Err(format!(
            "total_size must be a non-negative integer, not {other}"
        )),
        None => Err("the header has no total_size".to_string()),
    }
}

// The tests are the exercise's own, kept once: see exercises/06_length_prefix/header_frame.rs.
// (`cargo run -p course -- verify` runs them against this solution.)
