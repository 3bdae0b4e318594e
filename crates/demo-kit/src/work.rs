//! The course's CPU-bound task, and how long to make it.
//!
//! Threads against processes (lesson 15's GIL) and pool sizing (lesson 17)
//! both need a task that only computes: no allocation, no lock, no system
//! call, so it is safe in a forked child and its time is all CPU. Both
//! lessons use the same one, so their figures can be compared.

use std::hint::black_box;
use std::time::{Duration, Instant};

/// The task: count the primes below `limit` by trial division. Pure CPU,
/// no allocation, no lock: safe in a forked child.
///
/// ```
/// assert_eq!(demo_kit::work::count_primes(100), 25);
/// assert_eq!(demo_kit::work::count_primes(2), 0);
/// ```
// Never inlined: every caller (the serial loop, a thread, a forked child,
// the calibration) must run the same machine code, or the comparison
// measures the optimiser instead of the threads.
#[inline(never)]
pub fn count_primes(limit: u64) -> u64 {
    (2..limit)
        .filter(|&k| (2..).take_while(|i| i * i <= k).all(|i| k % i != 0))
        .count() as u64
}

/// A `limit` for which one [`count_primes`] takes about `target`.
///
/// ```
/// let limit = demo_kit::work::calibrate(std::time::Duration::from_millis(5));
/// assert!(limit >= 1_000);
/// ```
pub fn calibrate(target: Duration) -> u64 {
    let mut limit = 1_000u64;
    loop {
        // The fastest of three: another program taking the CPU can only
        // make a run slower, so the minimum is the closest to the task's cost.
        let took = (0..3)
            .map(|_| {
                let t = Instant::now();
                black_box(count_primes(black_box(limit)));
                t.elapsed()
            })
            .min()
            .unwrap_or_default();
        if took >= target / 4 || limit > 1 << 40 {
            // Trial division costs about limit^1.5: scale by that.
            let f = (target.as_secs_f64() / took.as_secs_f64().max(1e-9)).powf(1.0 / 1.5);
            return ((limit as f64) * f) as u64;
        }
        limit *= 2;
    }
}
