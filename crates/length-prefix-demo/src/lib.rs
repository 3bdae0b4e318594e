//! `length-prefix-demo`: the cure for 粘包 (sticky packets), on a real TCP
//! connection.
//!
//! `sticky-demo` shows the problem: TCP is a byte stream, so small sends get
//! stuck together and a large one arrives in pieces. The course's cure is
//! 自定义报头 (a custom header): before each message, send a fixed-size
//! 4-byte length (`struct.pack('i', len(header_bytes))`), then a JSON header
//! that carries `total_size`, then the body. The receiver always knows how
//! many bytes to read next, so boundaries come back.
//!
//! This crate runs the same scenarios as `sticky-demo`, but through the
//! `framing` crate. Each scenario's `run()` makes the calls, narrates them
//! in order, and returns what really happened as data, so that the tests
//! can assert it ([`tell`] holds the wording they share):
//!
//! * [`merge::run`] — several small frames written back to back are all
//!   queued in the server's receive buffer at once (one raw read would get
//!   them stuck together), yet `read_frame` returns each exactly as sent;
//! * [`split::run`] — a reply longer than the course's `recv(1024)` buffer
//!   arrives in several reads but as one whole message, and the next reply
//!   is intact;
//! * [`course::run`] — the notes' own header dictionary, byte for byte, and a
//!   real header + body message, with the bytes on the wire.
//!
//! [`message`] reads one message and keeps the bytes it came from; [`link`]
//! is the connection; [`kernel`] peeks at what is queued.

pub mod course;
pub mod kernel;
pub mod link;
pub mod merge;
pub mod message;
pub mod split;
pub mod tell;

/// The small messages of the merge scenario (the same words as `sticky-demo`).
pub const SMALL_MESSAGES: [&[u8]; 5] = [b"hello", b"world", b"how", b"are", b"you"];

/// The course's receive buffer size: `conn.recv(1024)`.
pub const COURSE_RECV: usize = 1024;

/// Picks the prefix byte order: the course's (`struct.pack('i')`, little-endian
/// on x86-64/arm64) or network order (`struct.pack('!I')`, big-endian).
pub fn codec(network: bool) -> framing::Codec {
    if network {
        framing::Codec::network()
    } else {
        framing::Codec::course()
    }
}

/// How Python's `struct` module spells a prefix format, for narration.
pub fn python_format(prefix: framing::Prefix) -> &'static str {
    match prefix {
        framing::Prefix::CourseLe => "struct.pack('i', n)",
        framing::Prefix::NetworkBe => "struct.pack('!I', n)",
    }
}
