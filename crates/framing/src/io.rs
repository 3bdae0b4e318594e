//! Exact reads and whole writes: the two loops the course leaves out.
//!
//! `recv(n)` may return fewer than `n` bytes and `send(data)` may accept
//! fewer than `len(data)`; both are normal, not errors. Every protocol on
//! TCP therefore needs a loop on each side: read until you have exactly what
//! the protocol says, write until the kernel took everything.

use crate::error::{FrameError, Part};
use std::io::{self, IoSlice, Read, Write};

/// Fills `buf` completely, looping over short reads — the fix for the
/// course's single `recv(n)`, which may return fewer than `n` bytes.
///
/// Returns `Ok(false)` if the stream was already at its end (zero bytes
/// read), `Ok(true)` when `buf` is full, and [`FrameError::Truncated`] if
/// the stream ended part-way.
///
/// ```
/// use std::io::Read;
/// // A reader that hands out one byte per read(), like a slow network.
/// struct Trickle<'a>(&'a [u8]);
/// impl Read for Trickle<'_> {
///     fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
///         if self.0.is_empty() || buf.is_empty() { return Ok(0); }
///         buf[0] = self.0[0];
///         self.0 = &self.0[1..];
///         Ok(1)
///     }
/// }
/// let mut r = Trickle(b"abcd");
/// let mut four = [0u8; 4];
/// assert_eq!(r.read(&mut four).unwrap(), 1); // what recv(4) might give you
/// let mut r = Trickle(b"abcd");
/// assert!(framing::read_exact_or_eof(&mut r, &mut four).unwrap()); // what you need
/// assert_eq!(&four, b"abcd");
/// assert!(!framing::read_exact_or_eof(&mut r, &mut four).unwrap()); // clean end
/// ```
pub fn read_exact_or_eof<R: Read + ?Sized>(r: &mut R, buf: &mut [u8]) -> Result<bool, FrameError> {
    let mut got = 0;
    while got < buf.len() {
        match r.read(&mut buf[got..]) {
            Ok(0) if got == 0 => return Ok(false),
            Ok(0) => {
                return Err(FrameError::Truncated {
                    part: Part::Prefix,
                    expected: buf.len(),
                    got,
                })
            }
            Ok(n) => got += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e.into()),
        }
    }
    Ok(true)
}

/// Reads exactly `buf.len()` bytes that must be there: the part of a frame
/// after its prefix. Any end of stream is a truncation of `part`.
pub(crate) fn read_exact_part<R: Read + ?Sized>(
    r: &mut R,
    buf: &mut [u8],
    part: Part,
) -> Result<(), FrameError> {
    match read_exact_or_eof(r, buf) {
        Ok(true) => Ok(()),
        Ok(false) => Err(FrameError::Truncated {
            part,
            expected: buf.len(),
            got: 0,
        }),
        Err(FrameError::Truncated { expected, got, .. }) => Err(FrameError::Truncated {
            part,
            expected,
            got,
        }),
        Err(e) => Err(e),
    }
}

/// Writes all of several buffers, as one `writev` system call when the
/// kernel takes everything at once (the usual case for a socket with room).
///
/// The course sends a message with three `send()` calls (prefix, header,
/// body): three system calls and, with Nagle's algorithm off, possibly three
/// small TCP segments. Gathering the pieces into one `writev` costs one
/// system call and copies nothing in user space. A short write (the kernel
/// took only part) is continued from where it stopped — the course's
/// `send()` ignores that case; Python's `sendall()` handles it.
///
/// ```
/// use std::io::IoSlice;
/// let mut out = Vec::new();
/// framing::write_all_vectored(&mut out, &mut [IoSlice::new(b"ab"), IoSlice::new(b"cd")]).unwrap();
/// assert_eq!(out, b"abcd");
/// ```
#[inline]
pub fn write_all_vectored<W: Write + ?Sized>(
    w: &mut W,
    mut bufs: &mut [IoSlice<'_>],
) -> io::Result<()> {
    // Skip empty leading slices so a zero-length write is not mistaken for "no progress".
    IoSlice::advance_slices(&mut bufs, 0);
    while !bufs.is_empty() {
        match w.write_vectored(bufs) {
            Ok(0) => return Err(io::ErrorKind::WriteZero.into()),
            Ok(n) => IoSlice::advance_slices(&mut bufs, n),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}
