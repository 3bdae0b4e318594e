//! 全局解释器锁 (GIL), measured: one CPU-bound task run N times serially,
//! on N threads and on N processes, in Rust and in Python.
//!
//! CPython lets only the thread holding its interpreter's GIL run Python
//! bytecode; a thread that wants it waits, and the holder is asked to drop
//! it every `sys.getswitchinterval()` (5 ms). So N CPU-bound Python threads
//! take turns: no speed-up. N processes have N interpreters, N GILs, and run
//! in parallel. Rust has no interpreter lock: threads run in parallel like
//! processes. On one core nobody can speed up; the speed-up is bounded by
//! the cores this process may use, which the demo prints beside it.

use demo_kit::child::{child_main, flush_before_fork};
use demo_kit::{bail_msg, Context, Result};
use nix::sys::wait::{waitpid, WaitStatus};
use nix::unistd::{fork, ForkResult};
use std::hint::black_box;
use std::time::{Duration, Instant};

/// The task: count the primes below `limit` by trial division. Pure CPU,
/// no allocation, no lock: safe in a forked child.
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
pub fn calibrate(target: Duration) -> u64 {
    let mut limit = 1_000;
    loop {
        let t = Instant::now();
        black_box(count_primes(black_box(limit)));
        let took = t.elapsed();
        if took >= target / 4 || limit > 1 << 40 {
            // Trial division costs about limit^1.5: scale by that.
            let f = (target.as_secs_f64() / took.as_secs_f64().max(1e-9)).powf(1.0 / 1.5);
            return ((limit as f64) * f) as u64;
        }
        limit *= 2;
    }
}

/// Wall times of one experiment.
#[derive(Debug, Clone, Copy)]
pub struct Times {
    pub serial: Duration,
    pub threads: Duration,
    pub processes: Duration,
}

impl Times {
    pub fn threads_speedup(&self) -> f64 {
        self.serial.as_secs_f64() / self.threads.as_secs_f64().max(1e-9)
    }
    pub fn processes_speedup(&self) -> f64 {
        self.serial.as_secs_f64() / self.processes.as_secs_f64().max(1e-9)
    }
}

pub fn rust(n: usize, limit: u64) -> Result<Times> {
    let t = Instant::now();
    for _ in 0..n {
        black_box(count_primes(black_box(limit)));
    }
    let serial = t.elapsed();

    let t = Instant::now();
    let workers: Vec<_> = (0..n)
        .map(|_| std::thread::spawn(move || count_primes(black_box(limit))))
        .collect();
    for w in workers {
        w.join()
            .map_err(|_| demo_kit::Error::msg("a prime-counting thread panicked"))?;
    }
    let threads = t.elapsed();

    let t = Instant::now();
    let mut children = Vec::with_capacity(n);
    for _ in 0..n {
        flush_before_fork();
        // SAFETY: the child only computes and calls _exit.
        match unsafe { fork() }.context("fork() failed")? {
            ForkResult::Child => child_main(|| {
                black_box(count_primes(black_box(limit)));
                0
            }),
            ForkResult::Parent { child } => children.push(child),
        }
    }
    for child in children {
        match waitpid(child, None).context("waitpid")? {
            WaitStatus::Exited(_, 0) => {}
            other => return bail_msg(format!("prime-counting child ended with {other:?}")),
        }
    }
    let processes = t.elapsed();
    Ok(Times {
        serial,
        threads,
        processes,
    })
}

/// The same experiment in Python; `limit` is calibrated by the script
/// itself to `target_ms` per task. Prints `serial`, `threads`,
/// `processes` (seconds) and `switch` (the switch interval).
pub const PY: &str = r#"
import multiprocessing as mp, sys, threading, time
def count_primes(limit):
    c = 0
    for k in range(2, limit):
        i = 2
        while i * i <= k:
            if k % i == 0: break
            i += 1
        else:
            c += 1
    return c
def run(make, n, limit):
    ws = [make(target=count_primes, args=(limit,)) for _ in range(n)]
    t = time.perf_counter()
    for w in ws: w.start()
    for w in ws: w.join()
    return time.perf_counter() - t
if __name__ == "__main__":
    n, target = int(sys.argv[1]), float(sys.argv[2]) / 1000
    limit = 1000
    while True:
        t = time.perf_counter(); count_primes(limit); took = time.perf_counter() - t
        if took >= target / 4: break
        limit *= 2
    limit = int(limit * (target / took) ** (1 / 1.5))
    t = time.perf_counter()
    for _ in range(n): count_primes(limit)
    print("serial", time.perf_counter() - t)
    print("threads", run(threading.Thread, n, limit))
    print("processes", run(mp.get_context("fork").Process, n, limit))
    print("switch", sys.getswitchinterval())
"#;

/// Python's times and its switch interval; `None` without python3.
pub fn python(n: usize, target: Duration) -> Result<Option<(Times, f64)>> {
    let args = [n.to_string(), target.as_millis().to_string()];
    let limit = target * (3 * n as u32 + 4) * 4 + Duration::from_secs(30);
    let Some(out) = crate::python::run(PY, &args, limit)? else {
        return Ok(None);
    };
    let secs = |k| crate::python::field(&out, k).map(Duration::from_secs_f64);
    let times = Times {
        serial: secs("serial")?,
        threads: secs("threads")?,
        processes: secs("processes")?,
    };
    Ok(Some((times, crate::python::field(&out, "switch")?)))
}
