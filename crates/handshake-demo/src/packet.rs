//! Reading an IPv4 packet and its TCP header by hand, byte by byte.
//!
//! The parser, the header layout and the flag names live in the shared crate
//! `tcp-packet` (`crates/tcp-packet/src/header.rs`), which `tcp-lab` also
//! uses to *write* packets; sniff re-exports them here under their old names.

pub use tcp_packet::header::{parse_ipv4_tcp, Segment, ACK, FIN, PSH, RST, SYN};
