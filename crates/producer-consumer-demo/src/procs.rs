//! Producers and consumers as *processes* (Python:
//! `multiprocessing.JoinableQueue`).
//!
//! A `crossbeam-channel` cannot cross `fork()` (see `ipc-demo`), so the
//! queue must be a kernel object. Python's `multiprocessing.Queue` is a pipe
//! plus locks plus a feeder thread; here it is a `socketpair(2)` of type
//! `SOCK_SEQPACKET`: every `write` is one record and every `read` returns
//! exactly one whole record, even with many writers and many readers on the
//! same descriptors — no lock and no framing needed. It is bounded by the
//! socket buffer, so a full queue blocks the producer (back-pressure).
//!
//! * `q.put(x)` = a producer's `write` of an 8-byte item;
//! * `q.get()` + `q.task_done()` = a consumer's `read` and its tally;
//! * `q.join()` = the parent reading the report pipe to end-of-file (every
//!   child has exited) and comparing produced with consumed.
//!
//! Shutdown needs no sentinels: when every producer has exited (and the
//! parent closed its own copy of the producers' end — the pipe lesson),
//! consumers `read` 0 = end-of-file after the last item and exit.
//!
//! Signals (the `ctrlc` note): `ctrlc` installs a handler in the parent for
//! SIGINT (and, with its `termination` feature, SIGTERM and SIGHUP). A
//! forked child inherits the *handler* but not ctrlc's *thread*, so a child
//! that keeps it silently ignores Ctrl-C and SIGTERM (see [`crate::pitfall`]).
//! Every child here therefore resets its
//! signals first: SIGINT ignored (a terminal Ctrl-C goes to the whole
//! process group; only the parent decides), SIGTERM to a "finish up" flag
//! for producers and back to the default (die) for consumers. The parent
//! stops producers with SIGTERM and reaps everyone.

mod workers;

use crate::Tally;
use demo_kit::child::{child_main, flush_before_fork, keep_only_fds, reap_or_kill};
use demo_kit::{Context, Result};
use nix::poll::{poll, PollFd, PollFlags, PollTimeout};
use nix::sys::signal::{kill, SigmaskHow, Signal};
use nix::sys::socket::{socketpair, AddressFamily, SockFlag, SockType};
use nix::sys::wait::WaitStatus;
use nix::unistd::{fork, pipe, read, ForkResult, Pid};
use std::os::fd::{AsFd, AsRawFd, OwnedFd, RawFd};
use std::time::Duration;
use workers::{consumer, producer, stop_signals};

/// How long to wait for a child before SIGKILLing it (generous for CI).
pub const CHILD_TIMEOUT: Duration = Duration::from_secs(30);

/// What to run.
#[derive(Clone, Debug)]
pub struct Config {
    pub producers: usize,
    pub consumers: usize,
    /// Items per producer; `None` = until `wait_for_stop` returns.
    pub items_per_producer: Option<u64>,
    pub consume_delay: Duration,
}

/// One child's end-of-life report, read from the report pipe.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ChildReport {
    pub producer: bool,
    pub id: u64,
    pub tally: Tally,
}

/// What the parent observed.
#[derive(Debug, Default)]
pub struct Report {
    pub producer_pids: Vec<i32>,
    pub consumer_pids: Vec<i32>,
    /// Producers the parent stopped with SIGTERM (`--forever`).
    pub terminated: Vec<i32>,
    /// (pid, exit code) of every reaped child; `None` = killed by a signal.
    pub exits: Vec<(i32, Option<i32>)>,
    pub reports: Vec<ChildReport>,
    pub produced: Tally,
    pub consumed: Tally,
}

