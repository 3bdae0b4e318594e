//! The batched writer and reader keep their promises: a writer's bytes reach
//! the stream (at a flush, when the batch is full, and when it is dropped),
//! 256 KiB leave at a time, and the reader cuts frames out of a buffer of
//! any size, asking the stream for as much as the buffer has room for.

mod common;

use common::Chunked;
use framing::{Codec, FrameError, FrameReader, FrameWriter};
use std::cell::RefCell;
use std::io::{self, Read, Write};
use std::rc::Rc;

/// 256 KiB, the batch the documentation promises (spelled out, not taken
/// from the crate, so a changed constant fails here).
const KIB_256: usize = 256 * 1024;

/// A stream whose bytes the test can look at while a writer owns it: every
/// `write` call is recorded, and so is every `flush`.
#[derive(Clone, Default)]
struct Sink(Rc<RefCell<Log>>);

#[derive(Default)]
struct Log {
    bytes: Vec<u8>,
    writes: usize,
    flushes: usize,
}

impl Sink {
    fn bytes(&self) -> Vec<u8> {
        self.0.borrow().bytes.clone()
    }
    fn writes(&self) -> usize {
        self.0.borrow().writes
    }
    fn flushes(&self) -> usize {
        self.0.borrow().flushes
    }
}

impl Write for Sink {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let mut log = self.0.borrow_mut();
        log.bytes.extend_from_slice(buf);
        log.writes += 1;
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        self.0.borrow_mut().flushes += 1;
        Ok(())
    }
}

/// The frames one at a time, as `Codec::write_frame` puts them on the wire.
fn exact(codec: Codec, frames: &[&[u8]]) -> Vec<u8> {
    let mut wire = Vec::new();
    for f in frames {
        codec.write_frame(&mut wire, f).unwrap();
    }
    wire
}

#[test]
fn flush_sends_the_queued_frames_and_flushes_the_stream() {
    let sink = Sink::default();
    let mut w = FrameWriter::new(Codec::network(), sink.clone());
    w.write_frame(b"hi").unwrap();
    w.write_frame(b"you").unwrap();
    assert_eq!(sink.bytes(), b"", "small frames wait in the batch");
    w.flush().unwrap();
    // The writer is still alive: the bytes left at the flush, not at a drop.
    assert_eq!(sink.bytes(), b"\x00\x00\x00\x02hi\x00\x00\x00\x03you");
    assert_eq!(
        (sink.writes(), sink.flushes()),
        (1, 1),
        "one write, then flush"
    );
    w.write_frame(b"!").unwrap();
    w.flush().unwrap();
    assert_eq!(&sink.bytes()[13..], b"\x00\x00\x00\x01!");
    drop(w);
    assert_eq!(sink.writes(), 2, "nothing was left to write at the drop");
}

#[test]
fn dropping_the_writer_sends_what_was_never_flushed() {
    let sink = Sink::default();
    let mut w = FrameWriter::new(Codec::course(), sink.clone());
    w.write_frame(b"last words").unwrap();
    assert_eq!(sink.bytes(), b"");
    drop(w);
    assert_eq!(sink.bytes(), exact(Codec::course(), &[b"last words"]));
}

#[test]
fn a_batch_is_256_kib_and_leaves_only_when_full() {
    let codec = Codec::network();
    // Two frames that fill the batch to the byte: both wait.
    let half = vec![7u8; KIB_256 / 2 - 4];
    let sink = Sink::default();
    let mut w = FrameWriter::new(codec, sink.clone());
    w.write_frame(&half).unwrap();
    w.write_frame(&half).unwrap();
    assert_eq!(sink.writes(), 0, "exactly 256 KiB still fits in the batch");
    // One more byte does not fit: the full batch leaves in one write, and
    // the new frame waits in the emptied batch.
    w.write_frame(b"x").unwrap();
    assert_eq!(sink.writes(), 1);
    assert_eq!(sink.bytes(), exact(codec, &[&half, &half]));
    w.flush().unwrap();
    assert_eq!(sink.bytes(), exact(codec, &[&half, &half, b"x"]));
}

#[test]
fn many_small_frames_leave_in_256_kib_writes_and_all_arrive() {
    let codec = Codec::course();
    let payloads: Vec<Vec<u8>> = (0..1000u32).map(|i| i.to_le_bytes().repeat(250)).collect();
    let sink = Sink::default();
    let mut w = FrameWriter::new(codec, sink.clone());
    for p in &payloads {
        w.write_frame(p).unwrap();
    }
    // 1004-byte frames: 261 fit in 256 KiB, so 3 full batches have left.
    assert_eq!(sink.writes(), 3);
    assert_eq!(sink.bytes().len(), 3 * 261 * 1004);
    w.flush().unwrap();
    let all: Vec<&[u8]> = payloads.iter().map(Vec::as_slice).collect();
    assert_eq!(sink.bytes(), exact(codec, &all));
}

