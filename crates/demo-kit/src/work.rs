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
    calibrate_with(target, |limit| {
        let t = Instant::now();
        black_box(count_primes(black_box(limit)));
        t.elapsed()
    })
}

/// [`calibrate`] with the timing of one run given by `time(limit)`, so the
/// search itself can be tested against a known cost.
///
/// Doubles `limit` from 1,000 until one run takes at least a quarter of
/// `target` (or `limit` reaches 1,000 × 2^30, about 10^12, where one run
/// would take hours: a clock that sees no time at all), then scales it by
/// trial division's cost, about limit^1.5.
pub fn calibrate_with(target: Duration, mut time: impl FnMut(u64) -> Duration) -> u64 {
    let mut limit = 1_000u64;
    loop {
        // The fastest of three: another program taking the CPU can only
        // make a run slower, so the minimum is the closest to the task's cost.
        let took = (0..3).map(|_| time(limit)).min().unwrap_or_default();
        if took >= target / 4 || limit >= 1_000 << 30 {
            let f = (target.as_secs_f64() / took.as_secs_f64().max(1e-9)).powf(1.0 / 1.5);
            return ((limit as f64) * f) as u64;
        }
        limit *= 2;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A machine on which one run costs exactly limit^1.5 nanoseconds.
    fn exact(limit: u64) -> Duration {
        Duration::from_nanos((limit as f64).powf(1.5) as u64)
    }

    #[test]
    fn on_an_exact_machine_the_limit_hits_the_target() {
        for ms in [1, 5, 40] {
            let target = Duration::from_millis(ms);
            let limit = calibrate_with(target, exact);
            let took = exact(limit).as_secs_f64();
            assert!(
                (took / target.as_secs_f64() - 1.0).abs() < 0.01,
                "{ms} ms: limit {limit} costs {took} s"
            );
        }
    }

    #[test]
    fn it_doubles_until_a_run_takes_a_quarter_of_the_target_and_no_further() {
        let mut asked = Vec::new();
        let target = Duration::from_millis(4);
        calibrate_with(target, |limit| {
            asked.push(limit);
            exact(limit)
        });
        let distinct: Vec<u64> = asked.iter().step_by(3).copied().collect();
        // 1 ms = (10^6 ns) is reached at limit 10,000 (10^4^1.5 = 10^6 ns):
        // 1000, 2000, 4000, 8000 are below it, 16000 is the first at or above.
        assert_eq!(distinct, [1_000, 2_000, 4_000, 8_000, 16_000]);
        assert_eq!(asked.len(), 15, "three timings of each limit");
    }

    #[test]
    fn the_fastest_of_three_timings_counts() {
        // The second timing of every limit is the true one; the others are
        // slowed down tenfold by "another program".
        let mut n = 0;
        let noisy = |limit| {
            n += 1;
            let t = exact(limit);
            if n % 3 == 2 {
                t
            } else {
                t * 10
            }
        };
        let target = Duration::from_millis(5);
        assert_eq!(calibrate_with(target, noisy), calibrate_with(target, exact));
    }

    #[test]
    fn a_run_of_exactly_a_quarter_of_the_target_is_long_enough() {
        let mut asked = Vec::new();
        let target = exact(8_000) * 4;
        calibrate_with(target, |limit| {
            asked.push(limit);
            exact(limit)
        });
        assert_eq!(asked.last(), Some(&8_000));
    }

    #[test]
    fn a_clock_that_sees_no_time_still_ends() {
        // Every run takes no time: at 1,000 x 2^30 the search stops, and
        // scales by the smallest measurable time instead of dividing by 0.
        let mut last = 0;
        let limit = calibrate_with(Duration::from_millis(1), |l| {
            last = l;
            Duration::ZERO
        });
        assert_eq!(last, 1_000 << 30);
        assert!(limit > last, "{limit}");
    }
}
