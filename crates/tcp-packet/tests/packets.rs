//! The parser trusts no length, and the checksums and the ladder say
//! exactly what they should: each rule of header.rs, checksum.rs and
//! ladder.rs, checked at its boundary.

use std::net::{Ipv4Addr, SocketAddrV4};
use tcp_packet::checksum::checksums_ok;
use tcp_packet::{
    internet_checksum, parse_ipv4_tcp, tcp_checksum, tcp_payload, Ladder, Segment, ACK, FIN, PSH,
    RST, SYN, URG,
};

fn seg(flags: u8, payload_len: usize) -> Segment {
    Segment {
        src: "192.0.2.2:40000".parse().unwrap(),
        dst: "192.0.2.1:7000".parse().unwrap(),
        seq: 0x0102_0304,
        ack: 0x0a0b_0c0d,
        flags,
        window: 0x1234,
        payload_len,
    }
}

/// Puts a correct IP header checksum back after the header was edited.
fn fix_ip_checksum(p: &mut [u8]) {
    let ihl = usize::from(p[0] & 0x0f) * 4;
    p[10..12].fill(0);
    let c = internet_checksum(&[&p[..ihl]]);
    p[10..12].copy_from_slice(&c.to_be_bytes());
}

/// Puts a correct TCP checksum back after the segment was edited.
fn fix_tcp_checksum(p: &mut [u8]) {
    let ihl = usize::from(p[0] & 0x0f) * 4;
    let total = usize::from(u16::from_be_bytes([p[2], p[3]]));
    let src = Ipv4Addr::new(p[12], p[13], p[14], p[15]);
    let dst = Ipv4Addr::new(p[16], p[17], p[18], p[19]);
    p[ihl + 16..ihl + 18].fill(0);
    let c = tcp_checksum(src, dst, &p[ihl..total]);
    p[ihl + 16..ihl + 18].copy_from_slice(&c.to_be_bytes());
}

#[test]
fn a_built_packet_has_every_field_where_the_rfcs_put_it() {
    let p = seg(PSH | ACK, 3).to_packet(b"abc");
    assert_eq!(p.len(), 43);
    assert_eq!(p[0], 0x45, "IPv4, 5-word header");
    assert_eq!(&p[2..4], &43u16.to_be_bytes(), "total length");
    assert_eq!((p[6], p[8], p[9]), (0x40, 64, 6), "DF, TTL 64, TCP");
    assert_eq!(&p[12..20], &[192, 0, 2, 2, 192, 0, 2, 1]);
    assert_eq!(&p[20..24], &[0x9c, 0x40, 0x1b, 0x58], "ports 40000, 7000");
    assert_eq!(&p[24..32], &[1, 2, 3, 4, 10, 11, 12, 13], "seq, ack");
    assert_eq!(
        (p[32], p[33]),
        (0x50, PSH | ACK),
        "5-word TCP header, flags"
    );
    assert_eq!(&p[34..36], &[0x12, 0x34], "window");
    assert_eq!(&p[40..], b"abc");
    assert!(checksums_ok(&p));
}

#[test]
fn the_checksum_is_rfc_1071s() {
    // RFC 1071 section 3's example: the sum of 0001 f203 f4f5 f6f7 is ddf2.
    let words = [0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7];
    assert_eq!(internet_checksum(&[&words]), !0xddf2);
    // Carries are folded back in, more than once if need be.
    assert_eq!(internet_checksum(&[&[0xff, 0xff, 0xff, 0xff]]), 0x0000);
    assert_eq!(internet_checksum(&[&[0x80, 0x00, 0x80, 0x00]]), 0xfffe);
    assert_eq!(internet_checksum(&[&[0xff; 600]]), 0x0000);
    assert_eq!(internet_checksum(&[]), 0xffff);
    // The high byte of a word comes first; an odd byte is a high byte.
    assert_eq!(internet_checksum(&[&[0x12, 0x34]]), !0x1234);
    assert_eq!(internet_checksum(&[&[0x12]]), !0x1200);
    // Chunks are one byte string: a word may span two chunks.
    assert_eq!(internet_checksum(&[&[0x12], &[0x34]]), !0x1234);
}

