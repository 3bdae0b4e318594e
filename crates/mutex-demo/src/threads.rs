//! The same race between *threads*: one process, one memory.
//!
//! Threads need no file: they can share the count itself. Safe Rust will
//! not compile a plain `u32` that several threads modify — that data race
//! is exactly what the compiler forbids. The closest safe copy of the
//! unlocked Python is an atomic `load`, then later a separate `store`: each
//! step is atomic, the read-decide-write as a whole is not, and the
//! tickets oversell just like between processes. `std::sync::Mutex`
//! makes the whole critical section exclusive (Python: `threading.Lock`).

use crate::judge;
use demo_kit::say::say;
use demo_kit::tr;
use demo_kit::Side;
use std::sync::atomic::{AtomicU32, AtomicUsize, Ordering};
use std::sync::{Barrier, Mutex};
use std::time::Duration;

/// Tickets bought and tickets left after `buyers` threads raced.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ThreadReport {
    pub bought: usize,
    pub left: u32,
}

/// Unlocked: load, sleep, store — the lost-update race.
pub fn race_unlocked(buyers: usize, tickets: u32, delay: Duration) -> ThreadReport {
    let count = AtomicU32::new(tickets);
    let bought = AtomicUsize::new(0);
    let start = Barrier::new(buyers); // the rendezvous
    std::thread::scope(|s| {
        for _ in 0..buyers {
            s.spawn(|| {
                start.wait();
                let seen = count.load(Ordering::SeqCst);
                std::thread::sleep(delay);
                if seen > 0 {
                    count.store(seen - 1, Ordering::SeqCst);
                    bought.fetch_add(1, Ordering::SeqCst);
                }
            });
        }
    });
    tell(
        ThreadReport {
            bought: bought.into_inner(),
            left: count.into_inner(),
        },
        tickets,
        buyers,
    )
}

/// Locked: the whole read-decide-write happens while holding the mutex.
pub fn race_locked(buyers: usize, tickets: u32, delay: Duration) -> ThreadReport {
    let count = Mutex::new(tickets);
    let bought = AtomicUsize::new(0);
    let start = Barrier::new(buyers);
    std::thread::scope(|s| {
        for _ in 0..buyers {
            s.spawn(|| {
                start.wait();
                // A poisoned mutex (a buyer panicked) still holds a valid count.
                let mut left = count.lock().unwrap_or_else(|p| p.into_inner());
                let seen = *left;
                std::thread::sleep(delay);
                if seen > 0 {
                    *left = seen - 1;
                    bought.fetch_add(1, Ordering::SeqCst);
                }
            }); // the guard drops here: unlocked
        }
    });
    let left = count.into_inner().unwrap_or_else(|p| p.into_inner());
    tell(
        ThreadReport {
            bought: bought.into_inner(),
            left,
        },
        tickets,
        buyers,
    )
}

/// The main thread's count after every buyer thread was joined.
fn tell(r: ThreadReport, tickets: u32, buyers: usize) -> ThreadReport {
    say(
        Side::Parent,
        tr!(
            "main thread counts: {} bought, {} left: {}",
            "主线程清点：买到 {} 张，剩下 {} 张：{}",
            r.bought,
            r.left,
            judge(r.bought, tickets, buyers)
        ),
    );
    r
}
