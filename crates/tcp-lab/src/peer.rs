//! The lab's side of a connection: every packet written by hand, every
//! packet the kernel sends read back, each drawn on the ladder with the
//! kernel socket's state read right after it.
//!
//! A write to the TUN device is processed by the kernel's TCP before
//! `write()` returns (the packet goes up the stack in our own system call),
//! so the state read just after a send is the state that packet caused.

use crate::kstate::tcp_state;
use crate::tun::Tun;
use demo_kit::say::say;
use demo_kit::tr;
use demo_kit::{Result, Side};
use std::net::SocketAddrV4;
use std::time::Duration;
use tcp_packet::{parse_ipv4_tcp, tcp_payload, Ladder, Segment};

/// How long to wait for the kernel's answer to one packet. Delayed ACKs
/// take at most 200 ms; a silent kernel is the answer after this.
pub const ANSWER_WAIT: Duration = Duration::from_millis(1000);

/// One end of a hand-made connection.
pub struct Peer<'t> {
    pub tun: &'t Tun,
    /// Our address (the lab plays 192.0.2.2).
    pub us: SocketAddrV4,
    /// The kernel's end.
    pub kernel: SocketAddrV4,
    pub ladder: Ladder,
}

impl<'t> Peer<'t> {
    pub fn new(tun: &'t Tun, us: SocketAddrV4, kernel: SocketAddrV4) -> Peer<'t> {
        let ladder = Ladder::new(&tr!("us", "我们"), us, &tr!("kernel", "内核"), kernel);
        say(
            Side::Note,
            ladder.header(&tr!("kernel socket state", "内核套接字的状态")),
        );
        Peer {
            tun,
            us,
            kernel,
            ladder,
        }
    }

    /// The kernel socket's state for this connection, from /proc/net/tcp.
    pub fn state(&self) -> String {
        tcp_state(self.kernel, self.us).map_or_else(|e| e.to_string(), |s| s.to_string())
    }

    /// A segment from us to the kernel with these numbers and flags.
    pub fn segment(&self, seq: u32, ack: u32, flags: u8) -> Segment {
        Segment {
            src: self.us,
            dst: self.kernel,
            seq,
            ack,
            flags,
            window: 64240,
            payload_len: 0,
        }
    }

    /// Writes `seg` + `payload` (checksums computed) and draws it.
    pub fn send(&mut self, seg: Segment, payload: &[u8]) -> Result<()> {
        let packet = seg.to_packet(payload);
        self.send_raw(&packet, "")
    }

    /// Writes a packet exactly as given (perhaps broken on purpose) and
    /// draws it, with `remark` after the state.
    pub fn send_raw(&mut self, packet: &[u8], remark: &str) -> Result<()> {
        self.tun.send(packet)?;
        if let Some(seg) = parse_ipv4_tcp(packet) {
            let note = format!("{} {remark}", self.state());
            say(Side::Client, self.ladder.arrow(&seg, note.trim_end()));
        }
        Ok(())
    }

    /// Reads what the kernel sends on this connection until a segment that
    /// `wanted` accepts arrives (drawing every one), or `wait` passes.
    /// Packets of other connections or protocols (IPv6 router
    /// solicitations, say) are skipped.
    pub fn expect(
        &mut self,
        wait: Duration,
        wanted: impl Fn(&Segment) -> bool,
    ) -> Result<Option<(Segment, Vec<u8>)>> {
        let deadline = std::time::Instant::now() + wait;
        loop {
            let left = deadline.saturating_duration_since(std::time::Instant::now());
            let Some(packet) = self.tun.recv(left)? else {
                return Ok(None);
            };
            let Some(seg) = parse_ipv4_tcp(&packet) else {
                continue;
            };
            if seg.src != self.kernel || seg.dst != self.us {
                continue;
            }
            self.draw(&seg);
            if wanted(&seg) {
                let data = tcp_payload(&packet).unwrap_or_default().to_vec();
                return Ok(Some((seg, data)));
            }
        }
    }

    /// Draws a segment the kernel sent, with its socket's state now.
    pub fn draw(&mut self, seg: &Segment) {
        let note = self.state();
        say(Side::Kernel, self.ladder.arrow(seg, &note));
    }

    /// Draws a non-packet event between the ladder's two lines.
    pub fn event(&self, text: &str) {
        say(Side::Note, self.ladder.event(text));
    }
}

/// An initial sequence number: 32 random bits from the kernel. (Linux's
/// own ISN is a keyed hash of the addresses and ports plus a clock; RFC 6528.)
pub fn random_isn() -> Result<u32> {
    use demo_kit::Context;
    use std::io::Read;
    let mut b = [0u8; 4];
    std::fs::File::open("/dev/urandom")
        .and_then(|mut f| f.read_exact(&mut b))
        .context("reading 4 random bytes from /dev/urandom for our ISN")?;
    Ok(u32::from_be_bytes(b))
}

/// `expect` on a stand-in device: the test plays the kernel and sends
/// segments of other connections first.
#[cfg(test)]
mod tests {
    use super::*;
    use crate::tun::stand_in;
    use tcp_packet::{ACK, SYN};

    #[test]
    fn expect_skips_the_segments_of_other_connections() {
        let (tun, kernel_end) = stand_in::tun("t");
        let (us, kernel): (SocketAddrV4, SocketAddrV4) = (
            "192.0.2.2:40001".parse().unwrap(),
            "192.0.2.1:7000".parse().unwrap(),
        );
        let from = |src: &str, dst: &str, seq: u32| {
            Segment {
                src: src.parse().unwrap(),
                dst: dst.parse().unwrap(),
                seq,
                ack: 0,
                flags: SYN | ACK,
                window: 1000,
                payload_len: 0,
            }
            .to_packet(&[])
        };
        for packet in [
            from("192.0.2.1:7000", "192.0.2.2:40009", 1), // our kernel, another port of ours
            from("192.0.2.1:7001", "192.0.2.2:40001", 2), // another kernel port, to us
            from("192.0.2.1:7000", "192.0.2.2:40001", 3), // this connection
        ] {
            nix::unistd::write(&kernel_end, &packet).unwrap();
        }
        // On a thread of its own, so that an expect() that never returns
        // fails this test after 2 s instead of holding the suite.
        let tun: &'static Tun = Box::leak(Box::new(tun));
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut p = Peer::new(tun, us, kernel);
            let _ = tx.send(
                p.expect(ANSWER_WAIT, |_| true)
                    .map(|got| got.map(|(s, _)| s.seq)),
            );
        });
        let seq = rx
            .recv_timeout(Duration::from_secs(2))
            .expect("expect() returns");
        assert_eq!(seq.unwrap(), Some(3));
    }

    #[test]
    fn each_isn_is_drawn_anew() {
        let isns: Vec<u32> = (0..4).map(|_| random_isn().unwrap()).collect();
        let mut distinct = isns.clone();
        distinct.sort_unstable();
        distinct.dedup();
        // Four equal draws of 32 random bits: once in 2^96 runs.
        assert!(distinct.len() > 1, "{isns:?}");
    }
}
