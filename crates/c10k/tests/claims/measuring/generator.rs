//! The load generator's counts: a frame's bytes, the descriptor and time
//! limits, and each connection ending once, with its error, whatever the
//! server does (never answers, closes, resets).

use super::*;

// ------------------------------------------------------------ the frames

/// Each frame names its connection and round, and its body is a pattern
/// made from both and each byte's place, so an echo mixed up between
/// connections or rounds, or shifted by a byte, is seen.
#[test]
fn a_frame_carries_its_connection_its_round_and_a_pattern() {
    let f = frame(1, 2);
    assert_eq!(f.len(), 68);
    assert_eq!(f[..4], 64i32.to_le_bytes(), "struct.pack('i', 64)");
    assert_eq!(f[4..8], 1u32.to_le_bytes());
    assert_eq!(f[8..12], 2u32.to_le_bytes());
    // Byte 12 + j is 31 * conn + 7 * round + j.
    let body: Vec<u8> = (0..56).map(|j| (31 + 14 + j) as u8).collect();
    assert_eq!(f[12..], body[..]);
    assert_eq!(frame(0, 0)[12..16], [0, 1, 2, 3]);
    assert_eq!(frame(9, 40)[12], (9 * 31 + 40 * 7) as u8);
}

// ---------------------------------------------- limits and the time limit

/// `--conns` up to the open-files limit less the spare is tried; one more
/// is refused before any connection is made.
#[test]
fn the_load_takes_as_many_connections_as_descriptors_allow_and_no_more() {
    // Bound, not listening: a connect to it is refused (a reset for the SYN).
    let refusing = crate::serving::not_listening();
    let addr = refusing.local_addr().unwrap();
    let most = c10k::limits::max_conns(c10k::limits::hard_nofile().unwrap()) as usize;
    let err = load::run(addr, most + 1, 1, None, Duration::from_secs(1)).unwrap_err();
    let text = format!("{err:#}");
    assert!(
        text.contains(&format!("--conns {}", most + 1)) && text.contains("open-files limit"),
        "{text}"
    );
    // At the limit it starts, and stops at the first refused connect.
    let (r, _) = run_load(addr, most, 1, Duration::from_secs(1));
    assert_eq!(
        (r.connected, r.errors, r.round_trips, r.timed_out),
        (0, 1, 0, false),
        "{r:?}"
    );
    let first = r.first_error.unwrap();
    assert!(
        first.starts_with(&format!("connection 0 of {most} failed")),
        "{first}"
    );
}

/// Connecting stops once the time limit has passed (here at once: 0 s).
#[test]
fn connecting_stops_at_the_time_limit() {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let (r, _) = run_load(l.local_addr().unwrap(), 3, 1, Duration::ZERO);
    assert_eq!((r.connected, r.errors, r.timed_out), (0, 1, false), "{r:?}");
    assert_eq!(
        r.first_error.as_deref(),
        Some("connecting took longer than 0ns: stopped at 0")
    );
}

/// A server that takes the connections but never answers: the round trips
/// stop at the time limit, marked as timed out, not as errors.
#[test]
fn a_server_that_never_answers_is_timed_out() {
    let l = TcpListener::bind("127.0.0.1:0").unwrap(); // never accepts
    let (r, took) = run_load(l.local_addr().unwrap(), 2, 1, Duration::from_millis(100));
    assert!(r.timed_out, "{r:?}");
    assert_eq!((r.connected, r.round_trips, r.errors), (2, 0, 0), "{r:?}");
    assert!(
        r.elapsed_s >= 0.1 && took >= Duration::from_millis(100),
        "{r:?}"
    );
}

// ------------------------------------------- each connection ends once

