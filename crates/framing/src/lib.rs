//! `framing`: putting message boundaries back on top of TCP's byte stream.
//!
//! TCP (the course's 流式协议) promises that bytes arrive in order and
//! intact — not that one `send()` arrives as one `recv()`. Small sends get
//! stuck together, large ones are split: the course's 粘包 ("sticky
//! packets"). The cure is a protocol that says where each message ends:
//!
//! * a **frame** is a 4-byte length prefix followed by that many bytes
//!   ([`Codec::write_frame`], [`Codec::read_frame`]);
//! * a **message** is the course's layout — length of a JSON header, the
//!   header (with `total_size`), then `total_size` body bytes
//!   ([`Codec::write_message`], [`Codec::read_message`], [`Codec::read_header`]).
//!
//! Done right means: exact-length reads ([`read_exact_or_eof`]), a clean end
//! of stream told apart from a cut one, limits checked before allocating,
//! one error type to match on ([`FrameError`]), one system call per frame
//! written ([`write_all_vectored`]) — and, for many small frames, one system
//! call per *batch* ([`FrameWriter`], [`FrameReader`]).
//!
//! ```
//! use framing::Codec;
//! use serde_json::json;
//!
//! let codec = Codec::course(); // byte-compatible with the course's Python
//! let mut wire = Vec::new();
//! codec.write_message(&mut wire, json!({"filename": "a.txt"}), b"hello world").unwrap();
//! codec.write_message(&mut wire, json!({"filename": "b.txt"}), b"!").unwrap();
//!
//! // Both messages are now stuck together in one buffer, like in a socket.
//! let mut stream = &wire[..];
//! let first = codec.read_message(&mut stream).unwrap().unwrap();
//! let second = codec.read_message(&mut stream).unwrap().unwrap();
//! assert_eq!((first.body.as_slice(), second.body.as_slice()), (&b"hello world"[..], &b"!"[..]));
//! assert!(codec.read_message(&mut stream).unwrap().is_none()); // clean end
//! ```

mod buffered;
mod error;
mod frame;
mod io;
mod message;
mod prefix;

pub use buffered::{FrameReader, FrameWriter, BATCH};
pub use error::{FrameError, Part};
pub use frame::{Codec, DEFAULT_MAX_BODY, DEFAULT_MAX_FRAME, DEFAULT_MAX_HEADER};
pub use io::{read_exact_or_eof, write_all_vectored};
pub use message::{total_size, Header, Message, TOTAL_SIZE};
pub use prefix::Prefix;
