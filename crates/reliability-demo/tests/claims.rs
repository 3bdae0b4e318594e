//! The demo's claims, measured on the real kernel.

// The demo told in Chinese: in this binary, so it runs alongside the claims.
#[path = "claims/lang.rs"]
mod lang;

use demo_kit::testing::run_demo;
use reliability_demo::{kernel, tcp, udp, Checksum};
use std::net::{TcpListener, TcpStream};
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
    assert!(r.in_order && r.each_whole, "{r:?}");
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
    // The limits' ends first, each answered at once whatever the limits do:
    // a run that passes them stops at `udp --plot`, refused before any run.
    let plot = "--plot runs both scenarios: give no udp or tcp with it";
    let at =
        |knob: &'static str, value: &'static str| [knob, value, "udp", "--plot", "/nonexistent"];
    for (args, says) in [
        (at("--pause-us", "100000"), plot),
        (at("--pause-us", "100001"), knobs),
        (at("--rcvbuf", "67108864"), plot),
        (at("--rcvbuf", "0"), knobs),
    ] {
        let (code, _, err) = run_demo(bin, &args);
        assert_eq!(code, 1, "{args:?}");
        assert_eq!(err, format!("error: {says}; see --help\n"), "{args:?}");
    }
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
        (&["udp", "--plot", "/nonexistent"], plot),
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
    // `--pause-us 5000` is not the plot's: each run pauses as its row says.
    // (Were it used, the 0 µs row's 200 reads would take 1 s at least.)
    let args = [
        "--count",
        "200",
        "--pause-us",
        "5000",
        "--plot",
        dir.to_str().unwrap(),
    ];
    let (code, out, err) = run_demo(bin, &args);
    assert_eq!(code, 0, "{out}{err}");
    let steps: Vec<&str> = out
        .lines()
        .filter_map(|l| l.strip_prefix("── step "))
        .filter_map(|l| l.split(':').next())
        .collect();
    assert_eq!(steps, ["1", "2", "3", "4", "5", "6"], "{out}");
    let data = std::fs::read_to_string(dir.join("04-reliability.csv")).unwrap();
    let chart = demo_kit::plot::parse(&data).unwrap();
    assert!(
        data.starts_with(
            "# command: cargo run -p reliability-demo -- --count 200 --pause-us 5000 --plot "
        ),
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
    // At 200 µs a read, the TCP writer waits for at least 100 of the 200
    // reads (the two small buffers hold far fewer than 100 KiB): 20 ms.
    let tcp_s = demo_kit::plot::number(&chart.rows[2].values[3]).unwrap();
    assert!(tcp_s >= 0.02, "the reader paused 200 µs, not 0: {data}");
    let tcp_0 = demo_kit::plot::number(&chart.rows[0].values[3]).unwrap();
    assert!(
        tcp_0 < 0.5,
        "the 0 µs row did not pause 5 ms per read: {data}"
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

/// A reader that pauses 10 ms a read: the writer blocks, and what the
/// report says about its blocked writes and its send queue adds up.
#[test]
fn a_blocked_writer_is_counted_and_its_queue_seen() {
    let r = tcp::run(16, 4096, 4096, Duration::from_millis(10)).unwrap();
    tcp::check(&r).unwrap();
    // 64 KiB at 4 KiB a read, 10 ms each; the buffers hold far less, so the
    // 16 writes wait 50 ms or more: one of them waited longer than 1 ms.
    assert!(r.write_time >= Duration::from_millis(50), "{r:?}");
    assert!(r.longest_write > tcp::BLOCKED, "{r:?}");
    assert!(
        (1..=r.writes).contains(&r.blocked_writes),
        "the longest write counts as blocked: {r:?}"
    );
    assert!(
        r.blocked_time >= tcp::BLOCKED * r.blocked_writes as u32
            && r.blocked_time >= r.longest_write
            && r.blocked_time <= r.write_time,
        "only writes longer than 1 ms are summed, the longest among them: {r:?}"
    );
    // The watcher samples once a millisecond while the writer works.
    let ms = r.send_time.as_millis() as u64;
    assert!((2..=ms + 3).contains(&r.samples), "{r:?}");
    assert!(
        r.max_unacked >= 4096 && r.unsent_then <= r.max_unacked,
        "a blocked writer leaves a message's bytes in the send queue: {r:?}"
    );
    assert!(
        r.zero_window_delta.is_some(),
        "TCPToZeroWindowAdv read: {r:?}"
    );
}

/// SIOCOUTQ and SIOCOUTQNSD on a connected socket with nothing written
/// read 0 and 0; on a listening socket tcp_ioctl (net/ipv4/tcp.c) refuses
/// them with EINVAL, and so must `send_queue`.
#[test]
fn send_queue_reads_the_kernels_counts_and_its_errors() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let client = TcpStream::connect(listener.local_addr().unwrap()).unwrap();
    let (_server, _) = listener.accept().unwrap();
    assert_eq!(kernel::send_queue(&client).unwrap(), (0, 0));
    let err = kernel::send_queue(&listener).unwrap_err();
    assert_eq!(err.raw_os_error(), Some(nix::libc::EINVAL), "{err}");
}

/// `check` fails when either the count or the checksum differs.
#[test]
fn check_refuses_a_lost_byte_and_a_changed_one() {
    let r = tcp::run(1, 16, 4096, Duration::ZERO).unwrap();
    tcp::check(&r).unwrap();
    let short = tcp::TcpReport {
        received_bytes: r.sent_bytes - 1,
        ..r
    };
    assert!(tcp::check(&short).is_err(), "a byte lost: {short:?}");
    let changed = tcp::TcpReport {
        received_bytes: short.sent_bytes,
        received_sum: Checksum(short.sent_sum.0 ^ 1),
        ..short
    };
    assert!(tcp::check(&changed).is_err(), "a byte changed: {changed:?}");
}
