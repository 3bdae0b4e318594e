//! Property test: however the stream is cut into reads, every message comes
//! out exactly as it went in — the guarantee sticky packets break and
//! framing restores.

mod common;

use common::Chunked;
use framing::{Codec, Prefix};
use proptest::prelude::*;
use serde_json::json;

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn messages_survive_any_chunking(
        messages in prop::collection::vec(
            ("[a-z.]{0,12}", prop::collection::vec(any::<u8>(), 0..300)),
            0..8,
        ),
        sizes in prop::collection::vec(1usize..40, 1..10),
        network in any::<bool>(),
    ) {
        let codec = if network { Codec::network() } else { Codec::course() };
        let mut wire = Vec::new();
        for (name, body) in &messages {
            codec.write_message(&mut wire, json!({"filename": name}), body).unwrap();
        }
        let mut reader = Chunked { data: &wire, sizes, next: 0 };
        for (name, body) in &messages {
            let msg = codec.read_message(&mut reader).unwrap().unwrap();
            prop_assert_eq!(msg.header["filename"].as_str(), Some(name.as_str()));
            prop_assert_eq!(&msg.body, body);
        }
        prop_assert!(codec.read_message(&mut reader).unwrap().is_none());
    }

    #[test]
    fn frames_survive_any_chunking(
        frames in prop::collection::vec(prop::collection::vec(any::<u8>(), 0..500), 0..10),
        sizes in prop::collection::vec(1usize..64, 1..10),
    ) {
        let codec = Codec::course();
        let mut wire = Vec::new();
        for f in &frames {
            codec.write_frame(&mut wire, f).unwrap();
        }
        let mut reader = Chunked { data: &wire, sizes, next: 0 };
        for f in &frames {
            prop_assert_eq!(&codec.read_frame(&mut reader).unwrap().unwrap(), f);
        }
        prop_assert!(codec.read_frame(&mut reader).unwrap().is_none());
    }

    #[test]
    fn prefix_round_trips(len in 0usize..=(i32::MAX as usize)) {
        for p in [Prefix::CourseLe, Prefix::NetworkBe] {
            prop_assert_eq!(p.decode(p.encode(len).unwrap()).unwrap(), len as u64);
        }
    }

    /// Arbitrary bytes never panic the decoder and never make it allocate
    /// past its limits.
    #[test]
    fn garbage_never_panics(bytes in prop::collection::vec(any::<u8>(), 0..200)) {
        let codec = Codec::course().with_max_frame(1 << 10).with_max_header(1 << 10).with_max_body(1 << 10);
        let mut r = &bytes[..];
        while let Ok(Some(_)) = codec.read_message(&mut r) {}
        let mut r = &bytes[..];
        while let Ok(Some(_)) = codec.read_frame(&mut r) {}
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// The batched reader and writer agree with the one-frame-at-a-time
    /// ones, whatever the read sizes.
    #[test]
    fn batched_reader_and_writer_agree_with_exact_ones(
        frames in prop::collection::vec(prop::collection::vec(any::<u8>(), 0..3000), 0..12),
        sizes in prop::collection::vec(1usize..5000, 1..10),
    ) {
        let codec = Codec::network();
        let mut exact = Vec::new();
        for f in &frames {
            codec.write_frame(&mut exact, f).unwrap();
        }
        let mut batched = Vec::new();
        {
            let mut w = framing::FrameWriter::new(codec, &mut batched);
            for f in &frames {
                w.write_frame(f).unwrap();
            }
            w.flush().unwrap();
        }
        prop_assert_eq!(&batched, &exact);
        let mut r = framing::FrameReader::new(codec, Chunked { data: &exact, sizes, next: 0 });
        for f in &frames {
            prop_assert_eq!(r.next_frame().unwrap(), Some(&f[..]));
        }
        prop_assert_eq!(r.next_frame().unwrap(), None);
    }
}
