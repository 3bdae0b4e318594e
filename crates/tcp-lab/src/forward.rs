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

impl<'a> Wire<'a> {
    /// A wire between two ends with nothing in flight yet, its fates drawn
    /// from `seed` (the same seed, the same losses).
    fn new(ends: [&'a Tun; 2], opts: &'a Options, seed: u64) -> Wire<'a> {
        Wire {
            ends,
            opts,
            dice: Dice::new(seed),
            queue: VecDeque::new(),
            held: [None, None],
            lost: HashMap::new(),
            isn: [None, None],
            stats: Stats::default(),
            first: None,
        }
    }

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
    let mut w = Wire::new([left, right], opts, seed);
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

#[cfg(test)]
mod tests;
