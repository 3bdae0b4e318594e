// Exercise `syn_packet` — lesson 21, TCP by hand (三次握手: seq = x):
// docs/21-tcp-by-hand.md
//
// Write the first packet of a handshake, every byte of it: a 20-byte IPv4
// header followed by a 20-byte TCP header with only SYN set, sequence
// number `seq` (the x of the course's "seq = x"), no options, no data.
// The lesson has both header layouts as tables of bytes. Fill in:
// version/IHL, total length, TTL 64, protocol 6, both addresses, the IP
// header checksum; ports, seq, data offset (5 words, high 4 bits of byte
// 12), the SYN flag, a window (64240 is fine), and the TCP checksum.
// The checksums of the previous exercise are given below.
//
// The tests read your bytes back field by field, then hand your SYN to the
// real kernel over a TUN device (in a private network namespace): it must
// answer SYN|ACK with ack = x+1 — for x = 0xffffffff too, where x+1 wraps
// to 0. (Without root or user namespaces the kernel part is skipped.)
//
// 中文：
// 练习 `syn_packet`——第 21 课，亲手实现 TCP（三次握手：seq = x）。
//
// 亲手写出握手的第一个报文，每个字节都由你来定：20 字节的 IPv4 首部，后面
// 紧跟 20 字节的 TCP 首部，只置 SYN 标志，序列号为 `seq`（就是课程里
// “seq = x” 的 x），没有选项，也没有数据。两种首部的布局在本课里都有按字节
// 列出的表。要填的有：版本/首部长度、总长度、TTL 64、协议号 6、两个地址、
// IP 首部校验和；端口、序列号、数据偏移（5 个 32 位字，写在第 12 字节的高
// 4 位）、SYN 标志、窗口（64240 即可）以及 TCP 校验和。上一个练习的校验和
// 函数已经在下面给出。
//
// 测试先逐个字段读回你写的字节，再经由私有网络命名空间里的 TUN 设备把你的
// SYN 交给真实的内核：内核必须回 SYN|ACK，且 ack = x+1——x = 0xffffffff 时
// 也一样，这时 x+1 回绕成 0。（没有 root 或用户命名空间时，内核那部分跳过。）

use std::net::{Ipv4Addr, SocketAddrV4};

/// The 40-byte IPv4 packet carrying a SYN from `src` to `dst` with seq `seq`.
fn syn_packet(src: SocketAddrV4, dst: SocketAddrV4, seq: u32) -> Vec<u8> {
    // Start from 40 zero bytes: p[0..20] is the IPv4 header, p[20..40] the TCP header.
    let _p = vec![0u8; 40];
    todo!("fill both headers of a SYN {src} -> {dst} with seq = {seq}, then return them")
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

#[cfg(test)]
mod tests {
    use super::*;
    use exercises::tcp_lab::{with_kernel, ACK, KERNEL, SYN, US};
    use exercises::within;

    fn be16(p: &[u8], at: usize) -> u16 {
        u16::from_be_bytes([p[at], p[at + 1]])
    }

    /// Every field of the IPv4 and TCP headers is in its place, both checksums included.
    /// 中文：IP 首部和 TCP 首部的每个字段都在正确的位置上，两个校验和也对。
    #[test]
    fn every_field_in_its_place() {
        let p = syn_packet(US, KERNEL, 1000);
        assert_eq!(p.len(), 40, "20 bytes of IPv4 header + 20 of TCP header");
        assert_eq!(p[0], 0x45, "byte 0: version 4, header length 5 words");
        assert_eq!(be16(&p, 2), 40, "bytes 2..4: total length");
        assert!(p[8] > 0, "byte 8: a TTL of 0 would be dropped");
        assert_eq!(p[9], 6, "byte 9: protocol 6 = TCP");
        assert_eq!(p[12..16], US.ip().octets(), "bytes 12..16: source address");
        assert_eq!(p[16..20], KERNEL.ip().octets(), "bytes 16..20: destination");
        assert_eq!(internet_checksum(&[&p[..20]]), 0, "IPv4 header checksum");
        let t = &p[20..];
        assert_eq!(be16(t, 0), US.port(), "TCP bytes 0..2: source port");
        assert_eq!(
            be16(t, 2),
            KERNEL.port(),
            "TCP bytes 2..4: destination port"
        );
        assert_eq!(
            u32::from_be_bytes([t[4], t[5], t[6], t[7]]),
            1000,
            "TCP bytes 4..8: seq"
        );
        assert_eq!(t[12] >> 4, 5, "TCP byte 12: data offset, 5 words");
        assert_eq!(t[13], SYN, "TCP byte 13: only SYN");
        assert!(
            be16(t, 14) > 0,
            "TCP bytes 14..16: a window of 0 lets nothing in"
        );
        assert_eq!(tcp_checksum(*US.ip(), *KERNEL.ip(), t), 0, "TCP checksum");
    }

    fn kernel_answers(x: u32) {
        let src = SocketAddrV4::new(*US.ip(), 40000 + (x % 1000) as u16);
        let packet = syn_packet(src, KERNEL, x);
        within(20, move || {
            with_kernel(move |lab| {
                lab.send(&packet);
                match lab.reply(1000) {
                    Some(r) if r.has(SYN) && r.has(ACK) && r.ack == x.wrapping_add(1) => Ok(()),
                    Some(r) => Err(format!(
                        "the kernel answered {r:?}, not SYN|ACK with ack = x+1"
                    )),
                    None => Err("no answer: the kernel dropped your SYN".into()),
                }
            })
        });
    }

    /// The real kernel answers your SYN with a SYN|ACK acknowledging x+1.
    /// 中文：真实的内核对你的 SYN 回了 SYN|ACK，确认号是 x+1。
    #[test]
    fn the_kernel_answers_syn_ack_with_x_plus_1() {
        kernel_answers(3_000_000_007);
    }

    /// For x = 0xffffffff the kernel acknowledges 0: x+1 wraps around.
    /// 中文：x = 0xffffffff 时内核确认的是 0：x+1 回绕了。
    #[test]
    fn x_plus_1_wraps_around() {
        kernel_answers(u32::MAX);
    }
}
