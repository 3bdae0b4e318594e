// Exercise `bounded_queue` — lesson 14, producers and consumers (生产者与消费者模型):
// docs/14-producer-consumer.md
//
// Producers make items, consumers use them, a queue sits between. Two
// things make it a *model* and not just a queue:
//   * bounded: the queue holds at most `capacity` items; a producer that is
//     ahead must wait (here: `std::sync::mpsc::sync_channel(capacity)`);
//   * clean shutdown: when every producer is done and the queue is empty,
//     every consumer stops by itself — no hang, no lost item.
//     (The course puts one `None` per consumer into the queue; with a
//     channel, dropping the last Sender does it: `recv` then fails.)
//
// Write `run`: start `producers` threads, producer `p` sending
// `make(p, i, &stats)` for i in 0..per_producer; start `consumers` threads
// that pass each item to `consume(item, &stats)` and collect what they
// consumed; return every consumed item. Several consumers share one
// receiver: put it in an `Arc<Mutex<..>>`.
//
// 中文：
// 练习 `bounded_queue`——第 14 课，生产者与消费者模型。
//
// 生产者制造数据，消费者使用数据，中间隔着一个队列。让它成为一个“模型”、而不只
// 是一个队列的，是两点：
//   * 有界：队列最多容纳 `capacity` 个数据；跑在前面的生产者必须等待（这里用
//     `std::sync::mpsc::sync_channel(capacity)`）；
//   * 干净地收尾：当每个生产者都做完、队列也空了，每个消费者都会自己停下——不卡
//     死，不丢数据。
//     （课程往队列里为每个消费者放一个 `None`；用通道的话，丢弃最后一个
//     Sender 就能做到：之后 `recv` 会失败。）
//
// 写出 `run`：启动 `producers` 个生产者线程，生产者 `p` 对 0..per_producer 中
// 的每个 i 发送 `make(p, i, &stats)`；启动 `consumers` 个消费者线程，把每个数
// 据交给 `consume(item, &stats)`，并收集自己消费过的数据；返回所有被消费的数
// 据。多个消费者共用一个接收端：把它放进 `Arc<Mutex<..>>`。

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::sync_channel;
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

/// How many items exist that were made but not yet consumed (given).
#[derive(Default)]
struct Stats {
    in_flight: AtomicUsize,
    max_in_flight: AtomicUsize,
}

/// Produces item `i` of producer `p` (given).
fn make(p: usize, i: usize, stats: &Stats) -> u64 {
    let now = stats.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
    stats.max_in_flight.fetch_max(now, Ordering::SeqCst);
    (p * 1_000_000 + i) as u64
}

/// Consumes one item, slowly (given).
fn consume(_item: u64, stats: &Stats) {
    thread::sleep(Duration::from_micros(200));
    stats.in_flight.fetch_sub(1, Ordering::SeqCst);
}

/// Runs the whole model; returns every item consumed (in any order).
fn run(
    producers: usize,
    per_producer: usize,
    consumers: usize,
    capacity: usize,
    stats: Arc<Stats>,
) -> Vec<u64> {
    todo!("{producers} producers, {consumers} consumers, a queue of {capacity}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use exercises::within;

    fn expected(producers: usize, per_producer: usize) -> Vec<u64> {
        let mut all: Vec<u64> = (0..producers)
            .flat_map(|p| (0..per_producer).map(move |i| (p * 1_000_000 + i) as u64))
            .collect();
        all.sort();
        all
    }

    /// Every item is consumed exactly once, and every consumer stops by itself when the producers are done.
    /// 中文：每个产品正好被消费一次；生产者都结束后，每个消费者自己停下来。
    #[test]
    fn every_item_consumed_exactly_once_and_everyone_stops() {
        within(20, || {
            let stats = Arc::new(Stats::default());
            let mut got = run(4, 200, 2, 4, Arc::clone(&stats));
            got.sort();
            assert_eq!(got, expected(4, 200), "each item exactly once");
            assert_eq!(stats.in_flight.load(Ordering::SeqCst), 0);
        });
    }

    /// The queue is bounded: never more than its capacity plus one item in each thread's hand is waiting.
    /// 中文：队列有界：等待中的产品最多是队列容量，加上每个线程手里的一个。
    #[test]
    fn the_queue_is_bounded() {
        within(20, || {
            let stats = Arc::new(Stats::default());
            run(4, 200, 2, 4, Arc::clone(&stats));
            // In flight = in the queue (<= 4) + one in each producer's hand
            // + one in each consumer's hand.
            let max = stats.max_in_flight.load(Ordering::SeqCst);
            assert!(
                max <= 4 + 4 + 2,
                "up to {max} items were waiting: is the queue bounded?"
            );
        });
    }

    /// More consumers than producers still gets every item, and with nothing to produce everyone stops.
    /// 中文：消费者比生产者多时，产品照样一个不少；没有产品可生产时，所有线程都会停下。
    #[test]
    fn more_consumers_than_producers_and_nothing_to_do() {
        within(20, || {
            let mut got = run(1, 50, 5, 1, Arc::new(Stats::default()));
            got.sort();
            assert_eq!(got, expected(1, 50));
            assert!(
                run(3, 0, 3, 2, Arc::new(Stats::default())).is_empty(),
                "no items: stop"
            );
        });
    }
}
