// Exercise `dns_header` — lesson 03, the internet and addresses
// (什么是互联网 / 标识地址的方式): docs/03-internet-addresses.md
//
// DNS turns a name into an address. It is a protocol of its own on UDP
// (port 53), and every DNS message starts with the same FIXED 12-byte
// header — the notes' rule "报头: 必须是固定长度" — made of six big-endian
// 16-bit words:
//
//   bytes 0-1  ID        chosen by the asker; the answer carries the same
//   bytes 2-3  flags     bit 15 QR (0 query, 1 response), bits 14-11 OPCODE,
//                        bit 10 AA, bit 9 TC, bit 8 RD, bit 7 RA,
//                        bits 6-4 Z (zero), bits 3-0 RCODE (0 ok, 3 no such name)
//   bytes 4-5  QDCOUNT   questions that follow the header
//   bytes 6-7  ANCOUNT   answers
//   bytes 8-9  NSCOUNT   authority records
//   bytes 10-11 ARCOUNT  additional records
//
// 1. `encode` and `decode` the header (`decode` of fewer than 12 bytes: None).
// 2. `ask`: send a query for `name` over UDP to `server` and return the
//    header of the reply. Build the query with `encode` + `question(name)`
//    (done): ID = `id`, RD set, QDCOUNT 1, the rest 0. Use a UdpSocket bound
//    to 127.0.0.1:0; wait at most 1 second for each datagram (a lost query
//    is never retransmitted for you: without a timeout you would wait
//    forever — return the timeout error). A datagram whose ID is not
//    yours, or that is not a response, is not your answer: ignore it and
//    keep waiting.
// The tests run a real responder on a loopback port.
//
// 中文：
// 练习 `dns_header`——第 03 课，什么是互联网 / 标识地址的方式。
//
// DNS 把名字转换成地址。它是跑在 UDP 上的一个独立协议（端口 53），每条 DNS 消
// 息都以同样的、固定 12 字节的报头开头——正是笔记里“报头：必须是固定长度”这条规
// 则——由六个大端序的 16 位字组成：
//
//   字节 0-1   ID        由提问方选定；回答里带着同一个 ID
//   字节 2-3   flags     第 15 位 QR（0 查询，1 响应），第 14-11 位 OPCODE，
//                        第 10 位 AA，第 9 位 TC，第 8 位 RD，第 7 位 RA，
//                        第 6-4 位 Z（为 0），第 3-0 位 RCODE（0 成功，3 无此名字）
//   字节 4-5   QDCOUNT   报头之后的问题数
//   字节 6-7   ANCOUNT   回答数
//   字节 8-9   NSCOUNT   授权记录数
//   字节 10-11 ARCOUNT   附加记录数
//
// 1. 写出报头的 `encode` 和 `decode`（`decode` 遇到不足 12 字节：None）。
// 2. `ask`：通过 UDP 向 `server` 发送一个查询 `name` 的请求，返回响应的报头。
//    用 `encode` + `question(name)`（已写好）构造查询：ID = `id`，置上 RD，
//    QDCOUNT 为 1，其余为 0。使用绑定到 127.0.0.1:0 的 UdpSocket；每个数据报最
//    多等 1 秒（丢失的查询没有人会替你重传：不设超时就会永远等下去——返回超时错
//    误）。ID 不是你的、或者不是响应的数据报，都不是你要的回答：忽略它，继续
//    等。
// 测试在一个回环地址的端口上运行一个真实的应答方。

use std::io;
use std::net::{SocketAddr, UdpSocket};

/// The 12-byte DNS header, field by field.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Header {
    id: u16,
    qr: bool,
    opcode: u8,
    aa: bool,
    tc: bool,
    rd: bool,
    ra: bool,
    rcode: u8,
    qdcount: u16,
    ancount: u16,
    nscount: u16,
    arcount: u16,
}

/// The header's 12 bytes.
fn encode(h: &Header) -> [u8; 12] {
    todo!("six big-endian u16 words; the flags word from {h:?}")
}

/// The header at the start of `msg`, or `None` if `msg` is too short.
fn decode(msg: &[u8]) -> Option<Header> {
    todo!("the reverse of encode, for {} bytes", msg.len())
}

/// The question that follows the header: the name as length-prefixed
/// labels ending with 0, then type A (1) and class IN (1).
fn question(name: &str) -> Vec<u8> {
    let mut q = Vec::new();
    for label in name.split('.').filter(|l| !l.is_empty()) {
        q.push(label.len() as u8);
        q.extend_from_slice(label.as_bytes());
    }
    q.extend_from_slice(&[0, 0, 1, 0, 1]);
    q
}

/// Asks `server` for `name`'s address; returns the reply's header.
fn ask(server: SocketAddr, id: u16, name: &str) -> io::Result<Header> {
    todo!("bind, sendto the query {id} for {name:?} to {server}, recvfrom with a timeout")
}

#[cfg(test)]
mod tests {
    use super::*;
    use exercises::within;
    use std::time::{Duration, Instant};

    /// A query's header encodes to its 12 big-endian bytes: the ID, RD set, QDCOUNT 1.
    /// 中文：查询的首部编码成 12 个大端字节：ID、RD 置位、QDCOUNT 为 1。
    #[test]
    fn encode_a_query_header() {
        let h = Header {
            id: 0xABCD,
            rd: true,
            qdcount: 1,
            ..Header::default()
        };
        assert_eq!(encode(&h), [0xAB, 0xCD, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0]);
    }

