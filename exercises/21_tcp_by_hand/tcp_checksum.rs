// Exercise `tcp_checksum` — lesson 21, TCP by hand (报头, 三次握手):
// docs/21-tcp-by-hand.md
//
// Every IPv4 header and every TCP segment carries a 16-bit checksum, the
// "Internet checksum" of RFC 1071. A segment whose checksum is wrong is
// dropped by the kernel without a word. Write both:
//
// * `internet_checksum(chunks)`: read all the chunks as ONE byte string of
//   big-endian 16-bit words (pad an odd last byte with 0), add the words in
//   a u32, fold the carries back in (`sum = (sum & 0xffff) + (sum >> 16)`
//   until it fits in 16 bits), and return the bit-flipped sum (`!sum`).
// * `tcp_checksum(src, dst, segment)`: the same, over the 12-byte
//   pseudo-header (source address, destination address, a zero byte, the
//   protocol 6, the segment's length as u16) followed by the segment.
//
// The tests check RFC 1071's example, then build a SYN with YOUR checksums
// and hand it to the real kernel over a TUN device in a private network
// namespace: the kernel answers SYN|ACK only if both checksums are right.
// (Without root or user namespaces that part is skipped, saying why.)
//
// 中文：
// 练习 `tcp_checksum`——第 21 课，亲手实现 TCP（报头、三次握手）。
//
// 每个 IPv4 首部和每个 TCP 报文段都带一个 16 位的校验和，也就是 RFC 1071
// 定义的“互联网校验和”。校验和不对的报文段会被内核悄无声息地丢掉。两个函数
// 都要写：
//
// * `internet_checksum(chunks)`：把所有分块当作**同一个**字节串，按大端序
//   切成 16 位的字（最后多出一个字节就补一个 0），在 u32 里累加，再把进位
//   折回低 16 位（`sum = (sum & 0xffff) + (sum >> 16)`，直到放得进 16 位），
//   最后返回按位取反的结果（`!sum`）。
// * `tcp_checksum(src, dst, segment)`：算法相同，只是先算 12 字节的伪首部
//   （源地址、目的地址、一个 0 字节、协议号 6、报文段长度 u16），再接上报文段本身。
//
// 测试先核对 RFC 1071 里的例子，再用**你的**校验和构造一个 SYN，经由私有网络
// 命名空间里的 TUN 设备交给真实的内核：只有两个校验和都对，内核才会回
// SYN|ACK。（没有 root 或用户命名空间时，这一部分会跳过，并说明原因。）

use std::net::Ipv4Addr;

/// RFC 1071: the one's-complement of the one's-complement sum.
fn internet_checksum(chunks: &[&[u8]]) -> u16 {
    todo!("add up {} chunks as 16-bit big-endian words", chunks.len())
}

/// TCP's checksum: the pseudo-header, then the segment (whose checksum
/// field, bytes 16..18, is zero while computing).
fn tcp_checksum(src: Ipv4Addr, dst: Ipv4Addr, segment: &[u8]) -> u16 {
    todo!(
        "pseudo-header for {src} -> {dst}, then {} bytes",
        segment.len()
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use exercises::tcp_lab::{with_kernel, ACK, KERNEL, SYN, US};
    use exercises::within;

    /// RFC 1071's example words sum to 0xddf2, and the checksum is its complement.
    /// 中文：RFC 1071 例子里的几个字加起来是 0xddf2，校验和是它按位取反。
    #[test]
    fn rfc_1071_example() {
        // The words 0001 f203 f4f5 f6f7 sum to ddf2 (after folding the carry).
        let c = internet_checksum(&[&[0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7]]);
        assert_eq!(c, !0xddf2u16);
    }

    /// Carries fold back in, an odd last byte is padded with 0, and chunks count as one byte string.
    /// 中文：进位要加回低 16 位，奇数个字节时最后补一个 0，几段数据当成一个字节串来算。
    #[test]
    fn carries_fold_and_odd_bytes_pad() {
        assert_eq!(internet_checksum(&[&[0x80, 0x00, 0x80, 0x00]]), !0x0001u16);
        assert_eq!(internet_checksum(&[&[0xab]]), !0xab00u16);
        // Chunks are one byte string: splitting at an odd offset changes nothing.
        assert_eq!(
            internet_checksum(&[&[0x12], &[0x34, 0x56]]),
            internet_checksum(&[&[0x12, 0x34, 0x56]])
        );
        assert_eq!(internet_checksum(&[]), 0xffff);
    }

    /// A segment with its checksum filled in sums to 0, and the pseudo-header's addresses count.
    /// 中文：填好校验和的报文段再算一遍结果是 0；伪首部里的地址也参与计算。
    #[test]
    fn an_intact_segment_sums_to_zero() {
        let (a, b) = (Ipv4Addr::new(192, 0, 2, 2), Ipv4Addr::new(192, 0, 2, 1));
        let mut seg = [0u8; 24];
        seg[12] = 5 << 4;
        seg[13] = SYN;
        seg[20..].copy_from_slice(b"data");
        let c = tcp_checksum(a, b, &seg);
        seg[16..18].copy_from_slice(&c.to_be_bytes());
        assert_eq!(tcp_checksum(a, b, &seg), 0);
        assert_ne!(
            tcp_checksum(b, Ipv4Addr::new(192, 0, 2, 9), &seg),
            0,
            "the addresses count"
        );
    }

    /// A SYN from 192.0.2.2:40000 to 192.0.2.1:7000, checksums by you.
    fn syn(x: u32) -> Vec<u8> {
        let mut p = vec![0u8; 40];
        p[0] = 0x45;
        p[2..4].copy_from_slice(&40u16.to_be_bytes());
        p[8] = 64;
        p[9] = 6;
        p[12..16].copy_from_slice(&US.ip().octets());
        p[16..20].copy_from_slice(&KERNEL.ip().octets());
        let ip = internet_checksum(&[&p[..20]]);
        p[10..12].copy_from_slice(&ip.to_be_bytes());
        p[20..22].copy_from_slice(&US.port().to_be_bytes());
        p[22..24].copy_from_slice(&KERNEL.port().to_be_bytes());
        p[24..28].copy_from_slice(&x.to_be_bytes());
        p[32] = 5 << 4;
        p[33] = SYN;
        p[34..36].copy_from_slice(&64240u16.to_be_bytes());
        let tcp = tcp_checksum(*US.ip(), *KERNEL.ip(), &p[20..]);
        p[36..38].copy_from_slice(&tcp.to_be_bytes());
        p
    }

    /// The real kernel answers a SYN built with your checksums, and counts no checksum error.
    /// 中文：真实的内核回应了用你的校验和构造的 SYN，没有记下校验和错误。
    #[test]
    fn the_kernel_accepts_your_segment() {
        let packet = syn(0x1234_5678); // your code runs first, even without privilege
        within(20, move || {
            with_kernel(move |lab| {
                let errors = lab.checksum_errors();
                lab.send(&packet);
                let reply = lab.reply(1000);
                if lab.checksum_errors() != errors {
                    return Err(
                        "the kernel counted a checksum error (InCsumErrors) and dropped your SYN"
                            .into(),
                    );
                }
                match reply {
                    Some(r) if r.has(SYN) && r.has(ACK) && r.ack == 0x1234_5679 => Ok(()),
                    Some(r) => Err(format!("the kernel answered {r:?}, not SYN|ACK with ack = x+1")),
                    None => Err("no answer: the kernel dropped your SYN (is the IPv4 header checksum right?)".into()),
                }
            })
        });
    }
}
