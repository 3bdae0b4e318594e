//! The framing rules, each proven on bytes: round trips, short reads,
//! truncation at every offset, hostile lengths, bad headers, and the exact
//! bytes the course's Python produces.

mod common;

use common::Trickle;
use framing::{Codec, FrameError, Part, Prefix};
use serde_json::json;

fn course_message(header: serde_json::Value, body: &[u8]) -> Vec<u8> {
    let mut wire = Vec::new();
    Codec::course()
        .write_message(&mut wire, header, body)
        .unwrap();
    wire
}

#[test]
fn frames_round_trip_in_both_byte_orders() {
    for codec in [Codec::course(), Codec::network()] {
        let mut wire = Vec::new();
        for payload in [&b""[..], b"a", b"hello world", &[0xffu8; 70_000]] {
            codec.write_frame(&mut wire, payload).unwrap();
        }
        let mut r = &wire[..];
        assert_eq!(codec.read_frame(&mut r).unwrap().unwrap(), b"");
        assert_eq!(codec.read_frame(&mut r).unwrap().unwrap(), b"a");
        assert_eq!(codec.read_frame(&mut r).unwrap().unwrap(), b"hello world");
        assert_eq!(
            codec.read_frame(&mut r).unwrap().unwrap(),
            vec![0xff; 70_000]
        );
        assert!(codec.read_frame(&mut r).unwrap().is_none());
    }
}

#[test]
fn one_byte_per_read_still_gives_whole_messages() {
    let mut wire = course_message(json!({"filename": "a.txt"}), b"first");
    wire.extend(course_message(json!({"filename": "b.txt"}), b"second"));
    let mut r = Trickle(&wire);
    let codec = Codec::course();
    let a = codec.read_message(&mut r).unwrap().unwrap();
    let b = codec.read_message(&mut r).unwrap().unwrap();
    assert_eq!(
        (a.header["filename"].as_str(), a.body.as_slice()),
        (Some("a.txt"), &b"first"[..])
    );
    assert_eq!(
        (b.header["filename"].as_str(), b.body.as_slice()),
        (Some("b.txt"), &b"second"[..])
    );
    assert!(codec.read_message(&mut r).unwrap().is_none());
}

#[test]
fn a_cut_at_every_offset_is_truncation_and_only_offset_zero_is_a_clean_end() {
    let wire = course_message(json!({"hash": "x"}), b"body bytes");
    let codec = Codec::course();
    let header_len = u32::from_le_bytes(wire[..4].try_into().unwrap()) as usize;
    for cut in 0..wire.len() {
        let result = codec.read_message(&mut Trickle(&wire[..cut]));
        match (cut, result) {
            (0, Ok(None)) => {}
            (
                1..=3,
                Err(FrameError::Truncated {
                    part: Part::Prefix,
                    expected: 4,
                    got,
                }),
            ) => assert_eq!(got, cut),
            (
                c,
                Err(FrameError::Truncated {
                    part: Part::Header,
                    got,
                    ..
                }),
            ) if c >= 4 && c < 4 + header_len => {
                assert_eq!(got, c - 4)
            }
            (
                c,
                Err(FrameError::Truncated {
                    part: Part::Body,
                    expected: 10,
                    got,
                }),
            ) if c >= 4 + header_len => {
                assert_eq!(got, c - 4 - header_len)
            }
            (c, other) => panic!("cut at {c}: unexpected {other:?}"),
        }
    }
    assert!(codec.read_message(&mut Trickle(&wire)).unwrap().is_some());
}

#[test]
fn frames_cut_at_every_offset() {
    let codec = Codec::network();
    let mut wire = Vec::new();
    codec.write_frame(&mut wire, b"0123456789").unwrap();
    for cut in 1..wire.len() {
        assert!(
            matches!(
                codec.read_frame(&mut &wire[..cut]),
                Err(FrameError::Truncated { .. })
            ),
            "cut {cut}"
        );
    }
}

#[test]
fn oversized_lengths_are_refused_before_allocating() {
    // 0x7fffffff: a 2 GiB frame. The limit is checked before any allocation,
    // so this returns at once instead of trying to allocate 2 GiB.
    let codec = Codec::course();
    let hostile = [0xff, 0xff, 0xff, 0x7f, b'x'];
    match codec.read_frame(&mut &hostile[..]) {
        Err(FrameError::TooLarge {
            part: Part::Frame,
            len,
            max,
        }) => {
            assert_eq!(len, 0x7fff_ffff);
            assert_eq!(max, framing::DEFAULT_MAX_FRAME as u64);
        }
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        codec.read_header(&mut &hostile[..]),
        Err(FrameError::TooLarge {
            part: Part::Header,
            ..
        })
    ));
    // network order: 4 GiB - 1
    assert!(matches!(
        Codec::network().read_frame(&mut &[0xffu8, 0xff, 0xff, 0xff][..]),
        Err(FrameError::TooLarge {
            len: 0xffff_ffff,
            ..
        })
    ));
    // A body larger than the limit is refused after the header, before the body.
    let wire = course_message(json!({}), &[7u8; 100]);
    let small = Codec::course().with_max_body(99);
    assert!(matches!(
        small.read_message(&mut &wire[..]),
        Err(FrameError::TooLarge {
            part: Part::Body,
            len: 100,
            max: 99
        })
    ));
    // A header claiming an absurd body is refused the same way.
    let mut wire = Vec::new();
    let header = br#"{"total_size": 18446744073709551615}"#;
    wire.extend((header.len() as i32).to_le_bytes());
    wire.extend(header);
    assert!(matches!(
        codec.read_message(&mut &wire[..]),
        Err(FrameError::TooLarge {
            part: Part::Body,
            ..
        })
    ));
}