/// Forks the consumers and producers, waits for `wait_for_stop` if there is
/// no item limit, then stops the producers, lets the consumers drain, reaps
/// everyone and collects their reports.
pub fn run(cfg: &Config, wait_for_stop: impl FnOnce(&Report)) -> Result<Report> {
    // The queue: producers write into `q_in`, consumers read from `q_out`.
    let (q_in, q_out) = socketpair(
        AddressFamily::Unix,
        SockType::SeqPacket,
        None,
        SockFlag::SOCK_CLOEXEC,
    )
    .context("socketpair(AF_UNIX, SOCK_SEQPACKET)")?;
    // Each child writes one fixed-size report here when it is done.
    let (reports_r, reports_w) = pipe().context("creating the report pipe")?;
    let mut rep = Report::default();
    let delay = cfg.consume_delay;
    let forked = (|| -> Result<()> {
        for id in 0..cfg.consumers {
            let keep = [q_out.as_raw_fd(), reports_w.as_raw_fd()];
            let pid = spawn(&keep, || consumer(id as u64, &q_out, &reports_w, delay))?;
            rep.consumer_pids.push(pid.as_raw());
        }
        for id in 0..cfg.producers {
            let keep = [q_in.as_raw_fd(), reports_w.as_raw_fd()];
            let items = cfg.items_per_producer;
            let pid = spawn(&keep, || producer(id, items, &q_in, &reports_w))?;
            rep.producer_pids.push(pid.as_raw());
        }
        Ok(())
    })();
    // The parent neither produces nor consumes: close its copies, or the
    // consumers would never see end-of-file (and nor would we on the reports).
    drop((q_in, q_out, reports_w));

    if forked.is_ok() && cfg.items_per_producer.is_none() {
        wait_for_stop(&rep);
    }
    if forked.is_err() || cfg.items_per_producer.is_none() {
        // p.terminate(): ask each producer to finish its current item and exit.
        for &pid in &rep.producer_pids {
            if kill(Pid::from_raw(pid), Signal::SIGTERM).is_ok() {
                rep.terminated.push(pid);
            }
        }
    }
    // p.join() for everyone: producers first; then consumers end on EOF.
    let all: Vec<i32> = rep
        .producer_pids
        .iter()
        .chain(&rep.consumer_pids)
        .copied()
        .collect();
    let mut first_err = forked.err();
    for pid in all {
        match reap(Pid::from_raw(pid)) {
            Ok(code) => rep.exits.push((pid, code)),
            Err(e) => first_err = first_err.or(Some(e)),
        }
    }
    if let Some(e) = first_err {
        return Err(e);
    }
    // q.join(): all children are gone, so the report pipe is at EOF after
    // their reports.
    rep.reports = read_reports(&reports_r)?;
    for r in &rep.reports {
        if r.producer {
            rep.produced.merge(r.tally)
        } else {
            rep.consumed.merge(r.tally)
        }
    }
    Ok(rep)
}

/// fork(); the child closes all descriptors but `keep` and runs `work`.
fn spawn(keep: &[RawFd], work: impl FnOnce() -> i32) -> Result<Pid> {
    // Block the stop signals around fork(): a SIGTERM that reaches the child
    // before it has installed its own handler then stays *pending* instead
    // of hitting the disposition inherited from us (ctrlc's handler, which
    // would swallow it). The child unblocks after setting up (`signals_ready`).
    let old = stop_signals()
        .thread_swap_mask(SigmaskHow::SIG_BLOCK)
        .context("blocking signals around fork()")?;
    flush_before_fork();
    // SAFETY: the child runs only `work` under child_main, which `_exit`s.
    let forked = unsafe { fork() };
    if !matches!(forked, Ok(ForkResult::Child)) {
        let _ = old.thread_set_mask(); // the parent: as before
    }
    match forked.context("fork() failed: too many processes?")? {
        ForkResult::Child => child_main(|| {
            keep_only_fds(keep);
            work()
        }),
        ForkResult::Parent { child } => Ok(child),
    }
}

/// Bounded `waitpid` (SIGKILL and reap if the child overstays); the exit
/// code, or `None` if a signal ended it.
fn reap(pid: Pid) -> Result<Option<i32>> {
    Ok(match reap_or_kill(pid, CHILD_TIMEOUT)? {
        WaitStatus::Exited(_, code) => Some(code),
        _ => None,
    })
}

fn read_reports(fd: &OwnedFd) -> Result<Vec<ChildReport>> {
    let mut bytes = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        let mut fds = [PollFd::new(fd.as_fd(), PollFlags::POLLIN)];
        if poll(&mut fds, PollTimeout::from(10_000u16)).context("poll on the report pipe")? == 0 {
            return demo_kit::bail_msg(
                "no end-of-file on the report pipe: a write end is still open",
            );
        }
        match read(fd, &mut buf).context("reading the report pipe")? {
            0 => break,
            n => bytes.extend_from_slice(&buf[..n]),
        }
    }
    let word =
        |c: &[u8], i: usize| u64::from_ne_bytes(c[i * 8..i * 8 + 8].try_into().unwrap_or([0; 8]));
    Ok(bytes
        .chunks_exact(32)
        .map(|c| ChildReport {
            producer: word(c, 0) == 1,
            id: word(c, 1),
            tally: Tally {
                count: word(c, 2),
                checksum: word(c, 3),
            },
        })
        .collect())
}