/// The server closes each connection after reading its first frame: each
/// ends with one error, and the run ends then, not at its time limit.
#[test]
fn a_server_that_closes_ends_each_connection_with_one_error() {
    let (addr, t) = scripted(2, |mut s| {
        let mut f = [0u8; FRAME];
        s.read_exact(&mut f).unwrap(); // then dropped: a FIN
    });
    let (r, took) = run_load(addr, 2, 2, Duration::from_secs(3));
    t.wait();
    assert!(
        !r.timed_out && took < Duration::from_secs(2),
        "{took:?} {r:?}"
    );
    assert_eq!((r.connected, r.errors, r.round_trips), (2, 2, 0), "{r:?}");
    let first = r.first_error.unwrap();
    assert!(
        first.ends_with("the server closed it after 0 of 2 rounds"),
        "{first}"
    );
}

/// A reset while waiting for the echo is a failed receive, with its error.
#[test]
fn a_reset_is_reported_as_a_failed_receive() {
    let (addr, t) = scripted(2, |mut s| {
        let mut f = [0u8; FRAME];
        s.read_exact(&mut f).unwrap();
        reset(s);
    });
    let (r, took) = run_load(addr, 2, 2, Duration::from_secs(3));
    t.wait();
    assert!(
        !r.timed_out && took < Duration::from_secs(2),
        "{took:?} {r:?}"
    );
    assert_eq!((r.connected, r.errors, r.round_trips), (2, 2, 0), "{r:?}");
    let first = r.first_error.unwrap();
    assert!(
        first.contains("round 0: recv failed: Connection reset by peer"),
        "{first}"
    );
}

/// Connections reset before their first frame: each first send fails, is
/// counted once, and the run ends at once. The load generator waits for
/// the server to hold every connection before it sends (the only sleep in
/// `load::run` is that wait): the stand-in server's descriptors grow only
/// after the resets, so every reset is in before the first send. The
/// server figures are read then: descriptors before and after, exactly.
#[test]
fn connections_reset_before_the_first_send_fail_once_each() {
    let mut holder = Holder::start();
    let fds_before = holder.fds();
    let mut go = holder.trigger();
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    l.set_nonblocking(true).unwrap();
    let load = start_load(
        l.local_addr().unwrap(),
        HELD,
        3,
        Some(holder.pid()),
        Duration::from_secs(2),
    );
    let mut held = Vec::new();
    demo_kit::wait::until(Duration::from_secs(5), || {
        held.extend(std::iter::from_fn(|| l.accept().ok().map(|(s, _)| s)));
        (held.len() == HELD).then_some(())
    })
    .expect("the load generator's 4 connections within 5 s");
    // Once it has connected everyone it waits for the server's descriptors
    // (its only sleep). Reset every connection (not at accept: a reset
    // before connect_timeout looks at the socket fails the connect), then
    // let the descriptors grow.
    let tid = load.tid;
    let _ = demo_kit::wait::until(Duration::from_secs(2), || asleep(tid).then_some(()));
    held.into_iter().for_each(reset);
    writeln!(go, "go").unwrap();
    // Timed from the go, not from the load's start: connecting and the
    // waits before the go take what a loaded machine makes them take. Its
    // wait for the server (at most 10 s, from before the go) must end at
    // once now, and the run with it.
    let go_at = Instant::now();
    let (r, _) = load.wait(Duration::from_secs(15));
    let since_go = go_at.elapsed();
    assert!(
        !r.timed_out && since_go < Duration::from_secs(5),
        "ended {since_go:?} after the go: {r:?}"
    );
    assert_eq!(
        (r.connected, r.errors, r.round_trips),
        (HELD, HELD as u64, 0),
        "{r:?}"
    );
    let first = r.first_error.clone().unwrap();
    assert!(
        first.contains("round 0: send failed: Connection reset by peer"),
        "{first}"
    );
    let s = r.server.expect("the stand-in server's /proc figures");
    assert_eq!(
        (s.fds_before, s.fds_after),
        (fds_before as u64, (fds_before + HELD) as u64),
        "{s:?}"
    );
    assert_eq!(s.threads_after, 1, "sh has one thread: {s:?}");
    assert!(
        s.rss_before_kib > 0 && s.hwm_kib >= s.rss_after_kib,
        "{s:?}"
    );
}
