//! What one switch costs, measured in one run: two parties hand the turn
//! back and forth `n` times, and the time is divided by the switches.
//!
//! * two processes over two pipes: each turn is a `write` and a `read`,
//!   and the kernel's scheduler switches address spaces;
//! * two threads over two pipes: the same calls, one address space;
//! * two stackful coroutines (`swapcontext`, [`crate::stackful`]): no
//!   scheduler, but glibc saves the signal mask with `rt_sigprocmask`;
//! * two futures on our runtime ([`crate::runtime`]): a `poll` returns
//!   `Pending`, the executor pops the next task from its queue. No system
//!   call at all.
//!
//! [`kernel_calls`] proves the last two claims by counting system calls
//! with [`crate::syscount`].

use crate::handwritten::Handoff;
use crate::runtime::{spawn, Runtime};
use demo_kit::child::{fork_child, reap_or_kill};
use nix::unistd::{pipe, read, write};
use std::io;
use std::os::fd::{AsFd, OwnedFd};
use std::rc::Rc;
use std::time::{Duration, Instant};

/// Turns `n` times on the pipes: write one byte, read one back.
fn serve_turns(n: u64, input: &OwnedFd, output: &OwnedFd, first: bool) -> io::Result<()> {
    let mut byte = [0u8; 1];
    for _ in 0..n {
        if first {
            write(output.as_fd(), b"x")?;
            read_one(input, &mut byte)?;
        } else {
            read_one(input, &mut byte)?;
            write(output.as_fd(), b"x")?;
        }
    }
    Ok(())
}

fn read_one(fd: &OwnedFd, byte: &mut [u8; 1]) -> io::Result<()> {
    match read(fd.as_fd(), byte)? {
        1 => Ok(()),
        _ => Err(io::Error::other("the other side closed its pipe")),
    }
}

/// Two processes: time per switch (a round trip is two switches).
pub fn processes(n: u64) -> io::Result<Duration> {
    let (to_child_r, to_child_w) = pipe()?;
    let (to_parent_r, to_parent_w) = pipe()?;
    let child = fork_child(|| match serve_turns(n, &to_child_r, &to_parent_w, false) {
        Ok(()) => 0,
        Err(_) => 1,
    })
    .map_err(|e| io::Error::other(e.to_string()))?;
    drop((to_child_r, to_parent_w));
    let t = Instant::now();
    let turns = serve_turns(n, &to_parent_r, &to_child_w, true);
    let took = t.elapsed();
    drop(to_child_w); // a child still waiting reads end-of-file and exits
    reap_or_kill(child, Duration::from_secs(20)).map_err(|e| io::Error::other(e.to_string()))?;
    turns?;
    Ok(took / (2 * n) as u32)
}

/// Two threads: time per switch.
pub fn threads(n: u64) -> io::Result<Duration> {
    let (a_r, a_w) = pipe()?;
    let (b_r, b_w) = pipe()?;
    let other = std::thread::spawn(move || serve_turns(n, &a_r, &b_w, false));
    let t = Instant::now();
    let turns = serve_turns(n, &b_r, &a_w, true);
    let took = t.elapsed();
    drop(a_w);
    other
        .join()
        .map_err(|_| io::Error::other("the thread panicked"))??;
    turns?;
    Ok(took / (2 * n) as u32)
}

/// Two stackful coroutines: time per `swapcontext`.
#[cfg(all(target_arch = "x86_64", target_env = "gnu"))]
pub fn stackful(n: u64) -> io::Result<Duration> {
    let r = crate::stackful::run(n, false)?;
    Ok(r.elapsed / r.switches.max(1) as u32)
}