#[test]
fn writing_refuses_what_the_prefix_cannot_express() {
    assert!(matches!(
        Prefix::CourseLe.encode(1 << 31),
        Err(FrameError::TooLarge { .. })
    ));
    assert!(Prefix::NetworkBe.encode(1 << 31).is_ok());
}

#[test]
fn negative_length_is_an_error() {
    let wire = (-5i32).to_le_bytes();
    assert!(matches!(
        Codec::course().read_frame(&mut &wire[..]),
        Err(FrameError::NegativeLength(-5))
    ));
    assert!(matches!(
        Codec::course().read_header(&mut &wire[..]),
        Err(FrameError::NegativeLength(-5))
    ));
}

#[test]
fn bad_headers_are_reported_by_kind() {
    let codec = Codec::course();
    let frame = |bytes: &[u8]| {
        let mut wire = Vec::new();
        codec.write_frame(&mut wire, bytes).unwrap();
        wire
    };
    assert!(matches!(
        codec.read_header(&mut &frame(b"{not json")[..]),
        Err(FrameError::BadHeader(_))
    ));
    assert!(matches!(
        codec.read_header(&mut &frame(b"[1, 2]")[..]),
        Err(FrameError::BadHeader(_))
    ));
    assert!(matches!(
        codec.read_header(&mut &frame(b"{}")[..]),
        Err(FrameError::MissingField("total_size"))
    ));
    for bad in [
        &br#"{"total_size": -1}"#[..],
        br#"{"total_size": "11"}"#,
        br#"{"total_size": 1.5}"#,
    ] {
        assert!(matches!(
            codec.read_header(&mut &frame(bad)[..]),
            Err(FrameError::BadField {
                field: "total_size",
                ..
            })
        ));
    }
    assert!(codec
        .write_message(&mut Vec::new(), json!([1]), b"")
        .is_err());
}

#[test]
fn error_messages_say_what_to_do() {
    let e = Codec::course()
        .read_frame(&mut &[0xff, 0xff, 0xff, 0x7f][..])
        .unwrap_err();
    assert!(e.to_string().contains("over the limit"), "{e}");
    let e = Codec::course()
        .read_frame(&mut &[9, 0, 0, 0, b'a'][..])
        .unwrap_err();
    assert!(
        e.to_string()
            .contains("closed the connection in the middle of a frame"),
        "{e}"
    );
}

/// The course prints `b'\xfb\x01\x00\x00' 4` for its 507-byte header. We
/// produce the same four bytes, and can read the course's exact message.
#[test]
fn course_example_bytes() {
    assert_eq!(
        Codec::course().encode_prefix(507).unwrap(),
        [0xfb, 0x01, 0x00, 0x00]
    );
    assert_eq!(
        Codec::network().encode_prefix(507).unwrap(),
        [0x00, 0x00, 0x01, 0xfb]
    );

    // What Python's json.dumps + struct.pack('i') put on the wire for a
    // course-style header (Python separates with ", " and ": ").
    let header = br#"{"file": "a.txt", "total_size": 11, "hashlib": "adasd1dfad311r"}"#;
    let mut wire = Vec::new();
    wire.extend((header.len() as i32).to_le_bytes());
    wire.extend(header);
    wire.extend(b"hello world");
    let msg = Codec::course()
        .read_message(&mut Trickle(&wire))
        .unwrap()
        .unwrap();
    assert_eq!(msg.body, b"hello world");
    assert_eq!(msg.header["hashlib"], "adasd1dfad311r");

    // A 507-byte header really gets the prefix fb 01 00 00 on the wire.
    let filler = "x".repeat(507 - br#"{"filename":"a.txt","hash":"","total_size":3}"#.len());
    let mut wire = Vec::new();
    Codec::course()
        .write_message(
            &mut wire,
            json!({"filename": "a.txt", "hash": filler}),
            b"abc",
        )
        .unwrap();
    assert_eq!(&wire[..4], [0xfb, 0x01, 0x00, 0x00]);
    assert_eq!(wire.len(), 4 + 507 + 3);
}

/// The notes' own header has a `total_size` of over 400 digits: Python
/// integers are unbounded, JSON numbers are not. We refuse it cleanly.
#[test]
fn the_notes_giant_total_size_is_refused_not_misread() {
    let giant = format!(
        r#"{{"filename": "a.txt", "total_size": 1{}, "hash": "asdf123123x123213x"}}"#,
        "2".repeat(400)
    );
    let mut wire = Vec::new();
    wire.extend((giant.len() as i32).to_le_bytes());
    wire.extend(giant.as_bytes());
    let err = Codec::course().read_header(&mut &wire[..]).unwrap_err();
    // serde_json refuses a number that fits no Rust number type.
    assert!(
        matches!(&err, FrameError::BadHeader(why) if why.contains("out of range")),
        "{err:?}"
    );
}

#[test]
fn frame_reader_reports_truncation_and_limits() {
    use framing::FrameReader;
    let mut wire = Vec::new();
    Codec::course()
        .write_frame(&mut wire, &[1u8; 100_000])
        .unwrap(); // bigger than one batch
    let mut r = FrameReader::new(Codec::course(), Trickle(&wire));
    assert_eq!(r.next_frame().unwrap().map(<[u8]>::len), Some(100_000));
    assert_eq!(r.next_frame().unwrap(), None);
    for cut in 1..12 {
        let mut r = FrameReader::new(Codec::course(), &wire[..cut]);
        assert!(
            matches!(r.next_frame(), Err(FrameError::Truncated { .. })),
            "cut {cut}"
        );
    }
    let mut r = FrameReader::new(Codec::course().with_max_frame(10), &wire[..]);
    assert!(matches!(
        r.next_frame(),
        Err(FrameError::TooLarge {
            len: 100_000,
            max: 10,
            ..
        })
    ));
}
