//! DNS by hand, byte for byte (RFC 1035 §4.1): the limits the format sets,
//! the whole reply the responder builds (the 43 bytes lesson 03 shows), and
//! a responder that is gone once dropped.

use address_demo::dns::{self, Answer, Header};
use address_demo::dns_talk;
use std::net::{Ipv4Addr, UdpSocket};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// Runs `f` on a thread of its own and fails unless it returns within 2 s:
/// a decoder that follows pointers for ever fails the test instead of
/// hanging it (the spinning thread ends with the test binary).
pub fn within_2s<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(f());
    });
    rx.recv_timeout(Duration::from_secs(2))
        .expect("returned within 2 s")
}

/// A label is 63 bytes at most (RFC 1035 §2.3.4): its length byte's top two
/// bits are 00, and 11 marks a pointer (§4.1.4).
#[test]
fn a_label_of_63_bytes_is_encoded_and_one_of_64_refused() {
    demo_kit::lang::set(demo_kit::lang::Lang::En); // the message checked is the English one
    let l63 = "a".repeat(63);
    let mut want = vec![63];
    want.extend(l63.as_bytes());
    want.extend(b"\x01x\x00");
    assert_eq!(dns::encode_name(&format!("{l63}.x")).unwrap(), want);
    let l64 = "a".repeat(64);
    assert_eq!(
        dns::encode_name(&format!("{l64}.x")).unwrap_err(),
        format!("label {l64:?} is longer than 63 bytes")
    );
}

/// `len` pointers in a row, each to the one before, the first to the name
/// `a` at offset 0; returns the message and the offset of the last pointer.
fn pointer_chain(len: usize) -> (Vec<u8>, usize) {
    let mut msg = b"\x01a\x00".to_vec();
    let mut target = 0;
    for _ in 0..len {
        let at = msg.len();
        msg.extend([0xC0, target as u8]);
        target = at;
    }
    (msg, target)
}

/// "Follows compression pointers, at most 16 of them": 16 in a row are
/// followed, the 17th is refused.
#[test]
fn sixteen_pointers_are_followed_and_the_seventeenth_refused() {
    let (msg, last) = pointer_chain(16);
    let got = within_2s(move || dns::decode_name(&msg, last));
    assert_eq!(got, Some(("a".to_string(), last + 2)), "16 pointers");
    let (msg, last) = pointer_chain(17);
    assert_eq!(within_2s(move || dns::decode_name(&msg, last)), None);
}

/// A pointer is a 14-bit offset (RFC 1035 §4.1.4): its first byte's low 6
/// bits are the offset's high bits, so a name past byte 255 can be reached.
#[test]
fn a_pointer_reaches_past_byte_255() {
    let mut msg = vec![0u8; 280];
    msg.extend(b"\x03far\x00");
    msg[12..14].copy_from_slice(&[0xC1, 0x18]); // 0x118 = 280
    assert_eq!(dns::decode_name(&msg, 12), Some(("far".to_string(), 14)));
}

/// The responder's whole reply to `dig localhost`, as lesson 03 prints it:
/// the ID copied, QR=1 AA=1 RD copied, one question, one answer whose name
/// is a pointer to offset 12, type A, class IN, TTL 60, 127.0.0.1.
#[test]
fn the_reply_is_the_lessons_43_bytes() {
    let lookup = |n: &str| (n == "localhost").then_some(Ipv4Addr::LOCALHOST);
    let reply = dns::respond(&dns::query(0x07c3, "localhost").unwrap(), lookup).unwrap();
    let mut want = vec![0x07, 0xc3, 0x85, 0x00, 0, 1, 0, 1, 0, 0, 0, 0];
    want.extend(b"\x09localhost\x00\x00\x01\x00\x01");
    want.extend([0xc0, 0x0c, 0, 1, 0, 1, 0, 0, 0, 0x3c, 0, 4, 127, 0, 0, 1]);
    assert_eq!(reply, want);
    let (header, question, answers) = dns::parse(&reply).unwrap();
    let h = Header {
        id: 0x07c3,
        qr: true,
        aa: true,
        rd: true,
        qdcount: 1,
        ancount: 1,
        ..Header::default()
    };
    assert_eq!(header, h);
    assert_eq!(
        question,
        ("localhost".to_string(), dns::TYPE_A, dns::CLASS_IN)
    );
    assert_eq!(answers, [answer(60, [127, 0, 0, 1])]);
    // A query without RD gets a reply without it: the bit is copied.
    let mut q = dns::query(9, "localhost").unwrap();
    q[2] = 0;
    let (header, ..) = dns::parse(&dns::respond(&q, lookup).unwrap()).unwrap();
    assert_eq!((header.id, header.rd, header.aa), (9, false, true));
}

