//! Many small frames, few system calls: a buffered frame reader and writer.
//!
//! Every `read`/`write` on a socket is a system call, and a system call
//! costs far more than copying 16 bytes. A protocol that sends many small
//! frames therefore batches: the writer collects frames in a buffer and
//! hands the kernel 256 KiB at a time; the reader fetches 256 KiB at a time
//! and cuts frames out of its buffer. (The course's `recv(1024)` loop is a
//! hand-made version of the reader side.)
//!
//! [`FrameReader::next_frame`] returns a slice *into its buffer*: no copy
//! per frame. The slice is valid until the next call — Rust's borrow checker
//! enforces that, so the reuse is safe.

use crate::error::{FrameError, Part};
use crate::frame::Codec;
use std::io::{self, Read, Write};

/// How much a [`FrameReader`] fetches, and a [`FrameWriter`] collects, at once.
pub const BATCH: usize = 256 * 1024;

/// Reads frames from a byte stream through its own buffer.
///
/// ```
/// use framing::{Codec, FrameReader};
/// let wire = b"\x02\x00\x00\x00hi\x03\x00\x00\x00you";
/// let mut frames = FrameReader::new(Codec::course(), &wire[..]);
/// assert_eq!(frames.next_frame().unwrap(), Some(&b"hi"[..]));
/// assert_eq!(frames.next_frame().unwrap(), Some(&b"you"[..]));
/// assert_eq!(frames.next_frame().unwrap(), None); // clean end
/// ```
pub struct FrameReader<R> {
    inner: R,
    codec: Codec,
    buf: Vec<u8>,
    /// Unread bytes are `buf[start..end]`.
    start: usize,
    end: usize,
}

impl<R: Read> FrameReader<R> {
    /// Wraps `inner`, decoding with `codec` (its frame limit applies).
    pub fn new(codec: Codec, inner: R) -> FrameReader<R> {
        FrameReader::with_capacity(codec, inner, BATCH)
    }

    /// Like [`FrameReader::new`] with a buffer of `capacity` bytes: make it
    /// several frames large when frames are large, so that one `read`
    /// still fetches many of them.
    ///
    /// ```
    /// use framing::{Codec, FrameReader};
    /// let wire = b"\x02\x00\x00\x00hi";
    /// let mut frames = FrameReader::with_capacity(Codec::course(), &wire[..], 1 << 20);
    /// assert_eq!(frames.next_frame().unwrap(), Some(&b"hi"[..]));
    /// ```
    pub fn with_capacity(codec: Codec, inner: R, capacity: usize) -> FrameReader<R> {
        FrameReader {
            inner,
            codec,
            buf: vec![0; capacity.max(4)],
            start: 0,
            end: 0,
        }
    }

    /// The next frame's payload, `Ok(None)` at a clean end of stream, or
    /// [`FrameError::Truncated`] if the stream ends inside a frame.
    ///
    /// ```
    /// use framing::{Codec, FrameError, FrameReader};
    /// let cut = b"\x05\x00\x00\x00hel";
    /// let mut frames = FrameReader::new(Codec::course(), &cut[..]);
    /// assert!(matches!(frames.next_frame(), Err(FrameError::Truncated { expected: 5, got: 3, .. })));
    /// ```
    #[inline]
    pub fn next_frame(&mut self) -> Result<Option<&[u8]>, FrameError> {
        let (from, to) = loop {
            let available = self.end - self.start;
            let mut need = 4;
            if let Some(&prefix) = self.buf[self.start..self.end].first_chunk::<4>() {
                let len = self.codec.prefix.decode(prefix)?;
                if len > self.codec.max_frame as u64 {
                    let max = self.codec.max_frame as u64;
                    return Err(FrameError::TooLarge {
                        part: Part::Frame,
                        len,
                        max,
                    });
                }
                need = 4 + len as usize;
                if available >= need {
                    let from = self.start + 4;
                    self.start += need;
                    break (from, self.start);
                }
            }
            if !self.fill(need)? {
                return match available {
                    0 => Ok(None),
                    1..=3 => Err(FrameError::Truncated {
                        part: Part::Prefix,
                        expected: 4,
                        got: available,
                    }),
                    _ => Err(FrameError::Truncated {
                        part: Part::Frame,
                        expected: need - 4,
                        got: available - 4,
                    }),
                };
            }
        };
        Ok(Some(&self.buf[from..to]))
    }

