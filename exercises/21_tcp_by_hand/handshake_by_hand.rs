// Exercise `handshake_by_hand` — lesson 21, TCP by hand (三次握手):
// docs/21-tcp-by-hand.md
//
// You sent the kernel a SYN with seq = x. The kernel's answer arrives as a
// whole IPv4 packet. Write `answer`: if that packet is a SYN|ACK (both flags
// set) acknowledging x+1 (ack = x+1), return the third packet of the
// handshake: an ACK from `us` to `kernel` with seq = x+1 and ack = y+1,
// where y is the SYN|ACK's own seq. Anything else (an RST, a wrong ack)
// gets `None`: never acknowledge what you did not ask for.
//
// Read the fields yourself, big-endian. Careful: the TCP header starts
// where the IPv4 header ends, and the IPv4 header's length is in the low 4
// bits of byte 0, in 32-bit words (it is not always 20 bytes). The packet
// builder `segment` and the checksums are given below.
//
// The tests feed `answer` some hand-made packets, then do a real handshake
// with the kernel over a TUN device (in a private network namespace): its
// `accept()` must return. (Without root or user namespaces, skipped.)
//
// 中文：
// 练习 `handshake_by_hand`——第 21 课，亲手实现 TCP（三次握手）。
//
// 你已经给内核发了一个 seq = x 的 SYN，内核的回答是一个完整的 IPv4 报文。
// 写出 `answer`：如果这个报文是确认 x+1 的 SYN|ACK（两个标志都置位，且
// ack = x+1），就返回握手的第三个报文：从 `us` 发往 `kernel` 的 ACK，
// seq = x+1，ack = y+1，其中 y 是这个 SYN|ACK 自己的 seq。其他情况（RST、
// 确认号不对）一律返回 `None`：不是你请求的东西，绝不确认。
//
// 字段要自己按大端序读。注意：TCP 首部从 IPv4 首部结束的地方开始，而 IPv4
// 首部的长度写在第 0 字节的低 4 位，单位是 32 位字（并不总是 20 字节）。
// 构造报文的 `segment` 和校验和函数已经在下面给出。
//
// 测试先把几个手工构造的报文交给 `answer`，再经由 TUN 设备（在私有网络命名
// 空间里）和内核真正握一次手：内核那边的 `accept()` 必须返回。（没有 root
// 或用户命名空间时跳过。）

use std::net::{Ipv4Addr, SocketAddrV4};

const SYN: u8 = 0x02;
const ACK: u8 = 0x10;

/// The ACK that completes the handshake, or `None` if `from_kernel` is not
/// a SYN|ACK acknowledging x+1.
fn answer(from_kernel: &[u8], us: SocketAddrV4, kernel: SocketAddrV4, x: u32) -> Option<Vec<u8>> {
    todo!(
        "read the flags, seq and ack of {} bytes; answer {kernel} from {us} for x = {x}",
        from_kernel.len()
    )
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

#[cfg(test)]
mod tests {
    use super::*;
    use exercises::tcp_lab::{with_kernel, KERNEL, US};
    use exercises::within;

    fn field(p: &[u8], at: usize) -> u32 {
        u32::from_be_bytes([p[at], p[at + 1], p[at + 2], p[at + 3]])
    }

    /// The answer to a SYN|ACK is one ACK from us to the kernel with seq = x+1, ack = y+1 and a right checksum.
    /// 中文：对 SYN|ACK 的回答是一个从我们发往内核的 ACK：seq = x+1，ack = y+1，校验和正确。
    #[test]
    fn acknowledges_y_plus_1() {
        let synack = segment(KERNEL, US, 500, 1001, SYN | ACK);
        let ack =
            answer(&synack, US, KERNEL, 1000).expect("a SYN|ACK with ack = x+1 deserves an ACK");
        assert_eq!(ack.len(), 40);
        assert_eq!(ack[12..16], US.ip().octets(), "from us");
        assert_eq!(ack[16..20], KERNEL.ip().octets(), "to the kernel");
        assert_eq!(field(&ack, 24), 1001, "seq = x+1");
        assert_eq!(field(&ack, 28), 501, "ack = y+1");
        assert_eq!(ack[33], ACK, "only ACK");
        assert_eq!(
            tcp_checksum(*US.ip(), *KERNEL.ip(), &ack[20..]),
            0,
            "checksum"
        );
    }

    /// Sequence numbers wrap around: x+1 and y+1 of 0xffffffff are 0.
    /// 中文：序列号会回绕：0xffffffff 加 1 是 0。
    #[test]
    fn numbers_wrap_around() {
        let synack = segment(KERNEL, US, u32::MAX, 0, SYN | ACK);
        let ack = answer(&synack, US, KERNEL, u32::MAX).expect("x+1 wraps to 0");
        assert_eq!((field(&ack, 24), field(&ack, 28)), (0, 0));
    }

    /// A wrong ack, an RST or a SYN without ACK gets no answer.
    /// 中文：ack 不对、RST、不带 ACK 的 SYN，都不回答。
    #[test]
    fn refuses_what_it_did_not_ask_for() {
        let wrong_ack = segment(KERNEL, US, 500, 7, SYN | ACK);
        assert_eq!(answer(&wrong_ack, US, KERNEL, 1000), None, "ack is not x+1");
        let rst = segment(KERNEL, US, 0, 1001, 0x04 | ACK);
        assert_eq!(
            answer(&rst, US, KERNEL, 1000),
            None,
            "an RST is not a SYN|ACK"
        );
        let bare_syn = segment(KERNEL, US, 500, 1001, SYN);
        assert_eq!(answer(&bare_syn, US, KERNEL, 1000), None, "no ACK flag");
    }

    /// With IPv4 options the TCP header starts at byte 24: the IP header's length is read, not assumed to be 20.
    /// 中文：带 IPv4 选项时 TCP 首部从第 24 字节开始：IP 首部的长度要读出来，不能假定是 20。
    #[test]
    fn the_ipv4_header_length_is_read_not_assumed() {
        // The same SYN|ACK with 4 bytes of IPv4 options (header = 6 words).
        let plain = segment(KERNEL, US, 500, 1001, SYN | ACK);
        let mut p = plain[..20].to_vec();
        p.extend_from_slice(&[1, 1, 1, 0]); // NOP NOP NOP END
        p.extend_from_slice(&plain[20..]);
        p[0] = 0x46;
        p[2..4].copy_from_slice(&44u16.to_be_bytes());
        let ack = answer(&p, US, KERNEL, 1000).expect("the TCP header starts at byte 24 here");
        assert_eq!((field(&ack, 24), field(&ack, 28)), (1001, 501));
    }

    /// Over a TUN device, your ACK completes a real handshake: the kernel's `accept()` returns.
    /// 中文：通过 TUN 设备，你的 ACK 和内核完成了一次真正的三次握手：内核的 `accept()` 返回了。
    #[test]
    fn the_kernels_accept_returns() {
        let x = 0x0bad_cafe;
        let syn = segment(US, KERNEL, x, 0, SYN);
        within(20, move || {
            with_kernel(move |lab| {
                lab.send(&syn);
                let synack = lab.reply_packet(1000).ok_or("no SYN|ACK came")?;
                let ack =
                    answer(&synack, US, KERNEL, x).ok_or("you refused the kernel's SYN|ACK")?;
                lab.send(&ack);
                if lab.accepted(1000) {
                    Ok(())
                } else {
                    Err("the kernel's accept() did not return: it did not like your ACK".into())
                }
            })
        });
    }
}
