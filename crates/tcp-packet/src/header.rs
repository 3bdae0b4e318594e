//! The IPv4 header and the TCP header (报头), read and written byte by byte.
//!
//! Both are big-endian ("network byte order"). Without options each is 20
//! bytes, and that is all this module writes:
//!
//! ```text
//! IPv4 (20 bytes)                         TCP (20 bytes)
//!  0     version 4 | header length 5       0..2   source port
//!  1     type of service (0)               2..4   destination port
//!  2..4  total length (IP + TCP + data)    4..8   sequence number (seq)
//!  4..6  identification                    8..12  acknowledgment number (ack)
//!  6..8  flags (DF) | fragment offset     12      header length 5 (high 4 bits)
//!  8     TTL (64)                         13      flags: CWR ECE URG ACK PSH RST SYN FIN
//!  9     protocol (6 = TCP)               14..16  window
//! 10..12 header checksum                  16..18  checksum (with the pseudo-header)
//! 12..16 source address                   18..20  urgent pointer
//! 16..20 destination address
//! ```

use crate::checksum::{internet_checksum, tcp_checksum};
use std::net::{Ipv4Addr, SocketAddrV4};

/// TCP flag bits (byte 13 of the TCP header).
pub const FIN: u8 = 0x01;
pub const SYN: u8 = 0x02;
pub const RST: u8 = 0x04;
pub const PSH: u8 = 0x08;
pub const ACK: u8 = 0x10;
pub const URG: u8 = 0x20;

/// One TCP segment: the header fields the handshake is about, plus how many
/// payload bytes follow.
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
    /// True if `flag` (one of [`SYN`], [`ACK`], ...) is set.
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
            (URG, "URG"),
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

    /// The whole IPv4 packet for this segment with `payload` after the
    /// headers, both checksums filled in (`payload_len` is taken from
    /// `payload`). What a TUN device's reader writes to make the kernel
    /// believe a packet arrived.
    ///
    /// ```
    /// use tcp_packet::{parse_ipv4_tcp, Segment, SYN};
    /// let syn = Segment {
    ///     src: "192.0.2.2:40000".parse().unwrap(),
    ///     dst: "192.0.2.1:7000".parse().unwrap(),
    ///     seq: 1000, ack: 0, flags: SYN, window: 64240, payload_len: 0,
    /// };
    /// let bytes = syn.to_packet(&[]);
    /// assert_eq!(bytes.len(), 40);
    /// assert!(tcp_packet::checksum::checksums_ok(&bytes));
    /// assert_eq!(parse_ipv4_tcp(&bytes), Some(syn));
    /// ```
    pub fn to_packet(&self, payload: &[u8]) -> Vec<u8> {
        let total = 40 + payload.len();
        let mut p = vec![0u8; total];
        p[0] = 0x45; // version 4, header 5 words
        p[2..4].copy_from_slice(&(total as u16).to_be_bytes());
        p[6] = 0x40; // DF: don't fragment
        p[8] = 64; // TTL
        p[9] = 6; // TCP
        p[12..16].copy_from_slice(&self.src.ip().octets());
        p[16..20].copy_from_slice(&self.dst.ip().octets());
        let ip_sum = internet_checksum(&[&p[..20]]);
        p[10..12].copy_from_slice(&ip_sum.to_be_bytes());

        let t = &mut p[20..];
        t[0..2].copy_from_slice(&self.src.port().to_be_bytes());
        t[2..4].copy_from_slice(&self.dst.port().to_be_bytes());
        t[4..8].copy_from_slice(&self.seq.to_be_bytes());
        t[8..12].copy_from_slice(&self.ack.to_be_bytes());
        t[12] = 5 << 4;
        t[13] = self.flags;
        t[14..16].copy_from_slice(&self.window.to_be_bytes());
        t[20..].copy_from_slice(payload);
        let tcp_sum = tcp_checksum(*self.src.ip(), *self.dst.ip(), t);
        t[16..18].copy_from_slice(&tcp_sum.to_be_bytes());
        p
    }
}