#[test]
fn the_tcp_checksum_covers_the_pseudo_header() {
    let src = Ipv4Addr::new(10, 0, 0, 1);
    let dst = Ipv4Addr::new(10, 0, 0, 2);
    let segment = [0u8; 20];
    // By hand: the pseudo-header's words 0a00 0001 0a00 0002 0006 0014.
    let sum: u32 = 0x0a00 + 0x0001 + 0x0a00 + 0x0002 + 0x0006 + 0x0014;
    assert_eq!(tcp_checksum(src, dst, &segment), !(sum as u16));
    // Another address, another checksum: a misdelivered segment fails.
    assert_ne!(
        tcp_checksum(src, Ipv4Addr::new(10, 0, 0, 3), &segment),
        tcp_checksum(src, dst, &segment)
    );
}

#[test]
fn checksums_ok_checks_both_checksums_and_every_length() {
    let good = seg(SYN, 2).to_packet(b"hi");
    assert!(checksums_ok(&good));

    let mut bad_ip = good.clone();
    bad_ip[8] = 63; // TTL changed, IP checksum not updated
    assert!(!checksums_ok(&bad_ip));
    let mut bad_tcp = good.clone();
    bad_tcp[41] ^= 0x01; // payload changed, TCP checksum not updated
    assert!(!checksums_ok(&bad_tcp));

    // Not TCP: only the IP header is checked.
    let mut udp = bad_tcp.clone();
    udp[9] = 17;
    fix_ip_checksum(&mut udp);
    assert!(checksums_ok(&udp));

    // Lengths: an IP header under 20 bytes, a total under the header or
    // past the end, and an empty packet are refused.
    assert!(!checksums_ok(&[]));
    let mut short_header = good.clone();
    short_header[0] = 0x44;
    fix_ip_checksum(&mut short_header);
    assert!(!checksums_ok(&short_header));
    let mut total_under_header = good.clone();
    total_under_header[2..4].copy_from_slice(&19u16.to_be_bytes());
    fix_ip_checksum(&mut total_under_header);
    assert!(!checksums_ok(&total_under_header));
    let mut total_past_end = good.clone();
    total_past_end[2..4].copy_from_slice(&43u16.to_be_bytes());
    fix_ip_checksum(&mut total_past_end);
    assert!(!checksums_ok(&total_past_end));
    assert!(!checksums_ok(&good[..1]), "no total length");
    assert!(!checksums_ok(&good[..41]), "cut short");

    // Exactly at each bound: a header of 20, a total equal to the header
    // (no TCP at all: its checksum is over nothing), a total equal to the
    // packet's length, and trailing bytes past the total (ignored).
    let mut header_only = good[..20].to_vec();
    header_only[2..4].copy_from_slice(&20u16.to_be_bytes());
    header_only[9] = 17;
    fix_ip_checksum(&mut header_only);
    assert!(checksums_ok(&header_only));
    let mut trailing = good.clone();
    trailing.extend_from_slice(&[0xee; 6]); // e.g. Ethernet padding
    assert!(checksums_ok(&trailing));

    // An IP header with options (24 bytes): the TCP segment starts after it.
    let with_options = ip_options(&good);
    assert!(checksums_ok(&with_options));
}

/// `p` with a 4-byte IP option (NOP NOP NOP EOL) inserted, lengths and
/// checksums fixed.
fn ip_options(p: &[u8]) -> Vec<u8> {
    let mut q = p[..20].to_vec();
    q.extend_from_slice(&[1, 1, 1, 0]);
    q.extend_from_slice(&p[20..]);
    q[0] = 0x46;
    let total = (q.len() as u16).to_be_bytes();
    q[2..4].copy_from_slice(&total);
    fix_ip_checksum(&mut q);
    fix_tcp_checksum(&mut q);
    q
}

/// `p` with a 4-byte TCP option (NOP NOP NOP EOL), lengths and checksums
/// fixed.
fn tcp_options(p: &[u8]) -> Vec<u8> {
    let ihl = usize::from(p[0] & 0x0f) * 4;
    let mut q = p[..ihl + 20].to_vec();
    q.extend_from_slice(&[1, 1, 1, 0]);
    q.extend_from_slice(&p[ihl + 20..]);
    q[ihl + 12] = 6 << 4;
    let total = (q.len() as u16).to_be_bytes();
    q[2..4].copy_from_slice(&total);
    fix_ip_checksum(&mut q);
    fix_tcp_checksum(&mut q);
    q
}

