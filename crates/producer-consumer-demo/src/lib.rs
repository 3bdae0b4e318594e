//! `producer-consumer-demo`: the course's 生产者与消费者模型.
//!
//! Producers make items, consumers process them, and a **queue** between
//! them lets each side run at its own speed. Two properties make the model
//! work, and the demo measures both:
//!
//! * the queue is **bounded**: when it is full, a producer *blocks* until a
//!   consumer takes something (back-pressure), so a fast producer cannot eat
//!   all memory;
//! * shutdown is **clean**: producers stop, consumers drain what is left,
//!   and the totals agree — produced = consumed, checked with a checksum.
//!
//! [`threads`] does it with threads and a `crossbeam-channel` (Python:
//! `queue.Queue(maxsize)`), [`procs`] with processes and a socket pair
//! (Python: `multiprocessing.JoinableQueue`); [`forever`] runs either until
//! Ctrl-C, and [`pitfall`] shows what `ctrlc`'s handler does in a forked
//! child. Each narrates its calls as they return (quiet under
//! `demo_kit::say::set_quiet`) and returns a report for the tests.

pub mod forever;
pub mod pitfall;
pub mod procs;
pub mod threads;

use demo_kit::say::say;
use demo_kit::{bail_msg, tr, Result, Side};

/// The item producer `producer` makes as its `seq`-th: unique over all
/// producers, so a lost or duplicated item changes the checksum.
pub fn item(producer: usize, seq: u64) -> u64 {
    ((producer as u64) << 40) | seq
}

/// The checksum contribution of one item: a strong mix (splitmix64), so
/// that the wrapping sum of all contributions detects a lost item, a
/// duplicated item, and a lost+duplicated pair alike.
pub fn mix(item: u64) -> u64 {
    let mut z = item.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// A running count and checksum of items.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Tally {
    pub count: u64,
    pub checksum: u64,
}

impl Tally {
    pub fn add(&mut self, item: u64) {
        self.count += 1;
        self.checksum = self.checksum.wrapping_add(mix(item));
    }
    pub fn merge(&mut self, other: Tally) {
        self.count += other.count;
        self.checksum = self.checksum.wrapping_add(other.checksum);
    }
}

/// The end of every run: produced and consumed must agree, count and
/// checksum, or the run failed.
pub fn check_totals(produced: Tally, consumed: Tally) -> Result<()> {
    say(
        Side::Parent,
        tr!(
            "totals: produced {} (checksum {:016x}), consumed {} (checksum {:016x})",
            "合计：生产 {}（校验和 {:016x}），消费 {}（校验和 {:016x}）",
            produced.count,
            produced.checksum,
            consumed.count,
            consumed.checksum
        ),
    );
    if produced != consumed {
        return bail_msg(tr!(
            "produced and consumed differ: items were lost or duplicated",
            "生产和消费的数目对不上：有东西丢了或者重复了"
        ));
    }
    say(
        Side::Parent,
        tr!(
            "produced = consumed: nothing lost, nothing twice",
            "生产 = 消费：一个没丢，一个没重复"
        ),
    );
    Ok(())
}
