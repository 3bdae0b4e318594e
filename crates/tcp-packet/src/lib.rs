//! `tcp-packet`: an IPv4 packet carrying a TCP segment, byte by byte.
//!
//! Two demos look at TCP's packets: `handshake-demo sniff` reads the
//! kernel's packets off a raw socket, and `tcp-lab` *writes* them, playing
//! one side of a connection against the real Linux TCP over a TUN device.
//! Both need the same three things, kept here once:
//!
//! * [`header`]: the IPv4 and TCP header layouts (报头), parsed and built.
//! * [`checksum`]: the Internet checksum (RFC 1071) and TCP's pseudo-header.
//! * [`ladder`]: the ladder diagram, one arrow per packet between two columns.
//!
//! No dependencies: every byte is placed by hand, because that is the lesson.

pub mod checksum;
pub mod header;
pub mod ladder;

pub use checksum::{internet_checksum, tcp_checksum};
pub use header::{parse_ipv4_tcp, tcp_payload, Segment, ACK, FIN, PSH, RST, SYN, URG};
pub use ladder::Ladder;
