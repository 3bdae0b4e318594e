//! The CPU-bound task of step 4, and how long to make it.
//!
//! Serial, concurrent and parallel runs are told apart by time, so each
//! child needs work that only computes (no system call, no allocation, so
//! it is safe in a forked child) and lasts about as long as asked, on a
//! debug or a release build, on a fast machine or a slow one: the number of
//! rounds is measured ([`calibrate`]), not guessed.

use std::hint::black_box;
use std::time::{Duration, Instant};

/// The CPU-bound task: `rounds` steps of Marsaglia's xorshift64 generator
/// (shifts 13, 7, 17), from a fixed seed. `black_box` stops the compiler
/// from deleting a loop whose result nobody reads.
pub fn burn(rounds: u64) -> u64 {
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    for _ in 0..rounds {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x = black_box(x);
    }
    x
}

/// How many rounds of [`burn`] take about `target` on this machine (debug
/// and release builds differ by 10×, so we measure instead of guessing).
pub fn calibrate(target: Duration) -> u64 {
    calibrate_with(target, |rounds| {
        let t = Instant::now();
        black_box(burn(black_box(rounds)));
        t.elapsed()
    })
}

/// [`calibrate`] with the time one run of `rounds` takes given by
/// `time(rounds)`, so that the search itself can be tested on a known cost.
///
/// Quadruples the rounds from 2^16 until one run takes at least 40 ms (long
/// enough that the clock's granularity and a short interruption hardly
/// count) or the rounds reach 2^40 (a clock that sees no time at all), then
/// scales linearly: every round costs the same.
pub fn calibrate_with(target: Duration, mut time: impl FnMut(u64) -> Duration) -> u64 {
    let mut rounds: u64 = 1 << 16;
    loop {
        let took = time(rounds);
        if took >= Duration::from_millis(40) || rounds >= 1 << 40 {
            let scale = target.as_secs_f64() / took.as_secs_f64().max(1e-9);
            return ((rounds as f64 * scale) as u64).max(1);
        }
        rounds *= 4;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A machine on which `rounds` cost `cost(rounds)`; it fails the test
    /// (instead of looping for ever) if the search asks for no rounds or
    /// does not end within 30 timings.
    fn machine(
        asked: &mut Vec<u64>,
        cost: fn(u64) -> Duration,
    ) -> impl FnMut(u64) -> Duration + '_ {
        move |rounds| {
            assert!(rounds > 0, "asked to time 0 rounds");
            asked.push(rounds);
            assert!(asked.len() <= 30, "the search does not end: {asked:?}");
            cost(rounds)
        }
    }

    /// One round costs exactly 1 ns.
    fn exact(rounds: u64) -> Duration {
        Duration::from_nanos(rounds)
    }

    #[test]
    fn burn_is_xorshift64_from_its_seed() {
        // Computed independently (Python, 64-bit masks).
        assert_eq!(burn(0), 0x9e37_79b9_7f4a_7c15);
        assert_eq!(burn(1), 0xdc1b_77ae_0bf3_4dad);
        assert_eq!(burn(3), 0x7b07_ce91_e590_6136);
    }

    #[test]
    fn on_an_exact_machine_the_rounds_hit_the_target() {
        for ms in [5, 150, 300] {
            let mut asked = Vec::new();
            let rounds = calibrate_with(Duration::from_millis(ms), machine(&mut asked, exact));
            assert!(
                rounds.abs_diff(ms * 1_000_000) <= 1,
                "{ms} ms: {rounds} rounds"
            );
        }
    }

    #[test]
    fn it_quadruples_until_a_run_takes_40_ms_and_no_further() {
        let mut asked = Vec::new();
        calibrate_with(Duration::from_millis(100), machine(&mut asked, exact));
        // 40 ms = 40,000,000 rounds here: 2^16 * 4^5 = 67,108,864 is the
        // first count at or above it.
        let expected: Vec<u64> = (0..6).map(|k| (1u64 << 16) * 4u64.pow(k)).collect();
        assert_eq!(asked, expected);
    }

    #[test]
    fn a_clock_that_sees_no_time_still_ends() {
        let mut asked = Vec::new();
        let rounds = calibrate_with(
            Duration::from_millis(1),
            machine(&mut asked, |_| Duration::ZERO),
        );
        assert_eq!(asked.last(), Some(&(1 << 40)));
        assert_eq!(asked.len(), 13, "2^16, 2^18, ... 2^40");
        assert!(rounds > 1 << 40, "{rounds}");
    }
}
