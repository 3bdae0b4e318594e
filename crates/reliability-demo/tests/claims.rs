//! The demo's claims, measured on the real kernel.

use demo_kit::testing::run_demo;
use reliability_demo::{tcp, udp, Checksum};
use std::time::Duration;

#[test]
fn udp_loses_datagrams_and_the_kernel_counts_exactly_those() {
    let r = udp::run(5000, 1024, 4096, Duration::from_micros(200)).unwrap();
    assert_eq!(r.send_errors, 0, "the sender is told nothing");
    assert!(
        r.lost() > 0,
        "a slow reader with an 8 KiB buffer must lose some of 5000: {r:?}"
    );
    assert_eq!(
        r.socket_drops,
        r.lost(),
        "the per-socket drops column counts each lost datagram"
    );
    // Namespace-wide: parallel tests may add their own drops, never fewer.
    assert!(r.rcvbuf_errors_delta >= r.socket_drops, "{r:?}");
    assert!(!r.first_gaps.is_empty());
    assert!(
        r.each_whole,
        "each recv() returned one whole datagram: {r:?}"
    );
}

#[test]
fn udp_with_room_in_the_buffer_loses_nothing() {
    // 50 datagrams of 100 bytes fit in a 256 KiB buffer: the loss above is
    // the full buffer, not UDP on loopback losing data by itself.
    let r = udp::run(50, 100, 256 * 1024, Duration::ZERO).unwrap();
    assert_eq!((r.received, r.socket_drops), (50, 0), "{r:?}");
}

#[test]
fn gaps_are_reported_as_ranges() {
    assert_eq!(
        udp::gaps(&[0, 1, 5, 6, 9], 12, 5),
        vec![(2, 4), (7, 8), (10, 11)]
    );
    assert_eq!(udp::gaps(&[0, 1, 2], 3, 5), vec![]);
    assert_eq!(udp::gaps(&[], 2, 5), vec![(0, 1)]);
}

#[test]
fn tcp_delivers_every_byte_because_the_writer_blocks() {
    let pause = Duration::from_micros(100);
    let r = tcp::run(3000, 1024, 4096, pause).unwrap();
    tcp::check(&r).unwrap();
    assert_eq!(r.received_bytes, 3000 * 1024);
    assert_eq!(r.received_sum, r.sent_sum);
    // The reader needs at least 3000 reads x 100 us; the writer cannot get
    // further ahead than the two small buffers, so it waits that long too,
    // and most of that time inside write().
    assert!(r.send_time >= Duration::from_millis(200), "{r:?}");
    assert!(
        r.write_time * 2 >= r.send_time,
        "the writer mostly waited in write(): {r:?}"
    );
    assert!(
        r.max_unacked > 0,
        "bytes waited in the send queue for their acknowledgement: {r:?}"
    );
}

#[test]
fn the_checksum_sees_any_change() {
    let (mut a, mut b) = (Checksum::default(), Checksum::default());
    a.update(b"hello world");
    b.update(b"hello ");
    b.update(b"world");
    assert_eq!(a, b, "computed piece by piece");
    let mut c = Checksum::default();
    c.update(b"hello worle");
    assert_ne!(a, c);
}

#[test]
fn the_default_run_finishes_and_measures_both() {
    let (code, out, err) = run_demo(env!("CARGO_BIN_EXE_reliability-demo"), &[]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("(exactly the lost datagrams: true)"), "{out}");
    assert!(out.contains("one whole 1024-byte message: true"), "{out}");
    assert!(out.contains("received 20480000 of 20480000 bytes"), "{out}");
}

#[test]
fn bad_options_get_clear_errors() {
    let bin = env!("CARGO_BIN_EXE_reliability-demo");
    let (code, out, _) = run_demo(bin, &["--help"]);
    assert_eq!(code, 0);
    assert!(out.contains("--pause-us"));
    for args in [
        &["--count", "0"][..],
        &["--size", "2"],
        &["--count", "x"],
        &["sctp"],
        &["--pause-us", "1000000"],
        &["--rcvbuf", "0"],
        &["--bogus"],
    ] {
        let (code, _, err) = run_demo(bin, args);
        assert_eq!(code, 1, "{args:?}");
        assert!(
            err.starts_with("error: ") && err.contains("--help"),
            "{args:?}: {err}"
        );
    }
}
