//! One error type for everything that can go wrong while framing.
//!
//! A caller (a server, a client, a test) needs to *react* differently to
//! different failures: a peer that hung up mid-message is not the same as a
//! peer that sent a 2 GiB length prefix. So each failure is its own variant,
//! and each message says what to check.

use std::fmt;
use std::io;

/// Which part of a frame or message a failure concerns.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Part {
    /// The 4-byte length prefix.
    Prefix,
    /// The payload of a plain frame.
    Frame,
    /// The JSON header of a message.
    Header,
    /// The body of a message (`total_size` bytes).
    Body,
}

impl fmt::Display for Part {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Part::Prefix => "length prefix",
            Part::Frame => "frame",
            Part::Header => "header",
            Part::Body => "body",
        })
    }
}

/// Everything that can go wrong while reading or writing frames.
#[derive(Debug)]
pub enum FrameError {
    /// The stream ended in the middle of a frame: `got` of `expected` bytes
    /// of `part` arrived. (A stream ending *between* frames is not an error:
    /// readers return `Ok(None)` for that.)
    Truncated {
        part: Part,
        expected: usize,
        got: usize,
    },
    /// A length exceeds the configured limit; nothing was allocated.
    TooLarge { part: Part, len: u64, max: u64 },
    /// A signed length prefix was negative.
    NegativeLength(i32),
    /// The header is not valid JSON, or not a JSON object.
    BadHeader(String),
    /// The header lacks a field the protocol requires.
    MissingField(&'static str),
    /// A header field has the wrong type or value.
    BadField { field: &'static str, found: String },
    /// The underlying reader or writer failed.
    Io(io::Error),
}

impl fmt::Display for FrameError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FrameError::Truncated {
                part,
                expected,
                got,
            } => write!(
                f,
                "the peer closed the connection in the middle of a {part}: \
                 got {got} of {expected} bytes (did it crash, or send a wrong length?)"
            ),
            FrameError::TooLarge { part, len, max } => write!(
                f,
                "{part} of {len} bytes is over the limit of {max} bytes \
                 (a garbage or hostile length prefix? raise the limit if it is genuine)"
            ),
            FrameError::NegativeLength(n) => write!(
                f,
                "negative length prefix {n}: the peer is not speaking this protocol \
                 (or uses the other byte order)"
            ),
            FrameError::BadHeader(why) => write!(f, "the header is not a JSON object: {why}"),
            FrameError::MissingField(name) => {
                write!(
                    f,
                    "the header has no {name:?} field, which the protocol requires"
                )
            }
            FrameError::BadField { field, found } => write!(
                f,
                "header field {field:?} must be a non-negative whole number, found {found}"
            ),
            FrameError::Io(e) => write!(f, "I/O error: {e}"),
        }
    }
}

impl std::error::Error for FrameError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            FrameError::Io(e) => Some(e),
            _ => None,
        }
    }
}

impl From<io::Error> for FrameError {
    fn from(e: io::Error) -> FrameError {
        FrameError::Io(e)
    }
}
