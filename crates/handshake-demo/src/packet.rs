//! Reading an IPv4 packet and its TCP header by hand, byte by byte.
//!
//! A raw socket hands us the packet exactly as it travelled: first the IPv4
//! header (报头), then the TCP header, then the payload. Both headers are
//! big-endian ("network byte order"). The fields the handshake pictures use:
//!
//! ```text
//! IPv4:  byte 0 = version (high 4 bits) | header length in 32-bit words (low 4 bits)
//!        bytes 2..4 total length, byte 9 protocol (6 = TCP),
//!        bytes 12..16 source address, 16..20 destination address
//! TCP:   bytes 0..2 source port, 2..4 destination port,
//!        4..8 sequence number (seq), 8..12 acknowledgment number (ack),
//!        byte 12 high 4 bits = header length in words, byte 13 = flags,
//!        bytes 14..16 window
//! ```

use std::net::{Ipv4Addr, SocketAddrV4};

/// TCP flag bits (byte 13 of the TCP header).
pub const FIN: u8 = 0x01;
pub const SYN: u8 = 0x02;
pub const RST: u8 = 0x04;
pub const PSH: u8 = 0x08;
pub const ACK: u8 = 0x10;

/// One TCP segment as read off the wire.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Segment {
    pub src: SocketAddrV4,
    pub dst: SocketAddrV4,
    pub seq: u32,
    pub ack: u32,
    pub flags: u8,
    pub window: u16,
    pub payload_len: usize,
}

impl Segment {
    pub fn has(&self, flag: u8) -> bool {
        self.flags & flag != 0
    }

    /// The flags as the course draws them: `SYN`, `SYN|ACK`, `FIN|ACK`, ...
    pub fn flag_names(&self) -> String {
        let names = [
            (SYN, "SYN"),
            (FIN, "FIN"),
            (RST, "RST"),
            (PSH, "PSH"),
            (ACK, "ACK"),
        ];
        let on: Vec<&str> = names
            .iter()
            .filter(|(bit, _)| self.has(*bit))
            .map(|(_, n)| *n)
            .collect();
        if on.is_empty() {
            "(none)".into()
        } else {
            on.join("|")
        }
    }

    /// How much sequence space this segment uses: its payload, plus one
    /// for SYN and one for FIN. That "+1" is why the reply says ack = x+1.
    pub fn seq_len(&self) -> u32 {
        self.payload_len as u32 + u32::from(self.has(SYN)) + u32::from(self.has(FIN))
    }
}

fn be16(b: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_be_bytes(b.get(at..at + 2)?.try_into().ok()?))
}

fn be32(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_be_bytes(b.get(at..at + 4)?.try_into().ok()?))
}

/// Parses an IPv4 packet carrying TCP; `None` for anything else or for a
/// truncated or inconsistent packet (a parser must never trust lengths).
///
/// ```
/// use handshake_demo::packet::{parse_ipv4_tcp, SYN};
/// let mut p = vec![0u8; 40];
/// p[0] = 0x45; p[3] = 40; p[9] = 6;          // IPv4, 20-byte header, 40 bytes, TCP
/// p[12..16].copy_from_slice(&[127, 0, 0, 1]);
/// p[16..20].copy_from_slice(&[127, 0, 0, 1]);
/// p[20..22].copy_from_slice(&5000u16.to_be_bytes());
/// p[22..24].copy_from_slice(&80u16.to_be_bytes());
/// p[24..28].copy_from_slice(&1000u32.to_be_bytes());
/// p[32] = 5 << 4; p[33] = SYN;               // 20-byte TCP header, SYN
/// let s = parse_ipv4_tcp(&p).unwrap();
/// assert_eq!((s.src.port(), s.dst.port(), s.seq, s.flag_names()), (5000, 80, 1000, "SYN".into()));
/// ```
pub fn parse_ipv4_tcp(p: &[u8]) -> Option<Segment> {
    let first = *p.first()?;
    if first >> 4 != 4 {
        return None; // not IPv4
    }
    let ip_len = usize::from(first & 0x0f) * 4;
    let total = usize::from(be16(p, 2)?);
    if ip_len < 20 || total < ip_len || total > p.len() || *p.get(9)? != 6 {
        return None;
    }
    let addr = |at: usize| Some(Ipv4Addr::new(p[at], p[at + 1], p[at + 2], p[at + 3]));
    let (src_ip, dst_ip) = (addr(12)?, addr(16)?);
    let tcp = &p[ip_len..total];
    let tcp_len = usize::from(*tcp.get(12)? >> 4) * 4;
    if tcp_len < 20 || tcp_len > tcp.len() {
        return None;
    }
    Some(Segment {
        src: SocketAddrV4::new(src_ip, be16(tcp, 0)?),
        dst: SocketAddrV4::new(dst_ip, be16(tcp, 2)?),
        seq: be32(tcp, 4)?,
        ack: be32(tcp, 8)?,
        flags: *tcp.get(13)?,
        window: be16(tcp, 14)?,
        payload_len: tcp.len() - tcp_len,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// Whatever bytes arrive, the parser returns None or a segment; it never panics.
        #[test]
        fn never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..80)) {
            let _ = parse_ipv4_tcp(&bytes);
        }
    }

    #[test]
    fn seq_len_counts_syn_and_fin() {
        let s = Segment {
            src: "127.0.0.1:1".parse().unwrap(),
            dst: "127.0.0.1:2".parse().unwrap(),
            seq: 0,
            ack: 0,
            flags: SYN | FIN,
            window: 0,
            payload_len: 3,
        };
        assert_eq!(s.seq_len(), 5);
        assert_eq!(s.flag_names(), "SYN|FIN");
    }
}
