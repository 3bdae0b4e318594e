//! The wire's bookkeeping, packet by packet, with dice that always say the
//! same (0 or 100 percent) and stand-in devices whose other ends the tests
//! read: what is dropped and counted, what is held, delayed, doubled, and
//! which device a packet leaves by.

use super::*;
use crate::tun::stand_in::{self, next_within, written};
use tcp_packet::{Segment, ACK, PSH};

const LEFT: &str = "192.0.2.1:50000";
const RIGHT: &str = "192.0.2.2:9000";

fn opts(loss: u32, delay: Duration, reorder: u32, duplicate: u32) -> Options {
    Options {
        loss,
        delay,
        reorder,
        duplicate,
        bytes: 1,
    }
}

fn wire<'a>(ends: [&'a Tun; 2], opts: &'a Options) -> Wire<'a> {
    Wire::new(ends, opts, 1)
}

/// A TCP segment going `dir` (0: left -> right) with `payload`.
fn tcp(dir: usize, seq: u32, flags: u8, payload: &[u8]) -> Vec<u8> {
    let (a, b) = (LEFT.parse().unwrap(), RIGHT.parse().unwrap());
    let (src, dst) = if dir == 0 { (a, b) } else { (b, a) };
    Segment {
        src,
        dst,
        seq,
        ack: 1,
        flags,
        window: 1000,
        payload_len: 0,
    }
    .to_packet(payload)
}

/// An IPv4 packet of protocol `proto` whose payload starts with `seq`
/// after an 8-byte header (a UDP datagram of the wire mode, for 17).
fn ip(proto: u8, seq: u32) -> Vec<u8> {
    let mut p = vec![0u8; 20 + 8 + 60];
    p[0] = 0x45;
    p[9] = proto;
    p[28..32].copy_from_slice(&seq.to_be_bytes());
    p
}

/// Makes every queued packet due now (as if its delay had passed).
fn due_now(w: &mut Wire<'_>) {
    for (release, _, _) in w.queue.iter_mut() {
        *release = Instant::now();
    }
}

#[test]
fn a_dropped_packet_is_counted_by_what_it_carried() {
    let ((l, _l_end), (r, _r_end)) = (stand_in::tun("l"), stand_in::tun("r"));
    let o = opts(100, Duration::ZERO, 0, 0);
    let mut w = wire([&l, &r], &o);
    w.arrive(0, tcp(0, 1000, SYN, &[])); // sequence space: 1
    w.arrive(0, tcp(0, 1001, ACK, &[])); // a bare ACK: none
    w.arrive(1, tcp(1, 7, PSH | ACK, b"hello")); // the right's data: not the left's
    w.arrive(0, ip(17, 42)); // a UDP datagram of ours: its number noted
    w.arrive(1, ip(17, 43)); // UDP the other way: not ours
    w.arrive(0, ip(1, 44)); // ICMP: neither TCP nor UDP
    let s = &w.stats;
    assert_eq!((s.dropped, s.dropped_tcp, s.dropped_tcp_data), (6, 3, 1));
    assert_eq!(s.dropped_udp, [42]);
    assert_eq!(w.lost.keys().collect::<Vec<_>>(), [&(0, 1000)]);
    assert!(w.queue.is_empty() && w.held.iter().all(Option::is_none));
    // Sequence numbers are shown from the ISN seen in the SYN, when there was one.
    assert_eq!(w.rel(0, 1005), "+5");
    assert_eq!(w.rel(1, 77), "77");
}

#[test]
fn a_dropped_sequence_number_sent_again_counts_once() {
    let ((l, _l_end), (r, _r_end)) = (stand_in::tun("l"), stand_in::tun("r"));
    let (lossy, perfect) = (
        opts(100, Duration::ZERO, 0, 0),
        opts(0, Duration::ZERO, 0, 0),
    );
    let mut w = wire([&l, &r], &lossy);
    w.arrive(0, tcp(0, 500, PSH | ACK, b"0123456789"));
    w.opts = &perfect;
    w.arrive(0, tcp(0, 500, PSH | ACK, b"0123456789"));
    w.arrive(0, tcp(0, 500, PSH | ACK, b"0123456789"));
    assert_eq!(w.stats.tcp_came_again, 1);
    assert!(w.lost.is_empty());
}

