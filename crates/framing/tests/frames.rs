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
    // A header that is not an object is refused before a byte is written.
    let mut wire = Vec::new();
    assert!(matches!(
        codec.write_message(&mut wire, json!([1]), b""),
        Err(FrameError::BadHeader(why)) if why == "expected a JSON object, got [1]"
    ));
    assert_eq!(wire, b"");
}

#[test]
fn error_messages_say_what_to_do() {
    let e = Codec::course()
        .read_frame(&mut &[0xff, 0xff, 0xff, 0x7f][..])
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        "frame of 2147483647 bytes is over the limit of 16777216 bytes \
         (a garbage or hostile length prefix? raise the limit if it is genuine)"
    );
    let e = Codec::course()
        .read_frame(&mut &[9, 0, 0, 0, b'a'][..])
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        "the peer closed the connection in the middle of a frame: \
         got 1 of 9 bytes (did it crash, or send a wrong length?)"
    );
    // Every other kind, each with the part and the numbers it names.
    for (e, says) in [
        (
            FrameError::Truncated {
                part: Part::Prefix,
                expected: 4,
                got: 2,
            },
            "the peer closed the connection in the middle of a length prefix: \
             got 2 of 4 bytes (did it crash, or send a wrong length?)",
        ),
        (
            FrameError::TooLarge {
                part: Part::Header,
                len: 70_000,
                max: 65_536,
            },
            "header of 70000 bytes is over the limit of 65536 bytes \
             (a garbage or hostile length prefix? raise the limit if it is genuine)",
        ),
        (
            FrameError::TooLarge {
                part: Part::Body,
                len: 3,
                max: 2,
            },
            "body of 3 bytes is over the limit of 2 bytes \
             (a garbage or hostile length prefix? raise the limit if it is genuine)",
        ),
        (
            FrameError::NegativeLength(-5),
            "negative length prefix -5: the peer is not speaking this protocol \
             (or uses the other byte order)",
        ),
        (
            FrameError::BadHeader("expected a JSON object, got [1]".into()),
            "the header is not a JSON object: expected a JSON object, got [1]",
        ),
        (
            FrameError::MissingField("total_size"),
            "the header has no \"total_size\" field, which the protocol requires",
        ),
        (
            FrameError::BadField {
                field: "total_size",
                found: "-1".into(),
            },
            "header field \"total_size\" must be a non-negative whole number, found -1",
        ),
        (
            FrameError::Io(std::io::Error::from_raw_os_error(104)),
            "I/O error: Connection reset by peer (os error 104)",
        ),
    ] {
        assert_eq!(e.to_string(), says, "{e:?}");
    }
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

/// Every limit is inclusive: a length equal to it is accepted, one more is
/// refused (write and read side, each part).
#[test]
fn a_length_exactly_at_a_limit_is_accepted_and_one_more_is_refused() {
    // The prefix: the largest length each encoding can express.
    let max_i32 = i32::MAX as usize;
    assert_eq!(
        Prefix::CourseLe.encode(max_i32).unwrap(),
        [0xff, 0xff, 0xff, 0x7f]
    );
    assert!(matches!(
        Prefix::CourseLe.encode(max_i32 + 1),
        Err(FrameError::TooLarge {
            len: 0x8000_0000,
            max: 0x7fff_ffff,
            ..
        })
    ));
    let max_u32 = u32::MAX as usize;
    assert_eq!(Prefix::NetworkBe.encode(max_u32).unwrap(), [0xff; 4]);
    assert!(matches!(
        Prefix::NetworkBe.encode(max_u32 + 1),
        Err(FrameError::TooLarge {
            len: 0x1_0000_0000,
            ..
        })
    ));

    // A frame.
    let mut wire = Vec::new();
    Codec::course().write_frame(&mut wire, b"12345").unwrap();
    let at = Codec::course().with_max_frame(5);
    assert_eq!(at.read_frame(&mut &wire[..]).unwrap().unwrap(), b"12345");
    assert!(matches!(
        Codec::course().with_max_frame(4).read_frame(&mut &wire[..]),
        Err(FrameError::TooLarge {
            part: Part::Frame,
            len: 5,
            max: 4
        })
    ));

    // A header, written and read: {"total_size":3} is 16 bytes.
    let header_len = br#"{"total_size":3}"#.len();
    let at = Codec::course().with_max_header(header_len);
    let mut wire = Vec::new();
    at.write_message(&mut wire, json!({}), b"abc").unwrap();
    assert_eq!(
        at.read_message(&mut &wire[..]).unwrap().unwrap().body,
        b"abc"
    );
    let under = Codec::course().with_max_header(header_len - 1);
    assert!(matches!(
        under.write_message(&mut Vec::new(), json!({}), b"abc"),
        Err(FrameError::TooLarge {
            part: Part::Header,
            len: 16,
            max: 15
        })
    ));
    assert!(matches!(
        under.read_message(&mut &wire[..]),
        Err(FrameError::TooLarge {
            part: Part::Header,
            len: 16,
            max: 15
        })
    ));

    // A body.
    let at = Codec::course().with_max_body(3);
    assert_eq!(
        at.read_message(&mut &wire[..]).unwrap().unwrap().body,
        b"abc"
    );
    assert!(matches!(
        Codec::course()
            .with_max_body(2)
            .read_message(&mut &wire[..]),
        Err(FrameError::TooLarge {
            part: Part::Body,
            len: 3,
            max: 2
        })
    ));
}

