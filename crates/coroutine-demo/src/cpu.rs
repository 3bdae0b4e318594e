//! Computation gains nothing from coroutines: the same prime counting done
//! serially, split into tasks on one thread that take turns, and on
//! threads.
//!
//! A coroutine switches only where the program says so (`.await`), on the
//! one thread it has; the CPU work is the same, plus the switches. Only
//! threads or processes put a second core to work (lessons 15 and 17).

use crate::runtime::{spawn, yield_now, Runtime};
use std::io;
use std::time::{Duration, Instant};

fn is_prime(k: u64) -> bool {
    k >= 2 && (2..).take_while(|i| i * i <= k).all(|i| k % i != 0)
}

/// Primes in `range`, the same loop everywhere.
fn count(range: std::ops::Range<u64>) -> u64 {
    range.filter(|&k| is_prime(k)).count() as u64
}

/// The numbers `0..limit` cut into `parts` ranges.
fn parts(limit: u64, parts: u64) -> Vec<std::ops::Range<u64>> {
    let step = limit.div_ceil(parts);
    (0..parts)
        .map(|i| (i * step).min(limit)..((i + 1) * step).min(limit))
        .collect()
}

/// CPU time this thread has used (`CLOCK_THREAD_CPUTIME_ID`,
/// clock_gettime(2)): unlike the wall clock, another program on the same
/// core does not add to it.
pub fn thread_cpu() -> Duration {
    use nix::libc;
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: fills in `ts`; this clock always exists on Linux.
    unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32)
}

#[derive(Debug)]
pub struct Report {
    pub primes: u64,
    /// Wall time and this thread's CPU time of the serial count.
    pub serial: Duration,
    pub serial_cpu: Duration,
    /// `tasks` tasks on one thread, each yielding every `slice` numbers.
    pub coroutines: Duration,
    pub coroutines_cpu: Duration,
    pub switches: u64,
    pub threads: Duration,
    pub tasks: u64,
    pub cores: usize,
}

/// Counts the primes below `limit` three ways; each task (and thread)
/// takes one of `tasks` ranges; coroutines yield every `slice` numbers.
pub fn run(limit: u64, tasks: u64, slice: u64) -> io::Result<Report> {
    let (t, c) = (Instant::now(), thread_cpu());
    let primes = count(0..limit);
    let (serial, serial_cpu) = (t.elapsed(), thread_cpu() - c);

    let rt = Runtime::new()?;
    let (t, c) = (Instant::now(), thread_cpu());
    let by_tasks = rt.block_on(async move {
        let handles: Vec<_> = parts(limit, tasks)
            .into_iter()
            .enumerate()
            .map(|(i, range)| {
                spawn(&format!("part {i}"), async move {
                    let mut found = 0;
                    let mut at = range.start;
                    while at < range.end {
                        let end = (at + slice).min(range.end);
                        found += count(at..end);
                        at = end;
                        yield_now().await; // let the others run: a switch
                    }
                    found
                })
            })
            .collect();
        let mut total = 0;
        for h in handles {
            total += h.await;
        }
        total
    })?;
    let (coroutines, coroutines_cpu) = (t.elapsed(), thread_cpu() - c);
    let switches = rt.stats().pendings;

    let t = Instant::now();
    let by_threads: u64 = std::thread::scope(|s| {
        let handles: Vec<_> = parts(limit, tasks)
            .into_iter()
            .map(|r| s.spawn(move || count(r)))
            .collect();
        handles.into_iter().map(|h| h.join().unwrap_or(0)).sum()
    });
    let threads = t.elapsed();
    if by_tasks != primes || by_threads != primes {
        return Err(io::Error::other(format!(
            "counts differ: serial {primes}, tasks {by_tasks}, threads {by_threads}"
        )));
    }
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    Ok(Report {
        primes,
        serial,
        serial_cpu,
        coroutines,
        coroutines_cpu,
        switches,
        threads,
        tasks,
        cores,
    })
}