fn be16(b: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_be_bytes(b.get(at..at + 2)?.try_into().ok()?))
}

fn be32(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_be_bytes(b.get(at..at + 4)?.try_into().ok()?))
}

/// Where the TCP header and the payload sit in an IPv4 packet:
/// (start of TCP header, start of payload, end of packet).
fn tcp_bounds(p: &[u8]) -> Option<(usize, usize, usize)> {
    let first = *p.first()?;
    if first >> 4 != 4 {
        return None; // not IPv4
    }
    let ip_len = usize::from(first & 0x0f) * 4;
    let total = usize::from(be16(p, 2)?);
    if ip_len < 20 || total < ip_len || total > p.len() || *p.get(9)? != 6 {
        return None;
    }
    let tcp_len = usize::from(*p.get(ip_len + 12)? >> 4) * 4;
    if tcp_len < 20 || ip_len + tcp_len > total {
        return None;
    }
    Some((ip_len, ip_len + tcp_len, total))
}

/// Parses an IPv4 packet carrying TCP; `None` for anything else or for a
/// truncated or inconsistent packet (a parser must never trust lengths).
///
/// ```
/// use tcp_packet::{parse_ipv4_tcp, SYN};
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
    let (tcp_at, data_at, end) = tcp_bounds(p)?;
    let addr = |at: usize| Ipv4Addr::new(p[at], p[at + 1], p[at + 2], p[at + 3]);
    let tcp = &p[tcp_at..end];
    Some(Segment {
        src: SocketAddrV4::new(addr(12), be16(tcp, 0)?),
        dst: SocketAddrV4::new(addr(16), be16(tcp, 2)?),
        seq: be32(tcp, 4)?,
        ack: be32(tcp, 8)?,
        flags: tcp[13],
        window: be16(tcp, 14)?,
        payload_len: end - data_at,
    })
}

/// The payload bytes of an IPv4 packet carrying TCP (after both headers).
///
/// ```
/// use tcp_packet::{tcp_payload, Segment, ACK, PSH};
/// let s = Segment { src: "192.0.2.2:1".parse().unwrap(), dst: "192.0.2.1:2".parse().unwrap(),
///                   seq: 1, ack: 1, flags: PSH | ACK, window: 100, payload_len: 0 };
/// assert_eq!(tcp_payload(&s.to_packet(b"hello")), Some(&b"hello"[..]));
/// ```
pub fn tcp_payload(p: &[u8]) -> Option<&[u8]> {
    let (_, data_at, end) = tcp_bounds(p)?;
    Some(&p[data_at..end])
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
            let _ = tcp_payload(&bytes);
            let _ = crate::checksum::checksums_ok(&bytes);
        }

        /// Building then parsing gives the same segment back, checksums valid.
        #[test]
        fn build_parse_round_trip(seq in any::<u32>(), ack in any::<u32>(), flags in any::<u8>(),
                                  window in any::<u16>(), data in proptest::collection::vec(any::<u8>(), 0..100)) {
            let s = Segment { src: "192.0.2.2:40000".parse().unwrap(), dst: "192.0.2.1:7000".parse().unwrap(),
                              seq, ack, flags, window, payload_len: data.len() };
            let p = s.to_packet(&data);
            prop_assert!(crate::checksum::checksums_ok(&p));
            prop_assert_eq!(parse_ipv4_tcp(&p), Some(s));
            prop_assert_eq!(tcp_payload(&p), Some(&data[..]));
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

    #[test]
    fn one_flipped_bit_breaks_the_checksum() {
        let s = Segment {
            src: "192.0.2.2:1".parse().unwrap(),
            dst: "192.0.2.1:2".parse().unwrap(),
            seq: 7,
            ack: 0,
            flags: SYN,
            window: 1,
            payload_len: 0,
        };
        let mut p = s.to_packet(&[]);
        p[25] ^= 1;
        assert!(!crate::checksum::checksums_ok(&p));
    }
}