#[test]
fn the_parser_reads_each_field_and_finds_the_payload_after_options() {
    let s = seg(FIN | ACK, 5);
    let p = s.to_packet(b"hello");
    assert_eq!(parse_ipv4_tcp(&p), Some(s));
    assert_eq!(tcp_payload(&p), Some(&b"hello"[..]));

    for q in [
        ip_options(&p),
        tcp_options(&p),
        tcp_options(&ip_options(&p)),
    ] {
        assert!(checksums_ok(&q));
        assert_eq!(parse_ipv4_tcp(&q), Some(s), "{q:02x?}");
        assert_eq!(tcp_payload(&q), Some(&b"hello"[..]), "{q:02x?}");
    }

    // Bytes after the IP total length are not payload.
    let mut trailing = p.clone();
    trailing.extend_from_slice(&[0xee; 6]);
    assert_eq!(parse_ipv4_tcp(&trailing), Some(s));
    assert_eq!(tcp_payload(&trailing), Some(&b"hello"[..]));

    // No payload at all: the TCP header ends exactly at the total length.
    let bare = seg(ACK, 0).to_packet(&[]);
    assert_eq!(parse_ipv4_tcp(&bare).map(|s| s.payload_len), Some(0));
    assert_eq!(tcp_payload(&bare), Some(&[][..]));
}

#[test]
fn the_parser_trusts_no_length() {
    let p = seg(SYN, 2).to_packet(b"hi");
    let refused = |edit: &dyn Fn(&mut Vec<u8>), why: &str| {
        let mut q = p.clone();
        edit(&mut q);
        assert_eq!(parse_ipv4_tcp(&q), None, "{why}");
        assert_eq!(tcp_payload(&q), None, "{why}");
    };
    refused(&|q| q.clear(), "empty");
    refused(&|q| q[0] = 0x65, "IPv6, not IPv4");
    refused(&|q| q[0] = 0x44, "IP header of 16 bytes");
    refused(
        &|q| q[2..4].copy_from_slice(&19u16.to_be_bytes()),
        "total under the IP header",
    );
    refused(
        &|q| q[2..4].copy_from_slice(&43u16.to_be_bytes()),
        "total past the end",
    );
    refused(&|q| q[9] = 17, "UDP");
    refused(&|q| q[32] = 4 << 4, "TCP header of 16 bytes");
    refused(
        &|q| q[32] = 6 << 4,
        "TCP header of 24 bytes, past the total",
    );
    refused(&|q| q.truncate(3), "no room for the total length");
    // An IP header under 20 bytes is refused even when a TCP header could
    // be read after it (here: at byte 16, inside the addresses).
    let mut q = p.clone();
    q[0] = 0x44;
    q[16 + 12] = 5 << 4;
    assert_eq!(
        parse_ipv4_tcp(&q),
        None,
        "IP header of 16 bytes, TCP after it"
    );
    // (`total < ip_len` needs no test of its own: a TCP header of at least
    // 20 bytes must also fit in `total`, which refuses the same packets.)
    // A TCP header that ends exactly at the total length is fine.
    let mut q = p.clone();
    q[32] = 5 << 4;
    q.truncate(40);
    q[2..4].copy_from_slice(&40u16.to_be_bytes());
    assert_eq!(parse_ipv4_tcp(&q).map(|s| s.payload_len), Some(0));
}

#[test]
fn flags_are_named_in_the_courses_order_and_seq_len_counts_syn_and_fin() {
    let names = |flags| seg(flags, 0).flag_names();
    assert_eq!(names(0), "(none)");
    assert_eq!(names(SYN | ACK), "SYN|ACK");
    assert_eq!(names(FIN | ACK), "FIN|ACK");
    assert_eq!(
        names(SYN | FIN | RST | PSH | ACK | URG),
        "SYN|FIN|RST|PSH|ACK|URG"
    );
    assert_eq!(names(0xc0), "(none)", "CWR and ECE are not drawn");
    let s = seg(ACK, 0);
    assert!(s.has(ACK) && !s.has(SYN) && !s.has(FIN));
    assert_eq!(seg(SYN, 0).seq_len(), 1);
    assert_eq!(seg(FIN | ACK, 0).seq_len(), 1);
    assert_eq!(seg(ACK, 7).seq_len(), 7);
    assert_eq!(seg(SYN | FIN, 7).seq_len(), 9);
    assert_eq!(seg(ACK, 0).seq_len(), 0);
}

fn addrs() -> (SocketAddrV4, SocketAddrV4) {
    (
        "192.0.2.2:1".parse().unwrap(),
        "192.0.2.1:2".parse().unwrap(),
    )
}

