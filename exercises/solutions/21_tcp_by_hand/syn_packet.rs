// Solution of `syn_packet` (lesson 21). The tests are the exercise's own:
// see exercises/21_tcp_by_hand/syn_packet.rs.

use std::net::{Ipv4Addr, SocketAddrV4};

/// The 40-byte IPv4 packet carrying a SYN from `src` to `dst` with seq `seq`.
fn syn_packet(src: SocketAddrV4, dst: SocketAddrV4, seq: u32) -> Vec<u8> {
    let mut p = vec![0u8; 40];
    // IPv4 header: bytes 0..20.
    p[0] = 0x45;
    p[2..4].copy_from_slice(&40u16.to_be_bytes());
    p[8] = 64;
    p[9] = 6;
    p[12..16].copy_from_slice(&src.ip().octets());
    p[16..20].copy_from_slice(&dst.ip().octets());
    let ip = internet_checksum(&[&p[..20]]);
    p[10..12].copy_from_slice(&ip.to_be_bytes());
    // TCP header: bytes 20..40.
    p[20..22].copy_from_slice(&src.port().to_be_bytes());
    p[22..24].copy_from_slice(&dst.port().to_be_bytes());
    p[24..28].copy_from_slice(&seq.to_be_bytes());
    p[32] = 5 << 4;
    p[33] = 0x02; // SYN
    p[34..36].copy_from_slice(&64240u16.to_be_bytes());
    let tcp = tcp_checksum(*src.ip(), *dst.ip(), &p[20..]);
    p[36..38].copy_from_slice(&tcp.to_be_bytes());
    p
}

// ---- given: the checksums of exercise `tcp_checksum` ----

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

/// TCP's checksum over the pseudo-header and the segment.
fn tcp_checksum(src: Ipv4Addr, dst: Ipv4Addr, segment: &[u8]) -> u16 {
    let len = (segment.len() as u16).to_be_bytes();
    internet_checksum(&[
        &src.octets(),
        &dst.octets(),
        &[0, 6, len[0], len[1]],
        segment,
    ])
}
