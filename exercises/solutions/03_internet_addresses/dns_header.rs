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
    let flags = (u16::from(h.qr) << 15)
        | (u16::from(h.opcode & 0xF) << 11)
        | (u16::from(h.aa) << 10)
        | (u16::from(h.tc) << 9)
        | (u16::from(h.rd) << 8)
        | (u16::from(h.ra) << 7)
        | u16::from(h.rcode & 0xF);
    let words = [h.id, flags, h.qdcount, h.ancount, h.nscount, h.arcount];
    let mut out = [0u8; 12];
    for (i, w) in words.iter().enumerate() {
        out[2 * i..2 * i + 2].copy_from_slice(&w.to_be_bytes());
    }
    out
}

/// The header at the start of `msg`, or `None` if `msg` is too short.
fn decode(msg: &[u8]) -> Option<Header> {
    if msg.len() < 12 {
        return None;
    }
    let w = |i: usize| u16::from_be_bytes([msg[2 * i], msg[2 * i + 1]]);
    let flags = w(1);
    Some(Header {
        id: w(0),
        qr: flags & 0x8000 != 0,
        opcode: ((flags >> 11) & 0xF) as u8,
        aa: flags & 0x0400 != 0,
        tc: flags & 0x0200 != 0,
        rd: flags & 0x0100 != 0,
        ra: flags & 0x0080 != 0,
        rcode: (flags & 0xF) as u8,
        qdcount: w(2),
        ancount: w(3),
        nscount: w(4),
        arcount: w(5),
    })
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
    let header = Header {
        id,
        rd: true,
        qdcount: 1,
        ..Header::default()
    };
    let mut query = encode(&header).to_vec();
    query.extend(question(name));
    let socket = UdpSocket::bind("127.0.0.1:0")?;
    socket.set_read_timeout(Some(std::time::Duration::from_secs(1)))?;
    socket.send_to(&query, server)?;
    let mut buf = [0u8; 512];
    loop {
        let (n, _) = socket.recv_from(&mut buf)?;
        match decode(&buf[..n]) {
            Some(h) if h.id == id && h.qr => return Ok(h),
            _ => continue, // not the answer to our question
        }
    }
}

// The tests are the exercise's own, kept once: see exercises/03_internet_addresses/dns_header.rs.
// (`cargo run -p course -- verify` runs them against this solution.)
