//! The Internet checksum (RFC 1071), which guards both the IPv4 header and
//! the TCP segment.
//!
//! Read the bytes as big-endian 16-bit words, add them up with "end-around
//! carry" (a carry out of bit 15 is added back in at bit 0: one's-complement
//! addition), and flip every bit of the sum. The receiver adds up the same
//! words *including* the checksum field: a packet that arrived intact sums to
//! 0xffff, so the flipped result is 0. A kernel that gets anything else drops
//! the packet without a word (it cannot trust even the port numbers enough to
//! answer), and counts it in `/proc/net/snmp` (`InCsumErrors`).
//!
//! TCP's checksum also covers a *pseudo-header* that is never sent: source
//! and destination address, a zero byte, the protocol number (6) and the TCP
//! length. So a segment delivered to the wrong address fails its checksum too.

use std::net::Ipv4Addr;

/// The one's-complement of the one's-complement sum of `chunks`, read as one
/// byte string of big-endian 16-bit words (an odd last byte is padded with 0).
///
/// ```
/// // RFC 1071's own example: the words 0001 f203 f4f5 f6f7 sum to 0xddf2.
/// let sum = tcp_packet::internet_checksum(&[&[0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7]]);
/// assert_eq!(sum, !0xddf2);
/// ```
pub fn internet_checksum(chunks: &[&[u8]]) -> u16 {
    let mut sum: u32 = 0;
    let mut high_byte = true; // is the next byte the high half of a word?
    for chunk in chunks {
        for &b in *chunk {
            sum += if high_byte {
                u32::from(b) << 8
            } else {
                u32::from(b)
            };
            high_byte = !high_byte;
        }
    }
    // Fold the carries back in until the sum fits in 16 bits.
    while sum > 0xffff {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    !(sum as u16)
}

/// The checksum to put in a TCP header (bytes 16..18): computed over the
/// pseudo-header and the whole `segment` (TCP header plus payload) with the
/// checksum field itself set to zero.
///
/// ```
/// use std::net::Ipv4Addr;
/// let (src, dst) = (Ipv4Addr::new(192, 0, 2, 2), Ipv4Addr::new(192, 0, 2, 1));
/// let mut seg = [0u8; 20];
/// seg[12] = 5 << 4; // header length: 5 words
/// seg[13] = tcp_packet::SYN;
/// let c = tcp_packet::tcp_checksum(src, dst, &seg);
/// seg[16..18].copy_from_slice(&c.to_be_bytes());
/// // Summed again with the checksum in place, an intact segment gives 0.
/// assert_eq!(tcp_packet::tcp_checksum(src, dst, &seg), 0);
/// ```
pub fn tcp_checksum(src: Ipv4Addr, dst: Ipv4Addr, segment: &[u8]) -> u16 {
    let len = (segment.len() as u16).to_be_bytes();
    let pseudo = [0, 6, len[0], len[1]];
    internet_checksum(&[&src.octets(), &dst.octets(), &pseudo, segment])
}

/// True if an IPv4 packet's header checksum and (for TCP) its segment
/// checksum both verify. Anything unparseable is `false`.
pub fn checksums_ok(packet: &[u8]) -> bool {
    let Some(&first) = packet.first() else {
        return false;
    };
    let ihl = usize::from(first & 0x0f) * 4;
    let Some(total) = packet
        .get(2..4)
        .map(|b| usize::from(u16::from_be_bytes([b[0], b[1]])))
    else {
        return false;
    };
    if ihl < 20 || total < ihl || total > packet.len() {
        return false;
    }
    if internet_checksum(&[&packet[..ihl]]) != 0 {
        return false;
    }
    if packet[9] != 6 {
        return true; // not TCP: only the IP header is ours to check
    }
    let src = Ipv4Addr::new(packet[12], packet[13], packet[14], packet[15]);
    let dst = Ipv4Addr::new(packet[16], packet[17], packet[18], packet[19]);
    tcp_checksum(src, dst, &packet[ihl..total]) == 0
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// Splitting the bytes into chunks at even offsets changes nothing.
        #[test]
        fn chunks_are_one_byte_string(bytes in proptest::collection::vec(any::<u8>(), 0..64), cut in 0usize..32) {
            let cut = (cut * 2).min(bytes.len() & !1);
            prop_assert_eq!(
                internet_checksum(&[&bytes[..cut], &bytes[cut..]]),
                internet_checksum(&[&bytes])
            );
        }

        /// Any even-length data with its checksum appended verifies to 0.
        #[test]
        fn appended_checksum_verifies(words in proptest::collection::vec(any::<u16>(), 0..32)) {
            let mut bytes: Vec<u8> = words.iter().flat_map(|w| w.to_be_bytes()).collect();
            let c = internet_checksum(&[&bytes]);
            bytes.extend_from_slice(&c.to_be_bytes());
            prop_assert_eq!(internet_checksum(&[&bytes]), 0);
        }
    }

    #[test]
    fn odd_length_pads_with_zero() {
        assert_eq!(
            internet_checksum(&[&[0xab]]),
            internet_checksum(&[&[0xab, 0]])
        );
    }
}
