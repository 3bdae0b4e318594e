//! Frames: a length prefix, then exactly that many payload bytes.
//!
//! TCP delivers a *stream of bytes*. The sizes of the `send()` calls are not
//! kept: two sends may arrive in one `recv()`, one send may need several.
//! A frame puts the boundary back: the reader first reads exactly 4 bytes
//! (the length), then exactly that many bytes (the payload).
//!
//! "Exactly" is the whole point. The course's client writes
//! `phone.recv(4)` and `phone.recv(header_len)`, but `recv(n)` means *up to*
//! n bytes: it may return 1. [`read_exact_or_eof`](crate::read_exact_or_eof) loops until it has all
//! of them, and tells a clean end of stream *between* frames (the peer is
//! done) from one *inside* a frame (the peer broke off).

use crate::error::{FrameError, Part};
use crate::io::{read_exact_or_eof, read_exact_part, write_all_vectored};
use crate::prefix::Prefix;
use std::io::{IoSlice, Read, Write};

/// Encodes and decodes frames and messages with explicit limits.
///
/// The limits are checked *before* anything is allocated, so a hostile
/// length prefix such as `ff ff ff 7f` (2 GiB) costs nothing but an error.
///
/// ```
/// let codec = framing::Codec::course();
/// let mut wire = Vec::new();
/// codec.write_frame(&mut wire, b"hello").unwrap();
/// assert_eq!(wire, b"\x05\x00\x00\x00hello");
/// let mut reader = &wire[..];
/// assert_eq!(codec.read_frame(&mut reader).unwrap().unwrap(), b"hello");
/// assert!(codec.read_frame(&mut reader).unwrap().is_none()); // clean end
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Codec {
    pub(crate) prefix: Prefix,
    pub(crate) max_frame: usize,
    pub(crate) max_header: usize,
    pub(crate) max_body: u64,
}

/// Default limit for a plain frame's payload: 16 MiB.
pub const DEFAULT_MAX_FRAME: usize = 16 << 20;
/// Default limit for a message's JSON header: 64 KiB (the course's is ~60 bytes).
pub const DEFAULT_MAX_HEADER: usize = 64 << 10;
/// Default limit for a message body read into memory: 64 MiB.
pub const DEFAULT_MAX_BODY: u64 = 64 << 20;

impl Default for Codec {
    fn default() -> Codec {
        Codec::course()
    }
}

impl Codec {
    /// Byte-compatible with the course's Python (`struct.pack('i')`).
    ///
    /// ```
    /// assert_eq!(framing::Codec::course().prefix(), framing::Prefix::CourseLe);
    /// ```
    pub fn course() -> Codec {
        Codec {
            prefix: Prefix::CourseLe,
            max_frame: DEFAULT_MAX_FRAME,
            max_header: DEFAULT_MAX_HEADER,
            max_body: DEFAULT_MAX_BODY,
        }
    }

    /// Network byte order (`struct.pack('!I')`), the usual convention.
    ///
    /// ```
    /// let mut wire = Vec::new();
    /// framing::Codec::network().write_frame(&mut wire, b"hi").unwrap();
    /// assert_eq!(wire, b"\x00\x00\x00\x02hi");
    /// ```
    pub fn network() -> Codec {
        Codec {
            prefix: Prefix::NetworkBe,
            ..Codec::course()
        }
    }

    /// The prefix encoding in use.
    ///
    /// ```
    /// assert_eq!(framing::Codec::network().prefix(), framing::Prefix::NetworkBe);
    /// ```
    pub fn prefix(&self) -> Prefix {
        self.prefix
    }

    /// Sets the largest payload [`Codec::read_frame`] accepts.
    ///
    /// ```
    /// let codec = framing::Codec::course().with_max_frame(4);
    /// let mut wire = &b"\x05\x00\x00\x00hello"[..];
    /// assert!(matches!(codec.read_frame(&mut wire), Err(framing::FrameError::TooLarge { .. })));
    /// ```
    pub fn with_max_frame(self, max: usize) -> Codec {
        Codec {
            max_frame: max,
            ..self
        }
    }

    /// Sets the largest JSON header a message may have.
    ///
    /// ```
    /// let strict = framing::Codec::course().with_max_header(10);
    /// let mut wire = Vec::new();
    /// // The writer refuses to send a header over its own limit...
    /// assert!(strict.write_message(&mut wire, serde_json::json!({"file": "a.txt"}), b"").is_err());
    /// // ...and the reader refuses to receive one (this header is 31 bytes).
    /// framing::Codec::course().write_message(&mut wire, serde_json::json!({"file": "a.txt"}), b"").unwrap();
    /// assert!(strict.read_message(&mut &wire[..]).is_err());
    /// ```
    pub fn with_max_header(self, max: usize) -> Codec {
        Codec {
            max_header: max,
            ..self
        }
    }

