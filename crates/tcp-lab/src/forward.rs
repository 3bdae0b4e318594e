//! The lab in the middle of the wire: read a packet from one TUN device,
//! roll the dice ([`crate::impair`]), write it into the other.
//!
//! The two network stacks only ever see what this loop lets through. It also keeps
//! the wire's own log: every TCP segment it dropped, and whether (and how
//! soon) the sending kernel sent the same sequence number again — TCP's
//! retransmission, seen from the wire.

use crate::impair::{fate, Dice, Fate, Options};
use crate::tun::Tun;
use demo_kit::say::say;
use demo_kit::{tr, Context, Result, Side};
use nix::poll::{poll, PollFd, PollFlags, PollTimeout};
use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};
use tcp_packet::{parse_ipv4_tcp, SYN};

/// How many drops and returns the log prints one by one (then only counts).
const LOG_LINES: usize = 6;

/// What the wire did.
#[derive(Debug, Default)]
pub struct Stats {
    pub forwarded: u64,
    pub forwarded_bytes: u64,
    pub dropped: u64,
    pub dropped_tcp: u64,
    /// Of those, the left kernel's segments that carried data, SYN or FIN
    /// (sequence space, which it must send again).
    pub dropped_tcp_data: u64,
    /// Of those, how many sequence numbers the left kernel sent again.
    pub tcp_came_again: u64,
    /// The sequence numbers (first 4 payload bytes) of dropped UDP datagrams.
    pub dropped_udp: Vec<u32>,
    pub duplicated: u64,
    pub reordered: u64,
    /// From the first packet to the last.
    pub busy: Duration,
}

/// Direction names, left kernel first.
const DIR: [&str; 2] = ["left -> right", "right -> left"];

struct Wire<'a> {
    ends: [&'a Tun; 2],
    opts: &'a Options,
    dice: Dice,
    queue: VecDeque<(Instant, usize, Vec<u8>)>,
    held: [Option<(Instant, Vec<u8>)>; 2],
    /// (direction, seq) of dropped TCP segments → when.
    lost: HashMap<(usize, u32), Instant>,
    isn: [Option<u32>; 2],
    stats: Stats,
    first: Option<Instant>,
}

