//! The 4-byte length prefix, in both byte orders.
//!
//! The course writes `struct.pack('i', n)`: a *signed* 32-bit integer in the
//! machine's *native* byte order. On x86-64 and arm64 that is little-endian,
//! so 507 becomes `fb 01 00 00`. That works while both ends run on the same
//! kind of CPU, and breaks silently between a little-endian and a big-endian
//! machine — which is why protocols on the Internet agree on *network byte
//! order*, big-endian (`struct.pack('!I', n)`, 507 → `00 00 01 fb`), and on
//! an unsigned length (a length is never negative, so why allow it?).
//!
//! We support both, explicitly: [`Prefix::CourseLe`] (the default, so our
//! programs talk to the course's Python) and [`Prefix::NetworkBe`].

use crate::error::{FrameError, Part};

/// How the 4-byte length prefix is encoded.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Prefix {
    /// Signed 32-bit little-endian: byte-compatible with the course's
    /// `struct.pack('i', n)` on x86-64 and arm64 (`'<i'` spelled out).
    #[default]
    CourseLe,
    /// Unsigned 32-bit big-endian, "network order": `struct.pack('!I', n)`.
    NetworkBe,
}

impl Prefix {
    /// The largest length this prefix can express.
    ///
    /// ```
    /// use framing::Prefix;
    /// assert_eq!(Prefix::CourseLe.max_len(), i32::MAX as u64);
    /// assert_eq!(Prefix::NetworkBe.max_len(), u32::MAX as u64);
    /// ```
    #[inline]
    pub fn max_len(self) -> u64 {
        match self {
            Prefix::CourseLe => i32::MAX as u64,
            Prefix::NetworkBe => u32::MAX as u64,
        }
    }

    /// Encodes a length.
    ///
    /// ```
    /// use framing::Prefix;
    /// assert_eq!(Prefix::CourseLe.encode(507).unwrap(), [0xfb, 0x01, 0x00, 0x00]);
    /// assert_eq!(Prefix::NetworkBe.encode(507).unwrap(), [0x00, 0x00, 0x01, 0xfb]);
    /// assert!(Prefix::CourseLe.encode(1 << 31).is_err());
    /// ```
    #[inline]
    pub fn encode(self, len: usize) -> Result<[u8; 4], FrameError> {
        if len as u64 > self.max_len() {
            return Err(FrameError::TooLarge {
                part: Part::Prefix,
                len: len as u64,
                max: self.max_len(),
            });
        }
        Ok(match self {
            Prefix::CourseLe => (len as i32).to_le_bytes(),
            Prefix::NetworkBe => (len as u32).to_be_bytes(),
        })
    }

    /// Decodes a length; a negative course-style prefix is an error.
    ///
    /// ```
    /// use framing::{FrameError, Prefix};
    /// assert_eq!(Prefix::CourseLe.decode([0xfb, 0x01, 0x00, 0x00]).unwrap(), 507);
    /// assert!(matches!(
    ///     Prefix::CourseLe.decode([0xff, 0xff, 0xff, 0xff]),
    ///     Err(FrameError::NegativeLength(-1))
    /// ));
    /// assert_eq!(Prefix::NetworkBe.decode([0xff, 0xff, 0xff, 0xff]).unwrap(), u32::MAX as u64);
    /// ```
    #[inline]
    pub fn decode(self, bytes: [u8; 4]) -> Result<u64, FrameError> {
        match self {
            Prefix::CourseLe => {
                let n = i32::from_le_bytes(bytes);
                u64::try_from(n).map_err(|_| FrameError::NegativeLength(n))
            }
            Prefix::NetworkBe => Ok(u32::from_be_bytes(bytes) as u64),
        }
    }
}