#[test]
fn a_packet_waits_its_delay_then_leaves_by_the_other_device() {
    let ((l, l_end), (r, r_end)) = (stand_in::tun("l"), stand_in::tun("r"));
    let o = opts(0, Duration::from_secs(10), 0, 0);
    let mut w = wire([&l, &r], &o);
    let (to_right, to_left) = (tcp(0, 1, ACK, b"abc"), tcp(1, 2, ACK, b"de"));
    w.arrive(0, to_right.clone());
    w.arrive(1, to_left.clone());
    let wait = w.deliver().unwrap();
    assert!(wait > Duration::from_secs(5), "{wait:?}");
    assert!(written(&l_end).is_empty() && written(&r_end).is_empty());
    due_now(&mut w);
    w.deliver().unwrap();
    assert_eq!(written(&r_end), [to_right.as_slice()]);
    assert_eq!(written(&l_end), [to_left.as_slice()]);
    let bytes = (to_right.len() + to_left.len()) as u64;
    assert_eq!((w.stats.forwarded, w.stats.forwarded_bytes), (2, bytes));
    assert!(w.queue.is_empty());
}

#[test]
fn a_duplicated_packet_arrives_twice() {
    let ((l, _l_end), (r, r_end)) = (stand_in::tun("l"), stand_in::tun("r"));
    let o = opts(0, Duration::ZERO, 0, 100);
    let mut w = wire([&l, &r], &o);
    let p = tcp(0, 1, ACK, b"x");
    w.arrive(0, p.clone());
    w.deliver().unwrap();
    assert_eq!(written(&r_end), [p.clone(), p]);
    assert_eq!((w.stats.duplicated, w.stats.forwarded), (1, 2));
}

#[test]
fn a_held_packet_is_overtaken_or_let_go_after_20_ms_plus_the_delay() {
    let ((l, _l_end), (r, r_end)) = (stand_in::tun("l"), stand_in::tun("r"));
    let o = opts(0, Duration::from_secs(10), 100, 0);
    let mut w = wire([&l, &r], &o);
    let (a, b, c) = (
        tcp(0, 1, ACK, b"a"),
        tcp(0, 2, ACK, b"b"),
        tcp(0, 3, ACK, b"c"),
    );
    // a is held; b overtakes it, and a follows b.
    w.arrive(0, a.clone());
    assert!(w.held[0].is_some() && w.queue.is_empty());
    w.arrive(0, b.clone());
    due_now(&mut w);
    w.deliver().unwrap();
    assert_eq!(written(&r_end), [b, a]);
    // c is held, and nothing overtakes it.
    w.arrive(0, c.clone());
    assert_eq!(w.stats.reordered, 2);
    // Held for no time yet (its clock set ahead): it stays.
    w.held[0].as_mut().unwrap().0 = Instant::now() + Duration::from_secs(5);
    w.deliver().unwrap();
    assert!(w.held[0].is_some());
    // Held for 30 ms: let go, and then it waits the wire's delay.
    w.held[0].as_mut().unwrap().0 = Instant::now() - Duration::from_millis(30);
    let wait = w.deliver().unwrap();
    assert!(w.held[0].is_none(), "held for 30 ms: let go");
    assert!(wait > Duration::from_secs(5), "{wait:?}");
    assert!(written(&r_end).is_empty(), "sent before the delay");
    due_now(&mut w);
    w.deliver().unwrap();
    assert_eq!(written(&r_end), [c]);
}

#[test]
fn run_forwards_until_told_to_stop_with_nothing_in_flight() {
    // On a thread of its own with 'static parts, so that a run that never
    // returns fails this test after 2 s instead of holding the suite.
    let ((l, l_end), (r, r_end)) = (stand_in::tun("l"), stand_in::tun("r"));
    let ends: &'static (Tun, Tun) = Box::leak(Box::new((l, r)));
    let o: &'static Options = Box::leak(Box::new(opts(0, Duration::ZERO, 0, 0)));
    let stop: &'static AtomicBool = Box::leak(Box::new(AtomicBool::new(false)));
    let p = tcp(0, 1, PSH | ACK, b"over the wire");
    nix::unistd::write(&l_end, &p).unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || tx.send(run(&ends.0, &ends.1, o, 1, stop)));
    let got = next_within(&r_end, Duration::from_secs(2));
    stop.store(true, Ordering::Relaxed);
    let stats = rx
        .recv_timeout(Duration::from_secs(2))
        .expect("run returns within 2 s of its stop")
        .unwrap();
    assert_eq!(got, Some(p), "the packet came out of the right device");
    assert_eq!(stats.forwarded, 1);
}
