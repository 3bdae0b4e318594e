//! `--bench`: what does starting a process cost?
//!
//! Four ways of starting a child that does nothing and waiting for it,
//! each timed over a bounded number of runs, reported as the median (one
//! slow run, e.g. a page-cache miss, does not move a median):
//!
//! 1. bare `fork()` + `_exit(0)` in the child + `waitpid()` in the parent;
//! 2. our [`crate::process::start`] + `join` (two pipes, like Python's `Process`);
//! 3. re-exec: `Command::new(current_exe)` + wait — the `spawn` start method;
//! 4. Python's `multiprocessing.Process().start(); p.join()` with the `fork`
//!    and the `spawn` start methods, measured by a small script run with
//!    `python3 -c` in the same run (skipped if `python3` is missing).

use crate::process::start;
use demo_kit::child::{child_main, flush_before_fork, waitpid_retrying};
pub use demo_kit::measure::median;
use demo_kit::measure::time_median;
use demo_kit::{bail_msg, Context, Result};
use nix::unistd::{fork, ForkResult};
use std::path::Path;
use std::time::Duration;

/// Median cost of `fork()` + child `_exit(0)` + `waitpid()`.
pub fn fork_exit_wait(runs: usize) -> Result<Duration> {
    time_median(runs, || {
        flush_before_fork();
        // SAFETY: the child only calls _exit.
        match unsafe { fork() }.context("fork() failed")? {
            ForkResult::Child => child_main(|| 0),
            ForkResult::Parent { child } => {
                waitpid_retrying(child)?;
                Ok(())
            }
        }
    })
}

/// Median cost of our `Process`-like `start()` + `join()` with a no-op task.
pub fn start_join(runs: usize) -> Result<Duration> {
    time_median(runs, || {
        let done = start(|| 0)?.join()?;
        if done.exit_code() != 0 {
            return bail_msg(format!("no-op child ended with {:?}", done.status));
        }
        Ok(())
    })
}

/// Median cost of re-executing `exe` with the no-op hidden task and waiting.
pub fn reexec(exe: &Path, runs: usize) -> Result<Duration> {
    time_median(runs, || crate::respawn::run_noop(exe))
}

/// The script given to `python3 -c`: for each start method, start and join
/// a `Process` with no target (its `run()` does nothing, like our no-op).
pub const PYTHON_SCRIPT: &str = r#"
import multiprocessing as mp, statistics, sys, time
def main():
    for method, runs in (("fork", int(sys.argv[1])), ("spawn", int(sys.argv[2]))):
        ctx = mp.get_context(method)
        samples = []
        for _ in range(runs):
            p = ctx.Process()
            t = time.perf_counter()
            p.start()
            p.join()
            samples.append(time.perf_counter() - t)
            if p.exitcode != 0:
                sys.exit("child exit code %r" % p.exitcode)
        print(method, int(statistics.median(samples) * 1e9), flush=True)
if __name__ == "__main__":
    main()
"#;

/// How many samples each slower way of starting a child gets when the
/// fast ones get `runs`: a re-exec costs about 10 times a fork, Python's
/// `spawn` (a fresh interpreter) about 500 times, so they get fewer, with a
/// floor that still makes a median.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BenchRuns {
    pub reexec: usize,
    pub python_fork: usize,
    pub python_spawn: usize,
}

impl BenchRuns {
    pub fn for_runs(runs: usize) -> BenchRuns {
        BenchRuns {
            reexec: (runs / 4).max(10),
            python_fork: (runs / 2).max(10),
            python_spawn: (runs / 20).max(5),
        }
    }
}

/// Python's medians, if python3 ran.
#[derive(Debug, Clone, Copy)]
pub struct PythonCosts {
    pub fork: Duration,
    pub spawn: Duration,
}

/// Runs [`PYTHON_SCRIPT`]; `Ok(None)` if `python3` is not installed. The
/// script gets at most `limit` of wall time, then it is killed and reaped.
pub fn python(fork_runs: usize, spawn_runs: usize, limit: Duration) -> Result<Option<PythonCosts>> {
    let args = [fork_runs.to_string(), spawn_runs.to_string()];
    let Some(text) = demo_kit::python::run(PYTHON_SCRIPT, &args, limit)? else {
        return Ok(None);
    };
    let get =
        |method| demo_kit::python::field(&text, method).map(|ns| Duration::from_nanos(ns as u64));
    Ok(Some(PythonCosts {
        fork: get("fork")?,
        spawn: get("spawn")?,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slower_ways_get_fewer_runs_with_a_floor() {
        let runs = |reexec, python_fork, python_spawn| BenchRuns {
            reexec,
            python_fork,
            python_spawn,
        };
        assert_eq!(BenchRuns::for_runs(200), runs(50, 100, 10));
        assert_eq!(BenchRuns::for_runs(120), runs(30, 60, 6));
        assert_eq!(BenchRuns::for_runs(10), runs(10, 10, 5));
    }
}