    /// Makes room for `need` bytes from `start`, then reads once.
    /// Returns `false` at end of stream.
    fn fill(&mut self, need: usize) -> Result<bool, FrameError> {
        if self.start + need > self.buf.len() {
            // Move the unread bytes to the front, and grow if one frame
            // is larger than the whole buffer.
            self.buf.copy_within(self.start..self.end, 0);
            self.end -= self.start;
            self.start = 0;
            if need > self.buf.len() {
                self.buf.resize(need, 0);
            }
        }
        loop {
            match self.inner.read(&mut self.buf[self.end..]) {
                Ok(0) => return Ok(false),
                Ok(n) => {
                    self.end += n;
                    return Ok(true);
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e.into()),
            }
        }
    }
}

/// Collects frames in a buffer and writes them in large batches.
///
/// Call [`FrameWriter::flush`] when a batch must leave now (before waiting
/// for an answer!). Dropping the writer flushes too, ignoring errors — call
/// `flush` yourself to see them.
///
/// ```
/// use framing::{Codec, FrameWriter};
/// let mut out = Vec::new();
/// let mut frames = FrameWriter::new(Codec::network(), &mut out);
/// frames.write_frame(b"hi").unwrap();
/// frames.write_frame(b"you").unwrap();
/// frames.flush().unwrap(); // both frames leave in one write
/// drop(frames);
/// assert_eq!(out, b"\x00\x00\x00\x02hi\x00\x00\x00\x03you");
/// ```
pub struct FrameWriter<W: Write> {
    inner: W,
    codec: Codec,
    buf: Vec<u8>,
}

impl<W: Write> FrameWriter<W> {
    /// Wraps `inner`, encoding with `codec`.
    pub fn new(codec: Codec, inner: W) -> FrameWriter<W> {
        FrameWriter {
            inner,
            codec,
            buf: Vec::with_capacity(BATCH),
        }
    }

    /// Queues one frame; writes the batch first if it would overflow. A
    /// frame larger than the whole batch goes straight out with `writev`.
    #[inline]
    pub fn write_frame(&mut self, payload: &[u8]) -> Result<(), FrameError> {
        if self.buf.len() + 4 + payload.len() > BATCH {
            return self.write_frame_after_batch(payload);
        }
        // The common case, kept small so the compiler can inline it into
        // the caller's loop: two copies into the buffer, no system call.
        let prefix = self.codec.encode_prefix(payload.len())?;
        self.buf.extend_from_slice(&prefix);
        self.buf.extend_from_slice(payload);
        Ok(())
    }

    /// The rare case: the batch is full (or the frame is huge).
    #[cold]
    fn write_frame_after_batch(&mut self, payload: &[u8]) -> Result<(), FrameError> {
        self.write_batch()?;
        if 4 + payload.len() > BATCH {
            return self.codec.write_frame(&mut self.inner, payload);
        }
        let prefix = self.codec.encode_prefix(payload.len())?;
        self.buf.extend_from_slice(&prefix);
        self.buf.extend_from_slice(payload);
        Ok(())
    }

    /// Writes everything queued and flushes the underlying writer.
    pub fn flush(&mut self) -> Result<(), FrameError> {
        self.write_batch()?;
        self.inner.flush()?;
        Ok(())
    }

    fn write_batch(&mut self) -> Result<(), FrameError> {
        if !self.buf.is_empty() {
            self.inner.write_all(&self.buf)?;
            self.buf.clear();
        }
        Ok(())
    }
}

impl<W: Write> Drop for FrameWriter<W> {
    fn drop(&mut self) {
        let _ = self.write_batch();
    }
}