impl Wire<'_> {
    fn rel(&self, dir: usize, seq: u32) -> String {
        self.isn[dir].map_or(seq.to_string(), |i| format!("+{}", seq.wrapping_sub(i)))
    }

    fn arrive(&mut self, dir: usize, packet: Vec<u8>) {
        let now = Instant::now();
        self.first.get_or_insert(now);
        let seg = parse_ipv4_tcp(&packet);
        if let Some(s) = seg.filter(|s| s.has(SYN)) {
            self.isn[dir] = Some(s.seq);
        }
        match fate(self.opts, &mut self.dice) {
            Fate::Drop => {
                self.stats.dropped += 1;
                if let Some(s) = seg {
                    self.stats.dropped_tcp += 1;
                    if self.stats.dropped_tcp as usize <= LOG_LINES {
                        say(
                            Side::Note,
                            tr!(
                                "wire: DROP {} TCP {} seq {} len {}",
                                "线路：丢弃 {} TCP {} seq {} len {}",
                                DIR[dir],
                                s.flag_names(),
                                self.rel(dir, s.seq),
                                s.payload_len
                            ),
                        );
                    } else if self.stats.dropped_tcp as usize == LOG_LINES + 1 {
                        say(
                            Side::Note,
                            tr!(
                                "wire: (more drops: only the first {LOG_LINES} are listed)",
                                "线路：（还有更多丢弃：只列出前 {LOG_LINES} 个）"
                            ),
                        );
                    }
                    if s.seq_len() > 0 && dir == 0 {
                        self.stats.dropped_tcp_data += 1;
                        self.lost.entry((dir, s.seq)).or_insert(now);
                    }
                } else if packet.get(9) == Some(&17) && dir == 0 {
                    let at = usize::from(packet[0] & 0x0f) * 4 + 8;
                    if let Some(b) = packet.get(at..at + 4) {
                        self.stats
                            .dropped_udp
                            .push(u32::from_be_bytes([b[0], b[1], b[2], b[3]]));
                    }
                }
            }
            Fate::Deliver { twice, hold_back } => {
                if let Some(s) = seg {
                    if let Some(when) = self.lost.remove(&(dir, s.seq)) {
                        self.stats.tcp_came_again += 1;
                        if self.stats.tcp_came_again as usize <= LOG_LINES {
                            say(Side::Note, tr!("wire: seq {} ({}) came again {} ms after its drop: a retransmission", "线路：seq {}（{}）在被丢弃 {} ms 后又来了：这是重传",
                                self.rel(dir, s.seq), DIR[dir], when.elapsed().as_millis()));
                        } else if self.stats.tcp_came_again as usize == LOG_LINES + 1 {
                            say(
                                Side::Note,
                                tr!("wire: (more came again: only the first {LOG_LINES} are listed)", "线路：（还有更多重传：只列出前 {LOG_LINES} 个）"),
                            );
                        }
                    }
                }
                let release = now + self.opts.delay;
                if twice {
                    self.stats.duplicated += 1;
                    self.queue.push_back((release, dir, packet.clone()));
                }
                if hold_back && self.held[dir].is_none() {
                    self.stats.reordered += 1;
                    self.held[dir] = Some((now, packet));
                    return;
                }
                self.queue.push_back((release, dir, packet));
                // A held packet goes right after the one that overtook it.
                if let Some((_, p)) = self.held[dir].take() {
                    self.queue.push_back((release, dir, p));
                }
            }
        }
    }

    /// Delivers what is due; returns how long until the next is.
    fn deliver(&mut self) -> Result<Duration> {
        let now = Instant::now();
        for dir in 0..2 {
            // Nothing overtook a held packet for 20 ms: let it go.
            if self.held[dir]
                .as_ref()
                .is_some_and(|(t, _)| now - *t > Duration::from_millis(20))
            {
                if let Some((_, p)) = self.held[dir].take() {
                    self.queue.push_back((now + self.opts.delay, dir, p));
                }
            }
        }
        while let Some((release, _, _)) = self.queue.front() {
            if *release > now {
                return Ok(*release - now);
            }
            let Some((_, dir, p)) = self.queue.pop_front() else {
                break;
            };
            // A full queue on the far side (ENOBUFS) is just another loss.
            let _ = self.ends[1 - dir].send(&p);
            self.stats.forwarded += 1;
            self.stats.forwarded_bytes += p.len() as u64;
            self.stats.busy = self.first.map(|f| f.elapsed()).unwrap_or_default();
        }
        Ok(Duration::from_millis(20))
    }
}

/// Forwards between `left` and `right` until `stop` is set and nothing is
/// left in flight.
pub fn run(left: &Tun, right: &Tun, opts: &Options, seed: u64, stop: &AtomicBool) -> Result<Stats> {
    let mut w = Wire {
        ends: [left, right],
        opts,
        dice: Dice::new(seed),
        queue: VecDeque::new(),
        held: [None, None],
        lost: HashMap::new(),
        isn: [None, None],
        stats: Stats::default(),
        first: None,
    };
    let mut buf = vec![0u8; 65536];
    loop {
        let wait = w.deliver()?.min(Duration::from_millis(20));
        if stop.load(Ordering::Relaxed) && w.queue.is_empty() && w.held.iter().all(Option::is_none)
        {
            return Ok(w.stats);
        }
        let mut fds = [
            PollFd::new(left.fd(), PollFlags::POLLIN),
            PollFd::new(right.fd(), PollFlags::POLLIN),
        ];
        let ms = u16::try_from(wait.as_millis()).unwrap_or(20);
        match poll(&mut fds, PollTimeout::from(ms)) {
            Ok(_) | Err(nix::errno::Errno::EINTR) => {}
            Err(e) => return Err(e).context("poll() on the two TUN devices"),
        }
        for (dir, fd) in fds.iter().enumerate() {
            if fd.revents().is_some_and(|r| r.contains(PollFlags::POLLIN)) {
                let n = nix::unistd::read(w.ends[dir].fd(), &mut buf)
                    .context("read() from a TUN device")?;
                w.arrive(dir, buf[..n].to_vec());
            }
        }
    }
}

/// The wire's bookkeeping, packet by packet, with dice that always say the
/// same (0 or 100 percent) and stand-in devices whose other ends the tests
/// read: what is dropped and counted, what is held, delayed, doubled, and
/// which device a packet leaves by.
#[cfg(test)]
mod tests {
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
        Wire {
            ends,
            opts,
            dice: Dice::new(1),
            queue: VecDeque::new(),
            held: [None, None],
            lost: HashMap::new(),
            isn: [None, None],
            stats: Stats::default(),
            first: None,
        }
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
}
