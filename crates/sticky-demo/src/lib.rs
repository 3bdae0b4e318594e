//! `sticky-demo`: the course's 粘包 ("sticky packets") problem, live.
//!
//! Four scenarios, each a function returning what really happened, so that
//! `main.rs` can narrate it and the tests can assert it:
//!
//! * [`tcp::merge`] — small separate sends arrive stuck together;
//! * [`tcp::split`] — a long reply needs several reads, and its tail is what
//!   the next "reply" starts with;
//! * `merge` with `TCP_NODELAY` — still stuck together, so Nagle's algorithm
//!   is not the root cause;
//! * [`udp::datagrams`] — UDP keeps every message separate.

pub mod kernel;
pub mod report;
pub mod tcp;
pub mod udp;

/// The messages the merge scenarios send, one `write()` each.
pub const SMALL_MESSAGES: [&[u8]; 5] = [b"hello", b"world", b"how", b"are", b"you"];
