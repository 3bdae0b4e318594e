//! DNS messages, by hand (RFC 1035, section 4). DNS is an application
//! protocol of its own, carried by UDP to port 53: one datagram asks, one
//! answers. Its layout is the notes' rule for any protocol — 报头 (header)
//! of FIXED length, then 数据 (the body):
//!
//! ```text
//!  0  1  2  3  4  5  6  7  8  9 10 11     bytes
//! [ ID  ][FLAGS][QDCNT][ANCNT][NSCNT][ARCNT]   12-byte header, always
//! [question: name, type, class][answers ...]  body, its size known from the counts
//! ```
//! The header needs no length prefix because its length never changes;
//! over UDP the message needs none because UDP keeps each datagram whole
//! (no 粘包). Over TCP (port 53 too, for answers too big for a datagram),
//! each message is preceded by a 2-byte length (RFC 1035 §4.2.2).

use std::net::Ipv4Addr;

/// Record type A (an IPv4 address) and class IN (the internet).
pub const TYPE_A: u16 = 1;
pub const CLASS_IN: u16 = 1;
/// Response codes: no error, and "no such name" (NXDOMAIN).
pub const NOERROR: u8 = 0;
pub const NXDOMAIN: u8 = 3;

/// The 12-byte header, field by field.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Header {
    /// Chosen by the asker, copied into the answer: matches them up.
    pub id: u16,
    /// 0 = query, 1 = response.
    pub qr: bool,
    pub opcode: u8,
    /// Authoritative answer.
    pub aa: bool,
    /// Truncated (the answer did not fit one datagram).
    pub tc: bool,
    /// Recursion desired / available.
    pub rd: bool,
    pub ra: bool,
    pub rcode: u8,
    pub qdcount: u16,
    pub ancount: u16,
    pub nscount: u16,
    pub arcount: u16,
}

impl Header {
    /// Six big-endian 16-bit words; the flags word packs QR(1) OPCODE(4)
    /// AA(1) TC(1) RD(1) | RA(1) Z(3) RCODE(4).
    pub fn encode(&self) -> [u8; 12] {
        let flags = (u16::from(self.qr) << 15)
            | (u16::from(self.opcode & 0xF) << 11)
            | (u16::from(self.aa) << 10)
            | (u16::from(self.tc) << 9)
            | (u16::from(self.rd) << 8)
            | (u16::from(self.ra) << 7)
            | u16::from(self.rcode & 0xF);
        let mut out = [0u8; 12];
        for (i, w) in [
            self.id,
            flags,
            self.qdcount,
            self.ancount,
            self.nscount,
            self.arcount,
        ]
        .iter()
        .enumerate()
        {
            out[2 * i..2 * i + 2].copy_from_slice(&w.to_be_bytes());
        }
        out
    }

    /// The first 12 bytes of `msg`, or `None` if it is shorter.
    pub fn decode(msg: &[u8]) -> Option<Header> {
        let w = |i: usize| Some(u16::from_be_bytes([*msg.get(2 * i)?, *msg.get(2 * i + 1)?]));
        let flags = w(1)?;
        Some(Header {
            id: w(0)?,
            qr: flags & 0x8000 != 0,
            opcode: ((flags >> 11) & 0xF) as u8,
            aa: flags & 0x0400 != 0,
            tc: flags & 0x0200 != 0,
            rd: flags & 0x0100 != 0,
            ra: flags & 0x0080 != 0,
            rcode: (flags & 0xF) as u8,
            qdcount: w(2)?,
            ancount: w(3)?,
            nscount: w(4)?,
            arcount: w(5)?,
        })
    }
}

/// `www.example` → `3www7example0`: each label prefixed by its length — a
/// length prefix again, per label, ended by a zero-length label.
pub fn encode_name(name: &str) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    for label in name
        .trim_end_matches('.')
        .split('.')
        .filter(|l| !l.is_empty())
    {
        if label.len() > 63 {
            return Err(demo_kit::tr!(
                "label {label:?} is longer than 63 bytes",
                "标签 {label:?} 超过了 63 个字节"
            ));
        }
        out.push(label.len() as u8);
        out.extend_from_slice(label.as_bytes());
    }
    out.push(0);
    Ok(out)
}