fn answer(ttl: u32, ip: [u8; 4]) -> Answer {
    Answer {
        name: "localhost".into(),
        rtype: dns::TYPE_A,
        class: dns::CLASS_IN,
        ttl,
        data: ip.to_vec(),
    }
}

/// Answers follow one another: each ends after its 10 fixed bytes and its
/// RDLENGTH bytes of data (RFC 1035 §4.1.3), where the next one starts.
#[test]
fn two_answers_are_read_one_after_the_other() {
    let mut msg = Header {
        id: 1,
        qr: true,
        qdcount: 1,
        ancount: 2,
        ..Header::default()
    }
    .encode()
    .to_vec();
    msg.extend(b"\x09localhost\x00\x00\x01\x00\x01");
    msg.extend([0xc0, 0x0c, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 127, 0, 0, 1]);
    msg.extend([0xc0, 0x0c, 0, 1, 0, 1, 0, 0, 1, 44, 0, 4, 127, 0, 0, 2]);
    let (_, _, answers) = dns::parse(&msg).unwrap();
    assert_eq!(
        answers,
        [answer(60, [127, 0, 0, 1]), answer(300, [127, 0, 0, 2])]
    );
}

/// The responder answers A records of class IN only: a question for AAAA
/// (type 28), or for class CH (3), gets no answer, whatever the lookup knows.
/// A known name asked for AAAA exists all the same: "no error", no data
/// (RFC 2308 §2.2); in class CH the responder knows no name: NXDOMAIN.
#[test]
fn only_a_records_of_class_in_are_answered() {
    for (qtype, qclass, rcode) in [
        (28u16, dns::CLASS_IN, dns::NOERROR),
        (dns::TYPE_A, 3, dns::NXDOMAIN),
    ] {
        let mut q = dns::query(5, "localhost").unwrap();
        let n = q.len();
        q[n - 4..n - 2].copy_from_slice(&qtype.to_be_bytes());
        q[n - 2..].copy_from_slice(&qclass.to_be_bytes());
        let reply = dns::respond(&q, |_| Some(Ipv4Addr::LOCALHOST)).unwrap();
        let (header, question, answers) = dns::parse(&reply).unwrap();
        assert_eq!(
            (question.1, question.2),
            (qtype, qclass),
            "the question is repeated"
        );
        assert_eq!(
            (header.ancount, answers, header.rcode),
            (0, vec![], rcode),
            "type {qtype} class {qclass}"
        );
    }
    // An unknown name, asked for AAAA: no such name.
    let mut q = dns::query(6, "nowhere.invalid").unwrap();
    let n = q.len();
    q[n - 4..n - 2].copy_from_slice(&28u16.to_be_bytes());
    let (header, ..) = dns::parse(&dns::respond(&q, |_| None).unwrap()).unwrap();
    assert_eq!((header.ancount, header.rcode), (0, dns::NXDOMAIN));
}

/// "A responder thread, stopped and joined on drop": once dropped, its
/// socket is closed and its port free again. Free within a second, not at
/// once: another test of this binary may be starting a process, and a
/// child between fork and exec holds a copy of every descriptor, the
/// responder's too, until exec closes the close-on-exec ones (fork(2),
/// execve(2)); nothing tells when that exec happens, so the bind is retried.
#[test]
fn a_dropped_responder_frees_its_port() {
    let r = dns_talk::start_responder().unwrap();
    let addr = r.addr;
    within_2s(move || drop(r)); // the drop joins the responder's thread
    let deadline = Instant::now() + Duration::from_secs(1);
    while let Err(e) = UdpSocket::bind(addr) {
        assert!(
            Instant::now() < deadline,
            "the dropped responder's port {addr} is still bound after 1 s: {e}"
        );
        std::thread::sleep(Duration::from_millis(2));
    }
}
