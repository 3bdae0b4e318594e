// Solution of `handshake_by_hand` (lesson 21). The tests are the exercise's
// own: see exercises/21_tcp_by_hand/handshake_by_hand.rs.

use std::net::{Ipv4Addr, SocketAddrV4};

const SYN: u8 = 0x02;
const ACK: u8 = 0x10;

/// The ACK that completes the handshake, or `None` if `from_kernel` is not
/// a SYN|ACK acknowledging x+1.
fn answer(from_kernel: &[u8], us: SocketAddrV4, kernel: SocketAddrV4, x: u32) -> Option<Vec<u8>> {
    let ihl = usize::from(*from_kernel.first()? & 0x0f) * 4;
    let tcp = from_kernel.get(ihl..ihl + 20)?;
    let word = |at: usize| u32::from_be_bytes([tcp[at], tcp[at + 1], tcp[at + 2], tcp[at + 3]]);
    let (y, ack, flags) = (word(4), word(8), tcp[13]);
    if flags & (SYN | ACK) != SYN | ACK || ack != x.wrapping_add(1) {
        return None;
    }
    Some(segment(
        us,
        kernel,
        x.wrapping_add(1),
        y.wrapping_add(1),
        ACK,
    ))
}

/// Given: any segment without data (the builder of exercise `syn_packet`,
/// with the flags and the ack number as parameters).
fn segment(src: SocketAddrV4, dst: SocketAddrV4, seq: u32, ack: u32, flags: u8) -> Vec<u8> {
    let mut p = vec![0u8; 40];
    p[0] = 0x45;
    p[2..4].copy_from_slice(&40u16.to_be_bytes());
    p[8] = 64;
    p[9] = 6;
    p[12..16].copy_from_slice(&src.ip().octets());
    p[16..20].copy_from_slice(&dst.ip().octets());
    let ip = internet_checksum(&[&p[..20]]);
    p[10..12].copy_from_slice(&ip.to_be_bytes());
    p[20..22].copy_from_slice(&src.port().to_be_bytes());
    p[22..24].copy_from_slice(&dst.port().to_be_bytes());
    p[24..28].copy_from_slice(&seq.to_be_bytes());
    p[28..32].copy_from_slice(&ack.to_be_bytes());
    p[32] = 5 << 4;
    p[33] = flags;
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
