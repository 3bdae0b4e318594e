// Solution of `tcp_checksum` (lesson 21). The tests are the exercise's own:
// see exercises/21_tcp_by_hand/tcp_checksum.rs.

use std::net::Ipv4Addr;

/// RFC 1071: the one's-complement of the one's-complement sum.
fn internet_checksum(chunks: &[&[u8]]) -> u16 {
    let mut sum: u32 = 0;
    let mut high = true;
    for chunk in chunks {
        for &b in *chunk {
            sum += if high {
                u32::from(b) << 8
            } else {
                u32::from(b)
            };
            high = !high;
        }
    }
    while sum > 0xffff {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    !(sum as u16)
}

/// TCP's checksum: the pseudo-header, then the segment (whose checksum
/// field, bytes 16..18, is zero while computing).
fn tcp_checksum(src: Ipv4Addr, dst: Ipv4Addr, segment: &[u8]) -> u16 {
    let len = (segment.len() as u16).to_be_bytes();
    internet_checksum(&[
        &src.octets(),
        &dst.octets(),
        &[0, 6, len[0], len[1]],
        segment,
    ])
}