    /// Every flag and count lands on its own bits and bytes (QR is the top bit of byte 2, RA the top bit of byte 3).
    /// 中文：每个标志位和计数都落在自己的位和字节上（QR 是第 2 字节的最高位，RA 是第 3 字节的最高位）。
    #[test]
    fn encode_every_flag() {
        let h = Header {
            id: 1,
            qr: true,
            opcode: 2,
            aa: true,
            tc: true,
            rd: true,
            ra: true,
            rcode: 3,
            qdcount: 0x0102,
            ancount: 3,
            nscount: 4,
            arcount: 0xFFFF,
        };
        assert_eq!(encode(&h), [0, 1, 0x97, 0x83, 1, 2, 0, 3, 0, 4, 0xFF, 0xFF]);
        let only_qr = Header {
            qr: true,
            ..Header::default()
        };
        assert_eq!(encode(&only_qr)[2..4], [0x80, 0x00]);
        let only_ra = Header {
            ra: true,
            ..Header::default()
        };
        assert_eq!(encode(&only_ra)[2..4], [0x00, 0x80]);
    }

    /// A real reply's header decodes to its ID, QR, AA, RD and NXDOMAIN; fewer than 12 bytes give `None`.
    /// 中文：真实回复的首部能解码出 ID、QR、AA、RD 和 NXDOMAIN；不足 12 字节时返回 `None`。
    #[test]
    fn decode_a_real_reply_header() {
        // A reply as address-demo's responder sent it: ID 0x6c33, QR AA RD, NXDOMAIN.
        let h = decode(&[0x6c, 0x33, 0x85, 0x03, 0, 1, 0, 0, 0, 0, 0, 0, 0xAA]).unwrap();
        assert_eq!(
            h,
            Header {
                id: 0x6c33,
                qr: true,
                aa: true,
                rd: true,
                rcode: 3,
                qdcount: 1,
                ..Header::default()
            }
        );
        assert_eq!(decode(&[0; 11]), None);
    }

    /// For every pattern of flags, `decode` then `encode` gives back the same bytes (bar the Z bits).
    /// 中文：各种标志位组合先 `decode` 再 `encode`，都得到原来的字节（Z 位除外）。
    #[test]
    fn decode_undoes_encode() {
        for bits in [0u16, 0xFFFF, 0x8000, 0x7800, 0x0780, 0x000F, 0x1234] {
            let mut bytes = [0u8; 12];
            bytes[2..4].copy_from_slice(&bits.to_be_bytes());
            bytes[6] = 7;
            let h = decode(&bytes).unwrap();
            // The Z bits (6-4) are not kept; everything else round-trips.
            let mut expect = bytes;
            expect[3] &= !0x70;
            assert_eq!(encode(&h), expect, "flags {bits:#06x}");
        }
    }

    /// A responder: for each query, first a decoy with the wrong ID, then
    /// the real answer (NOERROR for "localhost", NXDOMAIN otherwise).
    /// With `silent`, it answers nothing.
    fn responder(silent: bool) -> SocketAddr {
        let socket = UdpSocket::bind("127.0.0.1:0").unwrap();
        socket
            .set_read_timeout(Some(Duration::from_secs(5)))
            .unwrap();
        let addr = socket.local_addr().unwrap();
        std::thread::spawn(move || {
            let mut buf = [0u8; 512];
            while let Ok((n, peer)) = socket.recv_from(&mut buf) {
                if silent || n < 12 {
                    continue;
                }
                let q = &buf[..n];
                let known = q[12..].starts_with(b"\x09localhost\x00");
                let id = u16::from_be_bytes([q[0], q[1]]);
                let mut reply = q.to_vec();
                reply[2] = 0x85; // QR, AA, RD
                reply[3] = if known { 0 } else { 3 };
                let mut decoy = reply.clone();
                decoy[..2].copy_from_slice(&id.wrapping_add(1).to_be_bytes());
                let _ = socket.send_to(&decoy, peer);
                let _ = socket.send_to(q, peer); // an echo of the query: not a response
                let _ = socket.send_to(&reply, peer);
            }
        });
        addr
    }

    /// `ask` skips a reply with another ID and the echo of its own query, and returns its answer (NXDOMAIN for an unknown name).
    /// 中文：`ask` 跳过 ID 不对的回复和原样弹回的查询，只返回针对自己这个问题的回复；查不到的名字得到 NXDOMAIN。
    #[test]
    fn ask_gets_the_answer_to_its_own_question() {
        within(10, || {
            let server = responder(false);
            let h = ask(server, 0x4242, "localhost").unwrap();
            assert_eq!(
                (h.id, h.qr, h.aa, h.rd, h.rcode, h.qdcount),
                (0x4242, true, true, true, 0, 1)
            );
            let h = ask(server, 7, "no-such-host.invalid").unwrap();
            assert_eq!((h.id, h.rcode), (7, 3), "NXDOMAIN");
        });
    }

    /// When nobody answers, `ask` returns a timeout error after about a second instead of waiting forever.
    /// 中文：没人应答时，`ask` 大约 1 秒后返回超时错误，而不是一直等下去。
    #[test]
    fn ask_gives_up_when_nobody_answers() {
        within(10, || {
            let started = Instant::now();
            let e = ask(responder(true), 1, "localhost").unwrap_err();
            assert!(
                matches!(
                    e.kind(),
                    io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                ),
                "{e}"
            );
            assert!(
                started.elapsed() < Duration::from_secs(3),
                "at most about 1 second"
            );
        });
    }
}
