// Exercise `teardown_by_hand` — lesson 21, TCP by hand (四次挥手):
// docs/21-tcp-by-hand.md
//
// The handshake is done (the tests do it for you, with the given
// `segment`), and the kernel's application calls `close()` first: the
// kernel sends FIN|ACK. Write `answer_fin`: if the packet is a FIN whose
// ack is `our_next` (our next sequence number: it has everything we sent),
// answer with our own FIN|ACK in one packet: seq = our_next, and
// ack = the FIN's seq + 1, because a FIN occupies one sequence number just
// like a SYN. Anything else gets `None`.
//
// The tests check the numbers on hand-made packets, then close a real
// connection with the kernel over a TUN device (in a private network
// namespace): the kernel must acknowledge your FIN (ack = our_next + 1)
// and its socket must sit in TIME_WAIT, the state of the side that closed
// first. (Without root or user namespaces the kernel part is skipped.)
//
// 中文：
// 练习 `teardown_by_hand`——第 21 课，亲手实现 TCP（四次挥手）。
//
// 握手已经完成（测试用给出的 `segment` 替你做了），内核一侧的应用程序先调用
// `close()`：内核发来 FIN|ACK。写出 `answer_fin`：如果这个报文是 FIN，并且
// 它的 ack 等于 `our_next`（我们的下一个序列号，说明我们发的它都收到了），
// 就用一个报文回我们自己的 FIN|ACK：seq = our_next，ack = 对方 FIN 的 seq + 1，
// 因为 FIN 和 SYN 一样要占用一个序列号。其他情况一律返回 `None`。
//
// 测试先在手工构造的报文上核对这些数字，再经由 TUN 设备（在私有网络命名空间
// 里）和内核真正关闭一条连接：内核必须确认你的 FIN（ack = our_next + 1），
// 而且它的套接字必须停在 TIME_WAIT——先关闭的一方所处的状态。（没有 root
// 或用户命名空间时，内核那部分跳过。）

use std::net::{Ipv4Addr, SocketAddrV4};

const SYN: u8 = 0x02;
const ACK: u8 = 0x10;
const FIN: u8 = 0x01;

/// Our FIN|ACK answering the kernel's FIN, or `None` if `from_kernel` is
/// not a FIN acknowledging `our_next`.
fn answer_fin(
    from_kernel: &[u8],
    us: SocketAddrV4,
    kernel: SocketAddrV4,
    our_next: u32,
) -> Option<Vec<u8>> {
    todo!(
        "answer the kernel's FIN ({} bytes) from {us} to {kernel}, our next seq {our_next}",
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

    /// The answer to the kernel's FIN is one FIN|ACK with seq = our_next and ack = the FIN's seq + 1.
    /// 中文：对内核 FIN 的回答是一个 FIN|ACK：seq = our_next，ack = 对方 FIN 的 seq + 1。
    #[test]
    fn the_fin_takes_one_sequence_number() {
        let fin = segment(KERNEL, US, 700, 1001, FIN | ACK);
        let ours = answer_fin(&fin, US, KERNEL, 1001).expect("a FIN acknowledging our_next");
        assert_eq!(ours.len(), 40);
        assert_eq!(ours[12..16], US.ip().octets(), "from us");
        assert_eq!(ours[16..20], KERNEL.ip().octets(), "to the kernel");
        assert_eq!(field(&ours, 24), 1001, "seq = our_next");
        assert_eq!(field(&ours, 28), 701, "ack = the FIN's seq + 1");
        assert_eq!(ours[33], FIN | ACK, "FIN and ACK in one packet");
        assert_eq!(
            tcp_checksum(*US.ip(), *KERNEL.ip(), &ours[20..]),
            0,
            "checksum"
        );
    }

    /// The FIN's seq + 1 wraps around: 0xffffffff + 1 is 0.
    /// 中文：FIN 的 seq + 1 会回绕：0xffffffff 加 1 是 0。
    #[test]
    fn numbers_wrap_around() {
        let fin = segment(KERNEL, US, u32::MAX, 5, FIN | ACK);
        let ours = answer_fin(&fin, US, KERNEL, 5).expect("a FIN");
        assert_eq!((field(&ours, 24), field(&ours, 28)), (5, 0));
    }

    /// A packet without FIN, or a FIN that has not got all our bytes, gets no answer.
    /// 中文：不带 FIN 的包，或者还没确认完我们全部数据的 FIN，都不回答。
    #[test]
    fn only_a_fin_gets_a_fin() {
        let ack = segment(KERNEL, US, 700, 1001, ACK);
        assert_eq!(answer_fin(&ack, US, KERNEL, 1001), None, "no FIN flag");
        let early = segment(KERNEL, US, 700, 990, FIN | ACK);
        assert_eq!(
            answer_fin(&early, US, KERNEL, 1001),
            None,
            "it has not got all our bytes"
        );
    }

    /// Over a TUN device, the kernel acknowledges your FIN and its socket waits in TIME_WAIT, as the side that closed first.
    /// 中文：通过 TUN 设备，内核确认了你的 FIN；它先关闭，所以它的套接字停在 TIME_WAIT。
    #[test]
    fn the_kernel_closes_and_waits_in_time_wait() {
        let x = 0x7ead_0000;
        within(20, move || {
            with_kernel(move |lab| {
                lab.send(&segment(US, KERNEL, x, 0, SYN));
                let synack = lab.reply(1000).ok_or("no SYN|ACK came")?;
                lab.send(&segment(US, KERNEL, x + 1, synack.seq.wrapping_add(1), ACK));
                if !lab.accepted(1000) {
                    return Err("the handshake failed (not your code)".into());
                }
                lab.close_accepted();
                let fin = lab
                    .reply_packet(1000)
                    .ok_or("the kernel's FIN never came")?;
                let ours =
                    answer_fin(&fin, US, KERNEL, x + 1).ok_or("you refused the kernel's FIN")?;
                lab.send(&ours);
                match lab.reply(1000) {
                    Some(r) if r.flags & ACK != 0 && r.ack == x + 2 => {}
                    other => {
                        return Err(format!(
                            "the kernel did not acknowledge your FIN: {other:?}"
                        ))
                    }
                }
                match lab.kernel_state(US).as_str() {
                    "TIME_WAIT" => Ok(()),
                    s => Err(format!("the kernel's socket is {s}, not TIME_WAIT")),
                }
            })
        });
    }
}