#[test]
fn a_frame_larger_than_the_batch_goes_straight_out_and_one_that_fits_waits() {
    let codec = Codec::network();
    let sink = Sink::default();
    let mut w = FrameWriter::new(codec, sink.clone());
    w.write_frame(b"a").unwrap();
    // Fits in a batch only when the batch is empty: the queued frame leaves
    // first, and this one waits.
    let fits = vec![1u8; KIB_256 - 4];
    w.write_frame(&fits).unwrap();
    assert_eq!(sink.bytes(), exact(codec, &[b"a"]));
    // Larger than any batch: the batch leaves, then the frame, at once.
    let huge = vec![2u8; KIB_256 - 3];
    w.write_frame(&huge).unwrap();
    assert_eq!(sink.bytes(), exact(codec, &[b"a", &fits, &huge]));
    drop(w);
    assert_eq!(sink.bytes(), exact(codec, &[b"a", &fits, &huge]));
}

/// A reader that hands out the bytes in the chunk sizes given and records
/// how much room each `read` was offered.
struct Offered<'a> {
    inner: Chunked<'a>,
    offered: Rc<RefCell<Vec<usize>>>,
}

impl Read for Offered<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.offered.borrow_mut().push(buf.len());
        self.inner.read(buf)
    }
}

#[test]
fn a_small_buffer_still_gives_every_frame_whole() {
    let codec = Codec::network();
    let frames: Vec<Vec<u8>> = (0..40u8).map(|i| vec![i; (i as usize * 7) % 45]).collect();
    let all: Vec<&[u8]> = frames.iter().map(Vec::as_slice).collect();
    let wire = exact(codec, &all);
    for capacity in [1, 4, 5, 8, 13, 16, 32, 100] {
        for sizes in [vec![1], vec![3, 7], vec![64], vec![1000]] {
            let chunks = Chunked {
                data: &wire,
                sizes: sizes.clone(),
                next: 0,
            };
            let mut r = FrameReader::with_capacity(codec, chunks, capacity);
            for f in &frames {
                assert_eq!(
                    r.next_frame().unwrap(),
                    Some(&f[..]),
                    "capacity {capacity}, reads {sizes:?}"
                );
            }
            assert_eq!(r.next_frame().unwrap(), None);
        }
    }
}

#[test]
fn the_reader_offers_the_stream_all_the_room_it_has() {
    let codec = Codec::network();
    // Frames of 6 bytes (2 + prefix) in a 16-byte buffer, 5 bytes a read.
    let wire = exact(codec, &[b"ab", b"cd", b"ef", b"gh"]);
    let offered = Rc::new(RefCell::new(Vec::new()));
    let stream = Offered {
        inner: Chunked {
            data: &wire,
            sizes: vec![5],
            next: 0,
        },
        offered: offered.clone(),
    };
    let mut r = FrameReader::with_capacity(codec, stream, 16);
    for f in [b"ab", b"cd", b"ef", b"gh"] {
        assert_eq!(r.next_frame().unwrap(), Some(&f[..]));
    }
    assert_eq!(r.next_frame().unwrap(), None);
    // Each read is offered the free space after the unread bytes; the
    // unread bytes move to the front only when the next frame would not fit
    // behind them, and then every byte after them is offered.
    assert_eq!(*offered.borrow(), [16, 11, 6, 1, 12, 7, 4]);
}

#[test]
fn a_frame_larger_than_the_buffer_grows_it() {
    let codec = Codec::course();
    let big = vec![9u8; 1000];
    let wire = exact(codec, &[b"x", &big, b"y"]);
    let mut r = FrameReader::with_capacity(codec, &wire[..], 8);
    assert_eq!(r.next_frame().unwrap(), Some(&b"x"[..]));
    assert_eq!(r.next_frame().unwrap(), Some(&big[..]));
    assert_eq!(r.next_frame().unwrap(), Some(&b"y"[..]));
    assert_eq!(r.next_frame().unwrap(), None);
}

#[test]
fn the_reader_accepts_a_frame_exactly_at_its_limit() {
    let wire = exact(Codec::course(), &[b"12345"]);
    let mut r = FrameReader::new(Codec::course().with_max_frame(5), &wire[..]);
    assert_eq!(r.next_frame().unwrap(), Some(&b"12345"[..]));
    let mut r = FrameReader::new(Codec::course().with_max_frame(4), &wire[..]);
    assert!(matches!(
        r.next_frame(),
        Err(FrameError::TooLarge { len: 5, max: 4, .. })
    ));
}

#[test]
fn the_reader_returns_at_the_end_of_the_stream_instead_of_spinning() {
    // A reader that never looked at the stream again would loop for ever:
    // run it on a thread and give it 10 s (it needs microseconds).
    let (done, result) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let wire = exact(Codec::course(), &[b"only"]);
        let mut r = FrameReader::with_capacity(Codec::course(), &wire[..], 4);
        let first = r.next_frame().map(|f| f.map(<[u8]>::to_vec));
        let end = r.next_frame().map(|f| f.is_none());
        let _ = done.send((first.ok().flatten(), end.ok()));
    });
    let got = result
        .recv_timeout(std::time::Duration::from_secs(10))
        .expect("the reader hung at the end of the stream");
    assert_eq!(got, (Some(b"only".to_vec()), Some(true)));
}