    /// Sets the largest message body [`Codec::read_message`] will hold in memory.
    ///
    /// ```
    /// let codec = framing::Codec::course().with_max_body(3);
    /// let mut wire = Vec::new();
    /// codec.write_message(&mut wire, serde_json::json!({}), b"four").unwrap();
    /// assert!(codec.read_message(&mut &wire[..]).is_err());
    /// ```
    pub fn with_max_body(self, max: u64) -> Codec {
        Codec {
            max_body: max,
            ..self
        }
    }

    /// The 4 prefix bytes for a payload of `len` bytes.
    ///
    /// ```
    /// assert_eq!(framing::Codec::course().encode_prefix(507).unwrap(), [0xfb, 1, 0, 0]);
    /// ```
    #[inline]
    pub fn encode_prefix(&self, len: usize) -> Result<[u8; 4], FrameError> {
        self.prefix.encode(len)
    }

    /// Writes one frame: prefix and payload leave in a single `writev`
    /// system call (see [`write_all_vectored`](crate::write_all_vectored)).
    ///
    /// ```
    /// let mut wire = Vec::new();
    /// framing::Codec::course().write_frame(&mut wire, b"").unwrap();
    /// assert_eq!(wire, [0, 0, 0, 0]);
    /// ```
    pub fn write_frame<W: Write + ?Sized>(
        &self,
        w: &mut W,
        payload: &[u8],
    ) -> Result<(), FrameError> {
        let prefix = self.encode_prefix(payload.len())?;
        write_all_vectored(w, &mut [IoSlice::new(&prefix), IoSlice::new(payload)])?;
        Ok(())
    }

    /// Reads one frame. `Ok(None)` means the stream ended cleanly *between*
    /// frames; an end inside a frame is [`FrameError::Truncated`].
    ///
    /// ```
    /// let codec = framing::Codec::course();
    /// let cut = b"\x05\x00\x00\x00hel";
    /// assert!(matches!(
    ///     codec.read_frame(&mut &cut[..]),
    ///     Err(framing::FrameError::Truncated { expected: 5, got: 3, .. })
    /// ));
    /// ```
    pub fn read_frame<R: Read + ?Sized>(&self, r: &mut R) -> Result<Option<Vec<u8>>, FrameError> {
        let mut payload = Vec::new();
        Ok(self.read_frame_into(r, &mut payload)?.then_some(payload))
    }

    /// Like [`Codec::read_frame`], but reuses `buf`, which saves an
    /// allocation per frame in a loop: on success `buf` holds exactly the
    /// payload; at a clean end (`false`) it is empty; after an error its
    /// contents are unspecified. Its old bytes are overwritten, not zeroed
    /// first, so a stream of large frames costs no extra pass over memory.
    ///
    /// ```
    /// let codec = framing::Codec::course();
    /// let mut wire = &b"\x01\x00\x00\x00a\x01\x00\x00\x00b"[..];
    /// let mut buf = Vec::new();
    /// assert!(codec.read_frame_into(&mut wire, &mut buf).unwrap());
    /// assert_eq!(buf, b"a");
    /// assert!(codec.read_frame_into(&mut wire, &mut buf).unwrap());
    /// assert_eq!(buf, b"b");
    /// assert!(!codec.read_frame_into(&mut wire, &mut buf).unwrap());
    /// ```
    pub fn read_frame_into<R: Read + ?Sized>(
        &self,
        r: &mut R,
        buf: &mut Vec<u8>,
    ) -> Result<bool, FrameError> {
        let Some(len) = self.read_len(r, self.max_frame as u64, Part::Frame)? else {
            buf.clear();
            return Ok(false);
        };
        buf.resize(len, 0); // zeroes only what grows past the last frame
        read_exact_part(r, buf, Part::Frame)?;
        Ok(true)
    }

    /// Reads a prefix and checks it against `max` *before* anything is
    /// allocated. `Ok(None)` at a clean end of stream.
    pub(crate) fn read_len<R: Read + ?Sized>(
        &self,
        r: &mut R,
        max: u64,
        part: Part,
    ) -> Result<Option<usize>, FrameError> {
        let mut prefix = [0u8; 4];
        if !read_exact_or_eof(r, &mut prefix)? {
            return Ok(None);
        }
        let len = self.prefix.decode(prefix)?;
        if len > max {
            return Err(FrameError::TooLarge { part, len, max });
        }
        // `len <= max <= usize::MAX` here, so the cast cannot truncate.
        Ok(Some(len as usize))
    }
}
