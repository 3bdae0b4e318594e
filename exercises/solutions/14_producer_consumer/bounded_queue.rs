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
    let (tx, rx) = sync_channel::<u64>(capacity);
    let rx = Arc::new(Mutex::new(rx));
    let making: Vec<_> = (0..producers)
        .map(|p| {
            let tx = tx.clone();
            let stats = Arc::clone(&stats);
            thread::spawn(move || {
                for i in 0..per_producer {
                    if tx.send(make(p, i, &stats)).is_err() {
                        return;
                    }
                }
            })
        })
        .collect();
    drop(tx); // only the producers' clones remain: when they end, recv fails
    let using: Vec<_> = (0..consumers)
        .map(|_| {
            let rx = Arc::clone(&rx);
            let stats = Arc::clone(&stats);
            thread::spawn(move || {
                let mut got = Vec::new();
                loop {
                    // Hold the lock only for the recv, not while consuming.
                    let next = rx.lock().unwrap().recv();
                    match next {
                        Ok(item) => {
                            consume(item, &stats);
                            got.push(item);
                        }
                        Err(_) => return got, // every producer is done
                    }
                }
            })
        })
        .collect();
    for t in making {
        t.join().unwrap();
    }
    using.into_iter().flat_map(|t| t.join().unwrap()).collect()
}

// The tests are the exercise's own, kept once: see exercises/14_producer_consumer/bounded_queue.rs.
// (`cargo run -p course -- verify` runs them against this solution.)
