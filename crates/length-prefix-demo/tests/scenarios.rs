//! The demo's claims, checked on the real kernel through the library:
//! every message comes out exactly as sent, in both byte orders.

use framing::{Codec, Prefix};
use length_prefix_demo::{course, merge, split, SMALL_MESSAGES};

fn framed(codec: Codec, messages: &[&[u8]]) -> Vec<u8> {
    let mut wire = Vec::new();
    for m in messages {
        codec.write_frame(&mut wire, m).unwrap();
    }
    wire
}

fn check_merge(codec: Codec) {
    demo_kit::say::set_quiet(true);
    let r = merge::run(codec, &SMALL_MESSAGES).unwrap();
    let expected_wire = framed(codec, &SMALL_MESSAGES);
    assert_eq!(r.bytes_written, expected_wire.len());
    // All frames were queued at once: really stuck together in the kernel...
    assert_eq!(r.queued, expected_wire.len(), "FIONREAD saw everything");
    // ...and one raw recv would have returned all of them in one piece.
    assert_eq!(r.peeked, expected_wire);
    // Yet the framed reader returned each one exactly as sent.
    let got: Vec<&[u8]> = r.frames.iter().map(|f| f.payload.as_slice()).collect();
    assert_eq!(got, SMALL_MESSAGES.to_vec());
    for f in &r.frames {
        assert_eq!(
            codec.prefix().decode(f.prefix).unwrap(),
            f.payload.len() as u64
        );
        assert_eq!(f.reads.iter().sum::<usize>(), 4 + f.payload.len());
    }
    assert!(r.clean_end);
}

#[test]
fn merge_course_order_every_message_exact() {
    check_merge(Codec::course());
}

#[test]
fn merge_network_order_every_message_exact() {
    check_merge(Codec::network());
}

#[test]
fn merge_with_empty_and_binary_messages() {
    let msgs: [&[u8]; 4] = [b"", b"\x00\x00\x00\x00", b"\xff\xfe", b"x"];
    demo_kit::say::set_quiet(true);
    let r = merge::run(Codec::course(), &msgs).unwrap();
    let got: Vec<&[u8]> = r.frames.iter().map(|f| f.payload.as_slice()).collect();
    assert_eq!(got, msgs.to_vec());
    assert!(r.clean_end);
}

fn check_split(codec: Codec, size: usize) {
    demo_kit::say::set_quiet(true);
    let r = split::run(codec, size).unwrap();
    assert_eq!(r.sent[0].body.len(), size);
    assert_eq!(r.first_body, r.sent[0].body, "the long reply arrived whole");
    assert_eq!(r.first.header, r.sent[0].header);
    assert_eq!(r.body_reads.iter().sum::<usize>(), size);
    assert!(
        r.body_reads.iter().all(|&n| (1..=1024).contains(&n)),
        "never more than recv(1024) per read: {:?}",
        r.body_reads
    );
    // Nothing of reply 2 was consumed while reading reply 1:
    assert_eq!(r.left_queued, r.second_wire_len);
    assert_eq!(r.second.header, r.sent[1].header);
    assert_eq!(r.second_body, r.sent[1].body, "the next reply is intact");
    assert!(r.clean_end);
}

#[test]
fn split_long_reply_arrives_whole_and_next_is_intact() {
    check_split(Codec::course(), 3000);
}

#[test]
fn split_network_order() {
    check_split(Codec::network(), 1025);
}

#[test]
fn split_reply_larger_than_socket_buffers() {
    // Bigger than the default loopback buffers: read while it streams in.
    check_split(Codec::course(), 1 << 20);
}

#[test]
fn split_long_output_has_the_requested_size() {
    for n in [0, 1, 1023, 1024, 1025, 3000] {
        assert_eq!(split::long_output(n).len(), n);
    }
}

#[test]
fn course_header_bytes_and_prefixes() {
    for codec in [Codec::course(), Codec::network()] {
        demo_kit::say::set_quiet(true);
        let r = course::run(codec).unwrap();
        assert_eq!(r.notes_header.len(), 507, "the notes print 507");
        assert_eq!(r.notes_prefix_le, [0xfb, 0x01, 0x00, 0x00]); // b'\xfb\x01\x00\x00'
        assert_eq!(r.notes_prefix_be, [0x00, 0x00, 0x01, 0xfb]);
        assert_eq!(r.notes_unpacked, 507);
        // What travelled: the codec's prefix, then the header, byte for byte.
        let mut expected = codec.encode_prefix(507).unwrap().to_vec();
        expected.extend_from_slice(&r.notes_header);
        assert_eq!(r.notes_on_wire, expected);
        // Refused for what the lesson says: the 440-digit total_size does
        // not fit a JSON number (any other error would also say "rejected").
        assert!(
            r.notes_verdict
                .starts_with("rejected: the header is not a JSON object: number out of range"),
            "{}",
            r.notes_verdict
        );
        // The real message: header fields and body exactly as sent.
        assert_eq!(r.message.header["filename"], "a.txt");
        assert_eq!(r.message.header["hash"], course::NOTES_HASH);
        assert_eq!(
            framing::total_size(&r.message.header).unwrap(),
            r.body_sent.len() as u64
        );
        assert_eq!(
            codec.prefix().decode(r.message.prefix).unwrap(),
            r.message.header_bytes.len() as u64
        );
        assert_eq!(r.body_received, r.body_sent);
        assert_eq!(codec.prefix() == Prefix::CourseLe, r.message.prefix[0] != 0);
    }
}

/// A header that parses but claims 10^18 body bytes is refused for its
/// size, before anything is allocated.
#[test]
fn a_huge_total_size_is_refused_before_allocating() {
    demo_kit::say::set_quiet(true);
    let r = course::run(Codec::course()).unwrap();
    assert!(
        r.huge_verdict.starts_with(
            "rejected: body of 1000000000000000000 bytes is over the limit of 67108864 bytes"
        ),
        "{}",
        r.huge_verdict
    );
}
