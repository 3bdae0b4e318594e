//! Messages in the course's layout: header length, JSON header, body.
//!
//! The course's fix for sticky packets (自定义报头, "custom header") sends
//!
//! ```text
//! struct.pack('i', len(header_bytes))   4 bytes: how long the header is
//! header_bytes                          {"filename": ..., "total_size": N, "hash": ...}
//! body                                  exactly N bytes
//! ```
//!
//! The fixed-size prefix says where the header ends; the header's
//! `total_size` says where the body ends. Both ends are known *before*
//! reading, so nothing sticks to the next message. The header is a
//! dictionary so the protocol can grow (a file name, a hash, an exit code)
//! without changing the framing.

use crate::error::{FrameError, Part};
use crate::frame::Codec;
use crate::io::{read_exact_part, write_all_vectored};
use serde_json::Value;
use std::io::{IoSlice, Read, Write};

/// A message header: a JSON object such as `{"filename": "a.txt", "total_size": 11}`.
pub type Header = serde_json::Map<String, Value>;

/// The field that tells how many body bytes follow the header.
pub const TOTAL_SIZE: &str = "total_size";

/// A complete message: its header and its body.
#[derive(Clone, Debug, PartialEq)]
pub struct Message {
    pub header: Header,
    pub body: Vec<u8>,
}

/// Reads `total_size` from a header: it must be a non-negative integer.
///
/// ```
/// use serde_json::json;
/// let h = json!({"total_size": 11}).as_object().unwrap().clone();
/// assert_eq!(framing::total_size(&h).unwrap(), 11);
/// let h = json!({"total_size": -1}).as_object().unwrap().clone();
/// assert!(framing::total_size(&h).is_err());
/// let h = json!({"size": 11}).as_object().unwrap().clone();
/// assert!(matches!(framing::total_size(&h), Err(framing::FrameError::MissingField("total_size"))));
/// ```
pub fn total_size(header: &Header) -> Result<u64, FrameError> {
    let value = header
        .get(TOTAL_SIZE)
        .ok_or(FrameError::MissingField(TOTAL_SIZE))?;
    value.as_u64().ok_or_else(|| FrameError::BadField {
        field: TOTAL_SIZE,
        found: value.to_string(),
    })
}

impl Codec {
    /// Writes one message: prefix, JSON header (with `total_size` set to
    /// `body.len()`), body — gathered into a single `writev`.
    ///
    /// `header` must be a JSON object; any `total_size` in it is replaced by
    /// the real body length, so the two can never disagree.
    ///
    /// ```
    /// use serde_json::json;
    /// let mut wire = Vec::new();
    /// framing::Codec::course()
    ///     .write_message(&mut wire, json!({"filename": "a.txt"}), b"hello")
    ///     .unwrap();
    /// assert_eq!(&wire[..4], [35, 0, 0, 0]); // the header is 35 bytes long
    /// assert_eq!(&wire[4..39], br#"{"filename":"a.txt","total_size":5}"#.as_slice());
    /// assert_eq!(&wire[39..], b"hello");
    /// ```
    pub fn write_message<W: Write + ?Sized>(
        &self,
        w: &mut W,
        header: Value,
        body: &[u8],
    ) -> Result<(), FrameError> {
        let Value::Object(mut header) = header else {
            return Err(FrameError::BadHeader(format!(
                "expected a JSON object, got {header}"
            )));
        };
        header.insert(TOTAL_SIZE.to_string(), Value::from(body.len() as u64));
        let header_bytes =
            serde_json::to_vec(&header).map_err(|e| FrameError::BadHeader(e.to_string()))?;
        if header_bytes.len() > self.max_header {
            return Err(FrameError::TooLarge {
                part: Part::Header,
                len: header_bytes.len() as u64,
                max: self.max_header as u64,
            });
        }
        let prefix = self.encode_prefix(header_bytes.len())?;
        let mut parts = [
            IoSlice::new(&prefix),
            IoSlice::new(&header_bytes),
            IoSlice::new(body),
        ];
        write_all_vectored(w, &mut parts)?;
        Ok(())
    }

    /// Reads a prefix and the JSON header, and checks `total_size` against
    /// the body limit. The caller then reads exactly [`total_size`] body
    /// bytes — in pieces, if the body is large (streaming it keeps memory
    /// bounded). `Ok(None)` means the stream ended cleanly before a message.
    ///
    /// ```
    /// use std::io::Read;
    /// let codec = framing::Codec::course();
    /// let mut wire = Vec::new();
    /// codec.write_message(&mut wire, serde_json::json!({}), b"body").unwrap();
    /// let mut r = &wire[..];
    /// let header = codec.read_header(&mut r).unwrap().unwrap();
    /// let n = framing::total_size(&header).unwrap();
    /// let mut body = Vec::new();
    /// (&mut r).take(n).read_to_end(&mut body).unwrap();
    /// assert_eq!(body, b"body");
    /// ```
    pub fn read_header<R: Read + ?Sized>(&self, r: &mut R) -> Result<Option<Header>, FrameError> {
        let Some(len) = self.read_len(r, self.max_header as u64, Part::Header)? else {
            return Ok(None);
        };
        let mut bytes = vec![0u8; len];
        read_exact_part(r, &mut bytes, Part::Header)?;
        let header: Header =
            serde_json::from_slice(&bytes).map_err(|e| FrameError::BadHeader(e.to_string()))?;
        total_size(&header)?;
        Ok(Some(header))
    }

    /// Reads one whole message into memory: header, then exactly
    /// `total_size` body bytes (at most the configured body limit).
    ///
    /// ```
    /// let codec = framing::Codec::course();
    /// let mut wire = Vec::new();
    /// codec.write_message(&mut wire, serde_json::json!({"hash": "x"}), b"hi").unwrap();
    /// let msg = codec.read_message(&mut &wire[..]).unwrap().unwrap();
    /// assert_eq!(msg.header["hash"], "x");
    /// assert_eq!(msg.body, b"hi");
    /// ```
    pub fn read_message<R: Read + ?Sized>(&self, r: &mut R) -> Result<Option<Message>, FrameError> {
        let Some(header) = self.read_header(r)? else {
            return Ok(None);
        };
        let size = total_size(&header)?;
        if size > self.max_body {
            return Err(FrameError::TooLarge {
                part: Part::Body,
                len: size,
                max: self.max_body,
            });
        }
        let mut body = vec![0u8; size as usize];
        read_exact_part(r, &mut body, Part::Body)?;
        Ok(Some(Message { header, body }))
    }
}
