//! Fuzz the decoder: any bytes, cut into reads of any sizes, must give
//! frames/messages or a clean error — never a panic, never an allocation
//! beyond the limits, never an endless loop.
//!
//! Run: `RUSTC_BOOTSTRAP=1 cargo fuzz run decode` in crates/framing.
#![no_main]

use framing::{Codec, FrameReader};
use libfuzzer_sys::fuzz_target;
use std::io::Read;

/// A reader that hands out the input in chunks whose sizes come from the
/// input itself, so the fuzzer explores short reads too.
struct Chunks<'a> {
    data: &'a [u8],
    sizes: &'a [u8],
    i: usize,
}

impl Read for Chunks<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let want = if self.sizes.is_empty() {
            buf.len()
        } else {
            (self.sizes[self.i % self.sizes.len()] as usize).max(1)
        };
        self.i += 1;
        let n = want.min(buf.len()).min(self.data.len());
        buf[..n].copy_from_slice(&self.data[..n]);
        self.data = &self.data[n..];
        Ok(n)
    }
}

fuzz_target!(|input: &[u8]| {
    // First byte: which codec; next 4 bytes: chunk sizes; rest: the stream.
    let Some((&mode, rest)) = input.split_first() else { return };
    let (sizes, data) = rest.split_at(rest.len().min(4));
    let base = if mode & 1 == 0 { Codec::course() } else { Codec::network() };
    let codec = base.with_max_frame(1 << 16).with_max_header(1 << 12).with_max_body(1 << 16);

    let mut r = Chunks { data, sizes, i: 0 };
    let mut consumed = 0;
    while let Ok(Some(msg)) = codec.read_message(&mut r) {
        assert_eq!(msg.body.len() as u64, framing::total_size(&msg.header).unwrap());
        consumed += 1;
        assert!(consumed <= data.len());
    }

    let mut r = Chunks { data, sizes, i: 0 };
    let mut buf = Vec::new();
    while let Ok(true) = codec.read_frame_into(&mut r, &mut buf) {
        assert!(buf.len() <= 1 << 16);
    }

    // The buffered reader must cut out exactly the same frames.
    let mut r = Chunks { data, sizes, i: 0 };
    let mut exact = Vec::new();
    while let Ok(true) = codec.read_frame_into(&mut r, &mut buf) {
        exact.push(buf.clone());
    }
    let mut frames = FrameReader::new(codec, Chunks { data, sizes, i: 0 });
    let mut batched = Vec::new();
    while let Ok(Some(frame)) = frames.next_frame() {
        batched.push(frame.to_vec());
    }
    assert_eq!(exact, batched);

    // Whatever decodes must re-encode to the same bytes (frames only: a
    // JSON header may legitimately be re-serialised differently).
    let mut r = Chunks { data, sizes, i: 0 };
    let mut again = Vec::new();
    let mut read_len = 0;
    while let Ok(true) = codec.read_frame_into(&mut r, &mut buf) {
        codec.write_frame(&mut again, &buf).unwrap();
        read_len += 4 + buf.len();
    }
    assert_eq!(&again[..], &data[..read_len]);
});
