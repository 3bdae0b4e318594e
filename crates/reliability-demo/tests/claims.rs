//! The demo's claims, measured on the real kernel.

// The demo told in Chinese: in this binary, so it runs alongside the claims.
#[path = "claims/lang.rs"]
mod lang;

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
    // The first numbers missing, as ranges: what the sender would have to
    // send again, if UDP ever did. The first datagram finds the buffer
    // empty, so it always arrives: the loss is the full buffer, not chance.
    let &(first_lost, _) = r.first_gaps.first().expect("lost > 0, so a gap");
    assert!(first_lost > 0, "the first datagram fits: {r:?}");
    for &(from, to) in &r.first_gaps {
        assert!(from <= to && to < 5000, "a range of numbers sent: {r:?}");
    }
    for pair in r.first_gaps.windows(2) {
        assert!(
            pair[0].1 + 1 < pair[1].0,
            "in order, a received number between two gaps: {r:?}"
        );
    }
    let in_gaps: u64 = r
        .first_gaps
        .iter()
        .map(|&(a, b)| u64::from(b - a + 1))
        .sum();
    assert!(
        in_gaps <= r.lost() && (r.first_gaps.len() == 3 || in_gaps == r.lost()),
        "the first three gaps hold no more than the lost datagrams, fewer gaps all of them: {r:?}"
    );
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
    let range = "--count must be 1..=1000000 and --size 4..=65000";
    let knobs = "--rcvbuf must be 1..=67108864 and --pause-us 0..=100000";
    for (args, says) in [
        (&["--count", "0"][..], range),
        (&["--size", "2"], range),
        (
            &["--count", "x"],
            "bad value \"x\" for --count: invalid digit found in string",
        ),
        (&["sctp"], "unknown scenario \"sctp\": use udp or tcp"),
        (&["--pause-us", "1000000"], knobs),
        (&["--rcvbuf", "0"], knobs),
        (&["--bogus"], "unexpected argument \"--bogus\""),
        (
            &["udp", "--plot", "/nonexistent"],
            "--plot runs both scenarios: give no udp or tcp with it",
        ),
    ] {
        let (code, _, err) = run_demo(bin, args);
        assert_eq!(code, 1, "{args:?}");
        assert_eq!(err, format!("error: {says}; see --help\n"), "{args:?}");
    }
}

/// `--plot DIR` writes the lesson's data file and both pictures, drawn from
/// it; TCP delivered everything at every reader pause.
#[test]
fn plot_writes_the_data_and_both_pictures() {
    let bin = env!("CARGO_BIN_EXE_reliability-demo");
    let dir = std::env::temp_dir().join(format!(
        "reliability-plot-{}-{}",
        nix::unistd::getuid(),
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    let (code, out, err) = run_demo(bin, &["--count", "200", "--plot", dir.to_str().unwrap()]);
    assert_eq!(code, 0, "{out}{err}");
    let data = std::fs::read_to_string(dir.join("04-reliability.csv")).unwrap();
    let chart = demo_kit::plot::parse(&data).unwrap();
    assert!(
        data.starts_with("# command: cargo run -p reliability-demo -- --count 200 --plot "),
        "{data}"
    );
    let pauses: Vec<&str> = chart.rows.iter().map(|r| r.name.en.as_str()).collect();
    assert_eq!(
        pauses,
        [
            "reader pauses 0 µs per read",
            "reader pauses 50 µs per read",
            "reader pauses 200 µs per read"
        ]
    );
    for row in &chart.rows {
        assert_eq!(row.values[1], "100.0", "TCP delivered everything: {data}");
        assert!(demo_kit::plot::number(&row.values[0]).unwrap() <= 100.0);
    }
    for (file, lang) in [
        ("04-reliability.svg", demo_kit::plot::Lang::En),
        ("04-reliability.zh-CN.svg", demo_kit::plot::Lang::Zh),
    ] {
        assert_eq!(
            std::fs::read_to_string(dir.join(file)).unwrap(),
            demo_kit::plot::svg(&chart, lang)
        );
    }
    std::fs::remove_dir_all(&dir).unwrap();
}
