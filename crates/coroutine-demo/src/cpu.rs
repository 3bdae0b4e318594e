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
