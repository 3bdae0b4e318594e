//! `sticky-demo`: the course's 粘包 ("sticky packets") problem, live.
//!
//! One file per scenario; each makes the system calls, narrates them in
//! the order they happen, and returns a report the tests assert on:
//!
//! * [`merge::run`] — small separate sends arrive stuck together; with
//!   `nodelay` too, so Nagle's algorithm is not the root cause;
//! * [`split::run`] — a long reply needs several reads, and its tail is
//!   what the next "reply" starts with;
//! * [`udp::run`] — UDP keeps every message separate, and silently cuts a
//!   datagram larger than the receive buffer.
//!
//! [`report`] puts observations into words.

use std::time::Duration;

pub mod merge;
pub mod report;
pub mod split;
pub mod udp;

/// The messages the merge scenarios send, one `write()` each.
pub const SMALL_MESSAGES: [&[u8]; 5] = [b"hello", b"world", b"how", b"are", b"you"];

/// The datagrams of the `udp` scenario.
pub const DATAGRAMS: [&[u8]; 3] = [b"hello", b"world", b"!"];

/// How long we wait for bytes to reach the peer's receive buffer.
pub const ARRIVAL_TIMEOUT: Duration = Duration::from_secs(5);