#[cfg(test)]
mod tests {
    //! The count, the parts and the CPU clock, each checked against a
    //! value known without this code. The runs go on a thread of their own
    //! with a limit: a mutant that loops for ever fails here, in the unit
    //! tests cargo runs first, instead of hanging the claims.
    use super::*;
    use std::sync::mpsc::channel;

    /// `f` on a thread of its own, given `secs` seconds.
    fn within<T: Send + 'static>(secs: u64, f: impl FnOnce() -> T + Send + 'static) -> T {
        let (tx, rx) = channel();
        std::thread::spawn(move || {
            let _ = tx.send(f());
        });
        rx.recv_timeout(Duration::from_secs(secs))
            .unwrap_or_else(|_| panic!("still running after {secs} s"))
    }

    /// Spins until this thread has used `cpu` of CPU time (or 2 s passed).
    fn burn(cpu: Duration) {
        let t = Instant::now();
        while thread_cpu() < cpu && t.elapsed() < Duration::from_secs(2) {
            std::hint::black_box(count(0..100));
        }
    }

    #[test]
    fn primes_are_the_known_ones() {
        let small: Vec<u64> = (0..30).filter(|&k| is_prime(k)).collect();
        assert_eq!(small, [2, 3, 5, 7, 11, 13, 17, 19, 23, 29]);
        // Squares of primes: the divisor at exactly the square root counts.
        for square in [4, 9, 25, 49, 121, 169] {
            assert!(!is_prime(square), "{square}");
        }
        // pi(10^4) = 1229, pi(10^5) = 9592 (the prime-counting function).
        assert_eq!(within(10, || count(0..10_000)), 1229);
        assert_eq!(within(10, || count(0..100_000)), 9592);
        assert_eq!(count(7..8), 1);
        assert_eq!(count(8..11), 0);
    }

    #[test]
    fn trial_division_stops_at_the_square_root() {
        // 10^12 + 39 is prime: dividing up to its root is 10^6 tries, a few
        // ms; up to half of it (or to itself) would take hours.
        assert!(within(10, || is_prime(1_000_000_000_039)));
        assert!(!within(10, || is_prime(999_999_999_989 * 3)));
    }

    #[test]
    fn the_parts_cover_the_numbers_once_in_equal_ranges() {
        assert_eq!(parts(10, 4), [0..3, 3..6, 6..9, 9..10]);
        assert_eq!(parts(10, 3), [0..4, 4..8, 8..10]);
        assert_eq!(parts(3, 4), [0..1, 1..2, 2..3, 3..3]);
        assert_eq!(parts(12, 1).first(), Some(&(0..12)));
        assert_eq!(parts(12, 1).len(), 1);
    }

    #[test]
    fn the_thread_cpu_clock_counts_this_threads_work_only() {
        within(10, || {
            let start = Instant::now();
            assert!(thread_cpu() < Duration::from_millis(20));
            burn(Duration::from_millis(30));
            let (used, wall) = (thread_cpu(), start.elapsed());
            assert!(used >= Duration::from_millis(30), "{used:?}");
            // One thread cannot use more CPU than the time that passed.
            assert!(
                used <= wall + Duration::from_millis(1),
                "{used:?} > {wall:?}"
            );
        });
    }

    #[test]
    fn a_run_counts_the_primes_and_each_ways_own_cpu_time() {
        let r = within(10, || {
            // CPU used before the run, which its times must not include.
            burn(Duration::from_millis(30));
            run(10_000, 4, 500).unwrap()
        });
        assert_eq!((r.primes, r.tasks), (1229, 4), "{r:?}");
        let slack = Duration::from_millis(1);
        assert!(r.serial_cpu <= r.serial + slack, "{r:?}");
        assert!(r.coroutines_cpu <= r.coroutines + slack, "{r:?}");
        assert!(
            r.serial_cpu > Duration::ZERO && r.coroutines_cpu > Duration::ZERO,
            "{r:?}"
        );
        // 4 parts of 2500 numbers, a yield after every 500: 5 each.
        assert!(r.switches >= 4 * 5, "{r:?}");
    }
}
