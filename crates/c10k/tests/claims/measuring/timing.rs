//! The load generator's reads and times: an echo in two pieces, a round
//! trip timed from its own send, and a clean run whose every figure is
//! what it is defined as.

use super::*;

/// A frame that arrives in two reads is one round trip, not two.
#[test]
fn an_echo_read_in_two_pieces_is_one_round_trip() {
    let (addr, t) = split_echo(2, &[]);
    let (r, _) = run_load(addr, 1, 2, Duration::from_secs(3));
    t.wait();
    assert!(r.clean() && r.round_trips == 2, "{r:?}");
}

/// After the first piece, a read asks only for the rest of the frame: a
/// byte the server adds after it is read as the next round's, and is wrong.
#[test]
fn a_byte_after_the_frame_is_wrong_in_the_next_round() {
    let (addr, t) = split_echo(1, &[0xee; 10]);
    let (r, _) = run_load(addr, 1, 2, Duration::from_secs(3));
    t.wait();
    assert_eq!((r.round_trips, r.errors), (1, 1), "{r:?}");
    assert_eq!(
        r.first_error.as_deref(),
        Some("connection 0, round 1: WRONG BYTES in the echo")
    );
}

/// A round trip is timed from its own send, not from the connect: with 100
/// ms between connecting and the first send (the load generator waits for
/// the stand-in server's descriptors until then), every round trip still
/// lies within the round trips' time.
#[test]
fn a_round_trip_is_timed_from_its_own_send() {
    let server = Server::start();
    let mut holder = Holder::start();
    let mut go = holder.trigger();
    let load = start_load(
        server.addr,
        HELD,
        2,
        Some(holder.pid()),
        Duration::from_secs(3),
    );
    let tid = load.tid;
    demo_kit::wait::until(Duration::from_secs(5), || asleep(tid).then_some(()))
        .expect("the load generator waits for the server's descriptors");
    std::thread::sleep(Duration::from_millis(100)); // the gap itself, not a wait for an event
    writeln!(go, "go").unwrap();
    let (r, _) = load.wait(Duration::from_secs(15));
    assert!(r.clean() && r.round_trips == 8, "{r:?}");
    let rounds_us = r.elapsed_s * 1e6;
    assert!(r.p50_us <= rounds_us && r.p99_us <= rounds_us, "{r:?}");
}

/// The real epoll server, 20 connections x 10 round trips: all done, every
/// figure consistent with how it is defined.
#[test]
fn a_clean_run_is_measured_as_defined() {
    let server = Server::start();
    // The load's own CPU is this process's (all threads) over the round
    // trips: it must lie within this process's CPU around the whole run.
    // Spending some first makes a sum of the two readings, instead of
    // their difference, far too large.
    let floor = Duration::from_millis(100);
    let spin = Instant::now();
    while process_cpu() < floor && spin.elapsed() < Duration::from_secs(2) {
        std::hint::black_box((0..std::hint::black_box(10_000u64)).sum::<u64>());
    }
    let cpu_before = process_cpu();
    let load = start_load(
        server.addr,
        20,
        10,
        Some(server.child.id() as i32),
        Duration::from_secs(5),
    );
    let (r, took) = load.wait(Duration::from_secs(20));
    let cpu_during = process_cpu() - cpu_before;
    assert!(
        r.clean() && !r.timed_out && r.first_error.is_none(),
        "{r:?}"
    );
    assert_eq!((r.connected, r.round_trips, r.errors), (20, 200, 0));
    // The server holds every connection at once: read within ms, not after
    // the 10 s wait for it.
    assert!(
        took < Duration::from_secs(3),
        "load::run took {took:?}: {r:?}"
    );
    assert!(
        r.elapsed_s > 0.0 && r.elapsed_s < took.as_secs_f64(),
        "{r:?}"
    );
    assert!(
        (r.req_per_s - 200.0 / r.elapsed_s).abs() < 1e-6 * r.req_per_s,
        "{r:?}"
    );
    // A round trip is timed from its own send: a connection's 10 times
    // add up to at most the run, so at most 3 of each 10 exceed a quarter
    // of it, and the median does not.
    assert!(r.p50_us >= 1.0 && r.p99_us >= r.p50_us, "{r:?}");
    assert!(
        r.p50_us <= r.elapsed_s * 1e6 / 4.0,
        "p50 {} µs of a {} s run: {r:?}",
        r.p50_us,
        r.elapsed_s
    );
    assert!(r.load_cpu_s > 0.0, "{r:?}");
    assert!(
        r.load_cpu_s <= cpu_during.as_secs_f64(),
        "the load's CPU {} s, this process's around it {cpu_during:?}",
        r.load_cpu_s
    );
    let s = r.server.clone().expect("the server's /proc figures");
    assert!(s.fds_after >= s.fds_before + 20, "{s:?}");
    assert!(
        s.threads_after >= 1 && s.rss_before_kib > 0 && s.hwm_kib >= s.rss_after_kib,
        "{s:?}"
    );
    assert!(s.kstack_before_kib > 1 && s.kstack_after_kib > 1, "{s:?}");
    assert!(
        (s.cpu_per_rt_us - s.cpu_s * 1e6 / 200.0).abs() <= 1e-9,
        "{s:?}"
    );
    drop(server);
}
