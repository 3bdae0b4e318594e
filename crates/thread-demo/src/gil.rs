//! 全局解释器锁 (GIL), measured: one CPU-bound task run N times serially,
//! on N threads and on N processes, in Rust and in Python.
//!
//! CPython lets only the thread holding its interpreter's GIL run Python
//! bytecode; a thread that wants it waits, and after waiting
//! `sys.getswitchinterval()` (5 ms) asks the holder to drop it (CPython's
//! Python/ceval_gil.c, `take_gil`). So N CPU-bound Python threads
//! take turns: no speed-up. N processes have N interpreters, N GILs, and run
//! in parallel. Rust has no interpreter lock: threads run in parallel like
//! processes. On one core nobody can speed up; the speed-up is bounded by
//! the cores this process may use, which the demo prints beside it.

use demo_kit::child::{child_main, flush_before_fork};
// The task (count the primes below a limit, never inlined, pure CPU) and
// its calibration are the same as lesson 17's pools: one copy in demo-kit.
pub use demo_kit::work::{calibrate, count_primes};
use demo_kit::{bail_msg, tr, Context, Result};
use nix::sys::wait::{waitpid, WaitStatus};
use nix::unistd::{fork, ForkResult};
use std::hint::black_box;
use std::time::{Duration, Instant};

/// Wall times of one experiment.
#[derive(Debug, Clone, Copy)]
pub struct Times {
    pub serial: Duration,
    pub threads: Duration,
    pub processes: Duration,
    /// CPU time (user + system) the N threads used, and the N processes.
    pub threads_cpu: Duration,
    pub processes_cpu: Duration,
}

impl Times {
    pub fn threads_speedup(&self) -> f64 {
        self.serial.as_secs_f64() / self.threads.as_secs_f64().max(1e-9)
    }
    pub fn processes_speedup(&self) -> f64 {
        self.serial.as_secs_f64() / self.processes.as_secs_f64().max(1e-9)
    }
    /// CPU time / wall time: how many cores were busy for us on average.
    /// The GIL caps it near 1 for Python threads, whatever else runs on
    /// the machine; a busy machine lowers everyone's.
    pub fn threads_busy(&self) -> f64 {
        self.threads_cpu.as_secs_f64() / self.threads.as_secs_f64().max(1e-9)
    }
    pub fn processes_busy(&self) -> f64 {
        self.processes_cpu.as_secs_f64() / self.processes.as_secs_f64().max(1e-9)
    }
}

/// `getrusage(who)`: user + system CPU time so far, of this process
/// (`RUSAGE_SELF`, all its threads) or of its reaped children
/// (`RUSAGE_CHILDREN`).
pub fn cpu_time(who: i32) -> Duration {
    // SAFETY: rusage is plain data that getrusage fills in.
    let mut ru: nix::libc::rusage = unsafe { std::mem::zeroed() };
    if unsafe { nix::libc::getrusage(who, &mut ru) } != 0 {
        return Duration::ZERO;
    }
    let tv = |t: nix::libc::timeval| Duration::new(t.tv_sec as u64, t.tv_usec as u32 * 1000);
    tv(ru.ru_utime) + tv(ru.ru_stime)
}

pub fn self_cpu() -> Duration {
    cpu_time(nix::libc::RUSAGE_SELF)
}

pub fn children_cpu() -> Duration {
    cpu_time(nix::libc::RUSAGE_CHILDREN)
}

pub fn rust(n: usize, limit: u64) -> Result<Times> {
    let t = Instant::now();
    for _ in 0..n {
        black_box(count_primes(black_box(limit)));
    }
    let serial = t.elapsed();

    let (t, cpu0) = (Instant::now(), self_cpu());
    let workers: Vec<_> = (0..n)
        .map(|_| std::thread::spawn(move || count_primes(black_box(limit))))
        .collect();
    for w in workers {
        w.join()
            .map_err(|_| demo_kit::Error::msg("a prime-counting thread panicked"))?;
    }
    let (threads, threads_cpu) = (t.elapsed(), self_cpu().saturating_sub(cpu0));

    let (t, cpu0) = (Instant::now(), children_cpu());
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
            other => {
                return bail_msg(tr!(
                    "prime-counting child ended with {other:?}",
                    "数素数的子进程以 {other:?} 结束"
                ))
            }
        }
    }
    let (processes, processes_cpu) = (t.elapsed(), children_cpu().saturating_sub(cpu0));
    Ok(Times {
        threads_cpu,
        processes_cpu,
        serial,
        threads,
        processes,
    })
}

/// The same experiment in Python; `limit` is calibrated by the script
/// itself to `target_ms` per task. Prints `serial`, `threads`,
/// `processes` (seconds) and `switch` (the switch interval).
pub const PY: &str = r#"
import multiprocessing as mp, os, sys, threading, time
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
def cpu(children):
    t = os.times()
    return t.children_user + t.children_system if children else t.user + t.system
def run(make, n, limit, children):
    ws = [make(target=count_primes, args=(limit,)) for _ in range(n)]
    c, t = cpu(children), time.perf_counter()
    for w in ws: w.start()
    for w in ws: w.join()
    return time.perf_counter() - t, cpu(children) - c
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
    wall, used = run(threading.Thread, n, limit, False)
    print("threads", wall); print("threads_cpu", used)
    wall, used = run(mp.get_context("fork").Process, n, limit, True)
    print("processes", wall); print("processes_cpu", used)
    print("switch", sys.getswitchinterval())
"#;

/// Python's times and its switch interval; `None` without python3.
pub fn python(n: usize, target: Duration) -> Result<Option<(Times, f64)>> {
    let args = [n.to_string(), target.as_millis().to_string()];
    let limit = target * (3 * n as u32 + 4) * 4 + Duration::from_secs(30);
    let Some(out) = demo_kit::python::run(PY, &args, limit)? else {
        return Ok(None);
    };
    let secs = |k| demo_kit::python::field(&out, k).map(Duration::from_secs_f64);
    let times = Times {
        serial: secs("serial")?,
        threads: secs("threads")?,
        processes: secs("processes")?,
        threads_cpu: secs("threads_cpu")?,
        processes_cpu: secs("processes_cpu")?,
    };
    Ok(Some((times, demo_kit::python::field(&out, "switch")?)))
}