/// Two futures on our runtime: time per switch (a `Pending` poll and the
/// next task's poll), and the runtime's count of polls.
pub fn futures(n: u64) -> io::Result<(Duration, u64)> {
    let rt = Runtime::new()?;
    let took = rt.block_on(async move {
        let slot = Rc::new(Handoff::default());
        let (a, b) = (slot.clone(), slot);
        let t = Instant::now();
        let taker = spawn("taker", async move {
            for _ in 0..n {
                b.take().await;
            }
        });
        spawn("putter", async move {
            for i in 0..n {
                a.put(i).await;
            }
        })
        .await;
        taker.await;
        t.elapsed()
    })?;
    Ok((took / (2 * n) as u32, rt.stats().polls))
}

/// System calls per switch, by name: the calls of `2n` turns minus those of
/// `n`, divided by `n` (what setting up and tearing down costs cancels out).
#[derive(Debug)]
pub struct KernelCalls {
    pub stackful: Vec<(String, f64)>,
    pub futures: Vec<(String, f64)>,
}

/// `None` where `ptrace` is not allowed.
pub fn kernel_calls(n: u64) -> io::Result<Option<KernelCalls>> {
    #[cfg(all(target_arch = "x86_64", target_env = "gnu"))]
    let stackful = per_switch(n, |k| drop(crate::stackful::run(k, false)))?;
    #[cfg(not(all(target_arch = "x86_64", target_env = "gnu")))]
    let stackful = Some(Vec::new());
    let futures = per_switch(n, |k| drop(futures(k)))?;
    Ok(stackful
        .zip(futures)
        .map(|(stackful, futures)| KernelCalls { stackful, futures }))
}

fn per_switch(n: u64, run: impl Fn(u64)) -> io::Result<Option<Vec<(String, f64)>>> {
    let (Some(once), Some(twice)) = (
        crate::syscount::count(|| run(n))?,
        crate::syscount::count(|| run(2 * n))?,
    ) else {
        return Ok(None);
    };
    let switches = 2.0 * n as f64; // n more turns, two switches each
    let mut per = Vec::new();
    for (nr, &count) in &twice {
        let extra = count.saturating_sub(once.get(nr).copied().unwrap_or(0));
        if extra > 0 {
            per.push((crate::syscount::name(*nr), extra as f64 / switches));
        }
    }
    Ok(Some(per))
}

/// The whole table: the median of `runs` runs of each row, and the system
/// calls per switch where `ptrace` may count them.
#[derive(Debug)]
pub struct Table {
    pub process: Duration,
    pub thread: Duration,
    /// `None` where glibc's swapcontext is not offered (not x86_64 glibc).
    pub stackful: Option<Duration>,
    pub future: Duration,
    pub calls: Option<KernelCalls>,
}

fn median(runs: usize, mut once: impl FnMut() -> io::Result<Duration>) -> io::Result<Duration> {
    let mut samples = (0..runs.max(1))
        .map(|_| once())
        .collect::<io::Result<Vec<_>>>()?;
    Ok(demo_kit::measure::median(&mut samples))
}

/// `n` round trips for processes and threads, `10 n` for the two cheap rows.
pub fn table(n: u64, runs: usize) -> io::Result<Table> {
    let process = median(runs, || processes(n))?;
    let thread = median(runs, || threads(n))?;
    #[cfg(all(target_arch = "x86_64", target_env = "gnu"))]
    let stackful = Some(median(runs, || stackful(10 * n))?);
    #[cfg(not(all(target_arch = "x86_64", target_env = "gnu")))]
    let stackful = None;
    let future = median(runs, || futures(10 * n).map(|(d, _)| d))?;
    let calls = kernel_calls(1000)?;
    Ok(Table {
        process,
        thread,
        stackful,
        future,
        calls,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_row_is_the_median_of_its_runs() {
        let samples = |list: &'static [u64]| {
            let mut left = list.iter();
            move || Ok(Duration::from_nanos(*left.next().unwrap()))
        };
        let ns = |d: io::Result<Duration>| d.unwrap().as_nanos();
        assert_eq!(ns(median(3, samples(&[300, 100, 200]))), 200);
        assert_eq!(ns(median(1, samples(&[70]))), 70);
        assert_eq!(ns(median(0, samples(&[70]))), 70); // at least one run
    }
}