/// Reads a name at `at`; returns it and the offset after it. Follows
/// compression pointers (`0xC0 | offset`), at most 16 of them.
pub fn decode_name(msg: &[u8], mut at: usize) -> Option<(String, usize)> {
    let (mut labels, mut end, mut jumps) = (Vec::new(), None, 0);
    loop {
        let len = *msg.get(at)? as usize;
        if len & 0xC0 == 0xC0 {
            end.get_or_insert(at + 2);
            jumps += 1;
            if jumps > 16 {
                return None;
            }
            at = ((len & 0x3F) << 8) | *msg.get(at + 1)? as usize;
        } else if len == 0 {
            return Some((labels.join("."), end.unwrap_or(at + 1)));
        } else {
            labels.push(String::from_utf8_lossy(msg.get(at + 1..at + 1 + len)?).into_owned());
            at += 1 + len;
        }
    }
}

/// A query for the A record of `name`, recursion desired, like `dig name`.
pub fn query(id: u16, name: &str) -> Result<Vec<u8>, String> {
    let header = Header {
        id,
        rd: true,
        qdcount: 1,
        ..Header::default()
    };
    let mut msg = header.encode().to_vec();
    msg.extend(encode_name(name)?);
    msg.extend(TYPE_A.to_be_bytes());
    msg.extend(CLASS_IN.to_be_bytes());
    Ok(msg)
}

/// One answer record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Answer {
    pub name: String,
    pub rtype: u16,
    pub class: u16,
    pub ttl: u32,
    pub data: Vec<u8>,
}

/// A question: (name, type, class).
pub type Question = (String, u16, u16);

/// A whole message: header, the question, answers.
pub fn parse(msg: &[u8]) -> Option<(Header, Question, Vec<Answer>)> {
    let header = Header::decode(msg)?;
    let u16_at = |i: usize| Some(u16::from_be_bytes([*msg.get(i)?, *msg.get(i + 1)?]));
    if header.qdcount != 1 {
        return None;
    }
    let (qname, at) = decode_name(msg, 12)?;
    let question = (qname, u16_at(at)?, u16_at(at + 2)?);
    let mut at = at + 4;
    let mut answers = Vec::new();
    for _ in 0..header.ancount {
        let (name, next) = decode_name(msg, at)?;
        let ttl = u32::from_be_bytes(msg.get(next + 4..next + 8)?.try_into().ok()?);
        let len = u16_at(next + 8)? as usize;
        let data = msg.get(next + 10..next + 10 + len)?.to_vec();
        answers.push(Answer {
            name,
            rtype: u16_at(next)?,
            class: u16_at(next + 2)?,
            ttl,
            data,
        });
        at = next + 10 + len;
    }
    Some((header, question, answers))
}

/// A responder's answer to `query`, looking names up with `lookup`; `None`
/// for anything that is not a well-formed single-question query (ignored,
/// never a crash).
///
/// Its names are of class IN. A name it knows, asked for another type
/// (AAAA, say), gets "no error" and no answer: the name exists, it has no
/// record of that type ("NODATA", RFC 2308 §2.2). Only a name it does not
/// know gets "no such name" (NXDOMAIN, RFC 1035 §4.1.1).
pub fn respond(query: &[u8], lookup: impl Fn(&str) -> Option<Ipv4Addr>) -> Option<Vec<u8>> {
    let (asked, (name, qtype, qclass), _) = parse(query)?;
    if asked.qr {
        return None;
    }
    let known = (qclass == CLASS_IN).then(|| lookup(&name)).flatten();
    let found = known.filter(|_| qtype == TYPE_A);
    let header = Header {
        id: asked.id,
        qr: true,
        aa: true,
        rd: asked.rd,
        rcode: if known.is_some() { NOERROR } else { NXDOMAIN },
        qdcount: 1,
        ancount: u16::from(found.is_some()),
        ..Header::default()
    };
    let mut msg = header.encode().to_vec();
    msg.extend(encode_name(&name).ok()?);
    msg.extend(qtype.to_be_bytes());
    msg.extend(qclass.to_be_bytes());
    if let Some(ip) = found {
        msg.extend([0xC0, 12]); // the name: a pointer to the question's, at offset 12
        msg.extend(TYPE_A.to_be_bytes());
        msg.extend(CLASS_IN.to_be_bytes());
        msg.extend(60u32.to_be_bytes()); // TTL: may be cached 60 s
        msg.extend(4u16.to_be_bytes());
        msg.extend(ip.octets());
    }
    Some(msg)
}