#[test]
fn the_ladder_draws_each_arrow_exactly() {
    let (a, b) = addrs();
    let mut l = Ladder::new("us", a, "kernel", b);
    assert_eq!(
        l.header("state"),
        format!(
            "      us 192.0.2.2:1{}kernel 192.0.2.1:2  state",
            " ".repeat(70 - 14 - 18)
        )
    );
    assert_eq!(l.header(""), l.header("state").trim_end_matches("  state"));
    let syn = Segment {
        src: a,
        dst: b,
        seq: 100,
        ack: 0,
        flags: SYN,
        window: 0,
        payload_len: 0,
    };
    let synack = Segment {
        src: b,
        dst: a,
        seq: 900,
        ack: 101,
        flags: SYN | ACK,
        window: 0,
        payload_len: 0,
    };
    let data = Segment {
        src: a,
        dst: b,
        seq: 101,
        ack: 901,
        flags: PSH | ACK,
        window: 0,
        payload_len: 5,
    };
    let lines = [
        l.arrow(&syn, "SYN_RECV"),
        l.arrow(&synack, ""),
        l.arrow(&data, "ESTABLISHED"),
    ];
    // The space between the lines is 68 wide: "---" or "<--", the label,
    // dashes to fill, then ">" or "-".
    let fill = |label: &str| "-".repeat(68 - 4 - label.len());
    let (l1, l2, l3) = (
        " SYN  seq=x+0 (100)  len=0 ",
        " SYN|ACK  seq=y+0 (900)  ack=x+1 (101)  len=0 ",
        " PSH|ACK  seq=x+1 (101)  ack=y+1 (901)  len=5 ",
    );
    let want = [
        format!("   1  |---{l1}{}>|  SYN_RECV", fill(l1)),
        format!("   2  |<--{l2}{}-|", fill(l2)),
        format!("   3  |---{l3}{}>|  ESTABLISHED", fill(l3)),
    ];
    assert_eq!(lines, want);
    // Both vertical lines sit in the same columns on every line.
    for line in &lines {
        assert_eq!(line.find('|'), Some(6), "{line}");
        assert_eq!(line.rfind('|'), Some(6 + 68 + 1), "{line}");
    }
    assert_eq!(
        l.event("timeout"),
        format!("      | timeout{}|", " ".repeat(68 - 8))
    );
}

#[test]
fn before_a_syn_the_relative_numbers_are_unknown() {
    let (a, b) = addrs();
    let mut l = Ladder::new("us", a, "kernel", b);
    let ack = Segment {
        src: b,
        dst: a,
        seq: 5,
        ack: 6,
        flags: ACK,
        window: 0,
        payload_len: 0,
    };
    let line = l.arrow(&ack, "");
    assert!(
        line.contains(" ACK  seq=? (5)  ack=? (6)  len=0 "),
        "{line}"
    );
    // A later SYN does not change an ISN already known.
    let mut l = Ladder::new("client", a, "server", b)
        .with_isns(1000, 2000)
        .with_isn_names("a", "b");
    let syn = Segment {
        src: a,
        dst: b,
        seq: 1,
        ack: 0,
        flags: SYN,
        window: 0,
        payload_len: 0,
    };
    let line = l.arrow(&syn, "");
    assert!(line.contains("seq=a+4294966297 (1)"), "{line}");
    let back = Segment {
        src: b,
        dst: a,
        seq: 2001,
        ack: 1001,
        flags: ACK,
        window: 0,
        payload_len: 0,
    };
    let line = l.arrow(&back, "");
    assert!(line.contains("seq=b+1 (2001)  ack=a+1 (1001)"), "{line}");
    assert!(line.starts_with("   2  |<--"), "{line}");
}

#[test]
fn a_long_label_still_gets_one_dash() {
    let (a, b) = addrs();
    let mut l = Ladder::new("us", a, "kernel", b).with_isns(0, 0);
    let big = Segment {
        src: a,
        dst: b,
        seq: u32::MAX,
        ack: u32::MAX,
        flags: SYN | FIN | RST | PSH | ACK | URG,
        window: 0,
        payload_len: usize::MAX,
    };
    let line = l.arrow(&big, "");
    assert!(line.ends_with(" ->|"), "{line}");
    let event = l.event(&"x".repeat(100));
    assert_eq!(event, format!("      | {}|", "x".repeat(100)));
}