/// `FrameError` is a proper `std::error::Error`: an I/O failure keeps its
/// cause (so `?` into another error type, or a report walking the chain,
/// still sees the OS error); the protocol's own errors have none.
#[test]
fn an_io_error_is_the_source_and_protocol_errors_have_none() {
    use std::error::Error as _;
    let e = FrameError::from(std::io::Error::from_raw_os_error(104)); // ECONNRESET
    let source = e.source().expect("an I/O error keeps its cause");
    let io = source
        .downcast_ref::<std::io::Error>()
        .expect("the cause is the io::Error");
    assert_eq!(io.raw_os_error(), Some(104));
    for e in [
        FrameError::NegativeLength(-1),
        FrameError::MissingField("total_size"),
        FrameError::Truncated {
            part: Part::Body,
            expected: 2,
            got: 1,
        },
    ] {
        assert!(e.source().is_none(), "{e:?}");
    }
}

/// A stream that fails once with `kind`, then would deliver `data`; what
/// is written to it after the failure is kept in `written`.
struct FailsOnce<'a> {
    kind: Option<std::io::ErrorKind>,
    data: &'a [u8],
    written: Vec<u8>,
}

impl std::io::Read for FailsOnce<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if let Some(kind) = self.kind.take() {
            return Err(kind.into());
        }
        std::io::Read::read(&mut self.data, buf)
    }
}

impl std::io::Write for FailsOnce<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if let Some(kind) = self.kind.take() {
            return Err(kind.into());
        }
        self.written.extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Only `EINTR` ("interrupted, nothing happened: call again") is retried;
/// any other failure is the caller's to see, even if a second try would
/// have worked. (tests/eintr.rs interrupts real system calls.)
#[test]
fn a_failed_read_or_write_is_reported_and_an_interrupted_one_retried() {
    use framing::FrameReader;
    use std::io::ErrorKind::{ConnectionReset, Interrupted};
    let mut wire = Vec::new();
    Codec::course().write_frame(&mut wire, b"whole").unwrap();
    let codec = Codec::course();
    let stream = |kind| FailsOnce {
        kind: Some(kind),
        data: &wire,
        written: Vec::new(),
    };

    assert_eq!(
        codec.read_frame(&mut stream(Interrupted)).unwrap().unwrap(),
        b"whole"
    );
    assert!(matches!(
        codec.read_frame(&mut stream(ConnectionReset)),
        Err(FrameError::Io(e)) if e.kind() == ConnectionReset
    ));

    let mut r = FrameReader::new(codec, stream(Interrupted));
    assert_eq!(r.next_frame().unwrap(), Some(&b"whole"[..]));
    let mut r = FrameReader::new(codec, stream(ConnectionReset));
    assert!(matches!(
        r.next_frame(),
        Err(FrameError::Io(e)) if e.kind() == ConnectionReset
    ));

    // Retried: every byte is written after the interruption, in order.
    let mut parts = [std::io::IoSlice::new(b"ab"), std::io::IoSlice::new(b"c")];
    let mut interrupted = stream(Interrupted);
    framing::write_all_vectored(&mut interrupted, &mut parts).unwrap();
    assert_eq!(interrupted.written, b"abc");
    let mut parts = [std::io::IoSlice::new(b"ab"), std::io::IoSlice::new(b"c")];
    assert_eq!(
        framing::write_all_vectored(&mut stream(ConnectionReset), &mut parts)
            .unwrap_err()
            .kind(),
        ConnectionReset
    );
}
