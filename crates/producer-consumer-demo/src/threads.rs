//! Producers and consumers as threads of one process, on a bounded
//! `crossbeam-channel` (Python: `queue.Queue(maxsize=N)` with threads).
//!
//! * Back-pressure: each producer first tries `try_send`; if that fails
//!   with `Full`, the send *would have blocked*, so we count it and then do
//!   the blocking `send`. The count shows how often the queue made a
//!   producer wait.
//! * Clean shutdown without sentinels: a consumer's `for item in rx` ends
//!   when the queue is empty **and** every `Sender` has been dropped. So
//!   producers just return (dropping their sender) and consumers drain the
//!   rest. Python needs a `None` per consumer, or daemon consumers plus
//!   `JoinableQueue.join()`, to get the same effect.
//! * Stop on request: with no item limit, producers run until `stop` is
//!   set (by Ctrl-C in the demo), then return; the drain is the same.

use crate::{check_totals, item, Tally};
use crossbeam_channel::{bounded, TrySendError};
use demo_kit::say::say;
use demo_kit::{tr, Result, Side};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// What to run.
#[derive(Clone, Debug)]
pub struct Config {
    pub producers: usize,
    pub consumers: usize,
    /// Items per producer; `None` = until `stop` is set.
    pub items_per_producer: Option<u64>,
    /// The queue's bound (Python's `maxsize`).
    pub capacity: usize,
    /// Simulated work per item in a consumer (slow consumers = full queue).
    pub consume_delay: Duration,
}

impl Config {
    /// The same run with another queue bound.
    pub fn with_capacity(&self, capacity: usize) -> Config {
        Config {
            capacity,
            ..self.clone()
        }
    }
}

/// Counters the caller may watch while it runs (progress output).
#[derive(Debug, Default)]
pub struct Live {
    pub produced: AtomicU64,
    pub consumed: AtomicU64,
}

/// What was observed.
#[derive(Debug)]
pub struct Report {
    pub produced: Tally,
    pub consumed: Tally,
    pub per_producer: Vec<u64>,
    pub per_consumer: Vec<u64>,
    /// Sends that found the queue full and had to block.
    pub blocked_sends: u64,
    /// Total time producers spent blocked in those sends.
    pub blocked_time: Duration,
    /// The longest queue a consumer saw right after taking an item.
    pub max_queue_len: usize,
    pub elapsed: Duration,
}

/// Runs producers and consumers to completion (or until `stop`, then drain).
pub fn run(cfg: &Config, stop: &AtomicBool, live: &Live) -> Report {
    let start = Instant::now();
    let (tx, rx) = bounded::<u64>(cfg.capacity);
    std::thread::scope(|s| {
        let producers: Vec<_> = (0..cfg.producers)
            .map(|id| {
                let tx = tx.clone();
                s.spawn(move || {
                    let mut tally = Tally::default();
                    let (mut blocked, mut blocked_time) = (0, Duration::ZERO);
                    let mut seq = 0;
                    while cfg.items_per_producer.is_none_or(|n| seq < n)
                        && !stop.load(Ordering::SeqCst)
                    {
                        let it = item(id, seq);
                        match tx.try_send(it) {
                            Ok(()) => {}
                            Err(TrySendError::Full(it)) => {
                                // The queue is full: this is back-pressure.
                                blocked += 1;
                                let t = Instant::now();
                                if tx.send(it).is_err() {
                                    break;
                                }
                                blocked_time += t.elapsed();
                            }
                            Err(TrySendError::Disconnected(_)) => break,
                        }
                        tally.add(it);
                        live.produced.fetch_add(1, Ordering::Relaxed);
                        seq += 1;
                    }
                    (tally, blocked, blocked_time)
                    // `tx` is dropped here: one fewer sender.
                })
            })
            .collect();
        drop(tx); // only the producers hold senders now

        let consumers: Vec<_> = (0..cfg.consumers)
            .map(|_| {
                let rx = rx.clone();
                s.spawn(move || {
                    let (mut tally, mut max_len) = (Tally::default(), 0);
                    // Ends when the queue is empty and all senders are gone.
                    for it in rx.iter() {
                        max_len = max_len.max(rx.len());
                        std::thread::sleep(cfg.consume_delay);
                        tally.add(it);
                        live.consumed.fetch_add(1, Ordering::Relaxed);
                    }
                    (tally, max_len)
                })
            })
            .collect();
        drop(rx);

        let mut report = Report {
            produced: Tally::default(),
            consumed: Tally::default(),
            per_producer: Vec::new(),
            per_consumer: Vec::new(),
            blocked_sends: 0,
            blocked_time: Duration::ZERO,
            max_queue_len: 0,
            elapsed: Duration::ZERO,
        };
        for p in producers {
            let (tally, blocked, time) = p.join().expect("a producer thread panicked");
            report.produced.merge(tally);
            report.per_producer.push(tally.count);
            report.blocked_sends += blocked;
            report.blocked_time += time;
        }
        for c in consumers {
            let (tally, max_len) = c.join().expect("a consumer thread panicked");
            report.consumed.merge(tally);
            report.per_consumer.push(tally.count);
            report.max_queue_len = report.max_queue_len.max(max_len);
        }
        report.elapsed = start.elapsed();
        report
    })
}

/// Says what a run measured: per side, back-pressure, then the totals.
pub fn tell(cfg: &Config, r: &Report) -> Result<()> {
    say(
        Side::Note,
        tr!(
            "{} producers, {} consumers, queue bound {}, {:?} of work per item",
            "{} 个生产者，{} 个消费者，队列上限 {}，每个数据项要处理 {:?}",
            cfg.producers,
            cfg.consumers,
            cfg.capacity,
            cfg.consume_delay
        ),
    );
    say(
        Side::Parent,
        tr!(
            "produced per producer {:?}, consumed per consumer {:?}",
            "每个生产者生产了 {:?}，每个消费者消费了 {:?}",
            r.per_producer,
            r.per_consumer
        ),
    );
    let waited = if r.blocked_sends == 0 {
        tr!("no waiting", "没有等待")
    } else {
        tr!(
            "{:.1?} of waiting summed over the producers",
            "生产者一共等了 {:.1?}",
            r.blocked_time
        )
    };
    say(Side::Parent, tr!("back-pressure: {} of {} sends found the queue full and blocked ({waited}); fullest queue seen: {} of {}", "反压：{1} 次 send 里有 {0} 次遇到队列已满而阻塞（{waited}）；队列最满时是 {2} 个，上限 {3}", r.blocked_sends, r.produced.count, r.max_queue_len, cfg.capacity));
    check_totals(r.produced, r.consumed)
}

/// Runs to completion with an item limit, then [`tell`]s.
pub fn run_to_completion(cfg: &Config) -> Result<Report> {
    let r = run(cfg, &AtomicBool::new(false), &Live::default());
    tell(cfg, &r)?;
    Ok(r)
}
