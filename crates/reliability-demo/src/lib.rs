//! `reliability-demo`: why TCP is called reliable (可靠协议) and UDP
//! unreliable (不可靠协议), measured on the student's own kernel.
//!
//! The same fast sender and the same slow reader, twice:
//! * [`udp`]: datagrams that find the receive buffer full are dropped; the
//!   kernel counts them, the sender is never told, nothing is sent again.
//!   (UDP also keeps no order and removes no duplicates: loopback happens
//!   not to reorder or duplicate.)
//! * [`tcp`]: the sender *blocks* while the receiver's window is closed, and
//!   its kernel keeps every byte until the peer acknowledges it; all arrive.
//! * [`kernel`]: the counters and queues Linux publishes for both.
//! * [`plot`]: `--plot DIR`, the lesson's picture from runs at three reader pauses.

pub mod kernel;
pub mod plot;
pub mod tcp;
pub mod udp;

/// FNV-1a, 64 bits: a checksum of a byte stream that can be computed piece
/// by piece, so sender and receiver can compare what went in and came out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Checksum(pub u64);

impl Default for Checksum {
    fn default() -> Self {
        Checksum(0xcbf2_9ce4_8422_2325)
    }
}

impl Checksum {
    pub fn update(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 ^= u64::from(b);
            self.0 = self.0.wrapping_mul(0x0100_0000_01b3);
        }
    }
}

/// Message `seq` of `size` bytes (at least 4): its number, big-endian,
/// then bytes derived from it, so a lost, repeated or reordered message
/// would show.
pub fn message(seq: u32, size: usize) -> Vec<u8> {
    let mut m = seq.to_be_bytes().to_vec();
    m.extend((4..size).map(|i| (seq as usize).wrapping_mul(31).wrapping_add(i) as u8));
    m
}
