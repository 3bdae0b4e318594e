//! The ladder diagram: the two ends of a connection as two vertical lines,
//! each packet an arrow between them, in time order.
//!
//! It is how textbooks (and the course's pictures of 三次握手 and 四次挥手)
//! draw TCP. Each arrow carries the flags, the sequence and acknowledgment
//! numbers both *relative* (x+1: counted from the sender's initial sequence
//! number, as the course writes them) and *absolute* (what is really in the
//! header), and the payload length. A note column on the right holds
//! whatever the caller read at that moment (tcp-lab puts the kernel socket's
//! state there).
//!
//! ```
//! use tcp_packet::{Ladder, Segment, ACK, SYN};
//! let us = "192.0.2.2:40000".parse().unwrap();
//! let kernel = "192.0.2.1:7000".parse().unwrap();
//! let mut ladder = Ladder::new("us", us, "kernel", kernel);
//! let syn = Segment { src: us, dst: kernel, seq: 100, ack: 0, flags: SYN, window: 64240, payload_len: 0 };
//! let synack = Segment { src: kernel, dst: us, seq: 900, ack: 101, flags: SYN | ACK, window: 64240, payload_len: 0 };
//! let a = ladder.arrow(&syn, "SYN_RECV");
//! let b = ladder.arrow(&synack, "SYN_RECV");
//! assert!(a.contains("|--- SYN  seq=x+0 (100)  len=0 ") && a.ends_with(">|  SYN_RECV"));
//! assert!(b.contains("|<-- SYN|ACK  seq=y+0 (900)  ack=x+1 (101)  len=0 "));
//! ```

use crate::header::{Segment, ACK, SYN};
use std::net::SocketAddrV4;

/// Width of the space between the two vertical lines.
const WIDTH: usize = 68;

/// The state of one ladder: who is on which side, and each side's initial
/// sequence number once its SYN has been seen.
#[derive(Clone, Debug)]
pub struct Ladder {
    left: (String, SocketAddrV4),
    right: (String, SocketAddrV4),
    /// x: the left side's ISN; y: the right side's.
    isn: (Option<u32>, Option<u32>),
    /// What the ISNs are called: ("x", "y") unless changed.
    names: (&'static str, &'static str),
    count: usize,
}

impl Ladder {
    /// A ladder between `left` (named `left_name`, e.g. "us" or "client")
    /// and `right`.
    pub fn new(
        left_name: &str,
        left: SocketAddrV4,
        right_name: &str,
        right: SocketAddrV4,
    ) -> Ladder {
        Ladder {
            left: (left_name.to_string(), left),
            right: (right_name.to_string(), right),
            isn: (None, None),
            names: ("x", "y"),
            count: 0,
        }
    }

    /// Sets x and y when they are known from elsewhere (otherwise each is
    /// learned from the first SYN its side sends).
    pub fn with_isns(mut self, x: u32, y: u32) -> Ladder {
        self.isn = (Some(x), Some(y));
        self
    }

    /// Calls the left side's ISN `left` and the right side's `right`
    /// (the course calls the *client's* ISN x, whichever column it is in).
    pub fn with_isn_names(mut self, left: &'static str, right: &'static str) -> Ladder {
        self.names = (left, right);
        self
    }

    /// The two column titles, e.g. `us 192.0.2.2:40000 ... kernel 192.0.2.1:7000`.
    pub fn header(&self, note_title: &str) -> String {
        let l = format!("{} {}", self.left.0, self.left.1);
        let r = format!("{} {}", self.right.0, self.right.1);
        let pad = (WIDTH + 2).saturating_sub(l.len() + r.len());
        format!("      {l}{}{r}  {note_title}", " ".repeat(pad))
            .trim_end()
            .to_string()
    }

    /// True if `s` travels from the left column to the right one.
    pub fn from_left(&self, s: &Segment) -> bool {
        s.src == self.left.1
    }

    /// One arrow for `s`, numbered, with `note` after the right-hand line.
    pub fn arrow(&mut self, s: &Segment, note: &str) -> String {
        self.count += 1;
        let from_left = self.from_left(s);
        // A pure SYN or a SYN|ACK announces its sender's initial sequence number.
        if s.has(SYN) {
            let slot = if from_left {
                &mut self.isn.0
            } else {
                &mut self.isn.1
            };
            slot.get_or_insert(s.seq);
        }
        let (mine, theirs) = if from_left {
            ((self.names.0, self.isn.0), (self.names.1, self.isn.1))
        } else {
            ((self.names.1, self.isn.1), (self.names.0, self.isn.0))
        };
        let rel = |name: &str, isn: Option<u32>, n: u32| match isn {
            Some(isn) => format!("{name}+{}", n.wrapping_sub(isn)),
            None => "?".to_string(),
        };
        let mut label = format!(
            " {}  seq={} ({})",
            s.flag_names(),
            rel(mine.0, mine.1, s.seq),
            s.seq
        );
        if s.has(ACK) {
            label += &format!("  ack={} ({})", rel(theirs.0, theirs.1, s.ack), s.ack);
        }
        label += &format!("  len={} ", s.payload_len);
        let dashes = "-".repeat(WIDTH.saturating_sub(label.len() + 4).max(1));
        let body = if from_left {
            format!("|---{label}{dashes}>|")
        } else {
            format!("|<--{label}{dashes}-|")
        };
        format!("{:>4}  {body}  {note}", self.count)
            .trim_end()
            .to_string()
    }

    /// A line for something that is not a packet (a timeout, a drop), kept
    /// between the two vertical lines so the ladder stays readable.
    pub fn event(&self, text: &str) -> String {
        let inner = format!(" {text}");
        let pad = WIDTH.saturating_sub(inner.chars().count());
        format!("      |{inner}{}|", " ".repeat(pad))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::header::FIN;

    #[test]
    fn relative_numbers_count_from_each_sides_isn() {
        let a: SocketAddrV4 = "192.0.2.2:1".parse().unwrap();
        let b: SocketAddrV4 = "192.0.2.1:2".parse().unwrap();
        let mut l = Ladder::new("client", a, "server", b).with_isns(u32::MAX, 5);
        let fin = Segment {
            src: b,
            dst: a,
            seq: 11,
            ack: 3,
            flags: FIN | ACK,
            window: 0,
            payload_len: 0,
        };
        let line = l.arrow(&fin, "LAST_ACK");
        // Wrapping arithmetic: ack 3 is x+4 when x = 2^32-1.
        assert!(line.contains("seq=y+6 (11)  ack=x+4 (3)"), "{line}");
        assert!(line.starts_with("   1  |<-- FIN|ACK"), "{line}");
        assert!(line.ends_with("-|  LAST_ACK"), "{line}");
    }

    #[test]
    fn arrows_line_up() {
        let a: SocketAddrV4 = "192.0.2.2:1".parse().unwrap();
        let b: SocketAddrV4 = "192.0.2.1:2".parse().unwrap();
        let mut l = Ladder::new("us", a, "kernel", b);
        let syn = Segment {
            src: a,
            dst: b,
            seq: 1,
            ack: 0,
            flags: SYN,
            window: 0,
            payload_len: 0,
        };
        let x = l.arrow(&syn, "");
        let e = l.event("nothing came back");
        assert_eq!(x.find('>').map(|i| i + 1), e.rfind('|'));
    }
}
