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

use crate::{check_totals, Tally};
use demo_kit::child::{exit_code, fork_child, keep_only_fds, reap_or_kill};
use demo_kit::report::{recv_to_eof, words};
use demo_kit::say::say;
use demo_kit::{tr, Context, Result, Side};
use nix::sys::signal::{kill, SigmaskHow, Signal};
use nix::sys::socket::{socketpair, AddressFamily, SockFlag, SockType};
use nix::unistd::{pipe, Pid};
use std::os::fd::{AsRawFd, RawFd};
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

impl From<&crate::threads::Config> for Config {
    /// The processes version of a threads run (a socket's buffer is the bound).
    fn from(t: &crate::threads::Config) -> Config {
        Config {
            producers: t.producers,
            consumers: t.consumers,
            items_per_producer: t.items_per_producer,
            consume_delay: t.consume_delay,
        }
    }
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
    /// (pid, Python's exitcode) of every reaped child: `-N` = killed by signal N.
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
    let (reports_r, reports_w) = pipe().context(tr!("creating the report pipe", "创建报告管道"))?;
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
                say(
                    Side::Parent,
                    tr!(
                        "sent SIGTERM to producer {pid}",
                        "已向生产者 {pid} 发送 SIGTERM"
                    ),
                );
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
        match reap_or_kill(Pid::from_raw(pid), CHILD_TIMEOUT) {
            Ok(status) => {
                let code = exit_code(status);
                let role = if rep.producer_pids.contains(&pid) {
                    tr!("producer", "生产者")
                } else {
                    tr!("consumer", "消费者")
                };
                say(
                    Side::Parent,
                    tr!(
                        "reaped {role} {pid}: exit code {code:?}",
                        "已回收{role} {pid}：退出码 {code:?}"
                    ),
                );
                rep.exits.push((pid, code));
            }
            Err(e) => first_err = first_err.or(Some(e)),
        }
    }
    if let Some(e) = first_err {
        return Err(e);
    }
    // q.join(): all children are gone, so the report pipe is at EOF after
    // their reports.
    let bytes = recv_to_eof(
        &reports_r,
        Duration::from_secs(10),
        &tr!("the children's reports", "子进程的报告"),
    )?;
    rep.reports = words(&bytes)
        .chunks_exact(4)
        .map(ChildReport::from_words)
        .collect();
    for c in &rep.reports {
        let role = if c.producer {
            tr!("producer", "生产者")
        } else {
            tr!("consumer", "消费者")
        };
        say(
            Side::Child,
            tr!(
                "{role} #{} reported {} items, checksum {:016x}",
                "{role} #{} 报告了 {} 个数据项，校验和 {:016x}",
                c.id,
                c.tally.count,
                c.tally.checksum
            ),
        );
        if c.producer {
            rep.produced.merge(c.tally)
        } else {
            rep.consumed.merge(c.tally)
        }
    }
    let expected = rep.producer_pids.len() + rep.consumer_pids.len();
    if rep.reports.len() != expected {
        return demo_kit::bail_msg(tr!(
            "only {} of {expected} children reported",
            "{expected} 个子进程里只有 {} 个报告了",
            rep.reports.len()
        ));
    }
    check_totals(rep.produced, rep.consumed)?;
    Ok(rep)
}

impl ChildReport {
    /// One report is four words: producer?, id, count, checksum.
    fn from_words(w: &[u64]) -> ChildReport {
        ChildReport {
            producer: w[0] == 1,
            id: w[1],
            tally: Tally {
                count: w[2],
                checksum: w[3],
            },
        }
    }
}

/// `fork()` a child that keeps only the descriptors in `keep` and runs
/// `work` (`demo_kit::child::fork_child`: flush, fork, `_exit`).
fn spawn(keep: &[RawFd], work: impl FnOnce() -> i32) -> Result<Pid> {
    // Block the stop signals around fork(): a SIGTERM that reaches the child
    // before it has installed its own handler then stays *pending* instead
    // of hitting the disposition inherited from us (ctrlc's handler, which
    // would swallow it). The child unblocks after setting up (`signals_ready`).
    let old = stop_signals()
        .thread_swap_mask(SigmaskHow::SIG_BLOCK)
        .context(tr!(
            "blocking signals around fork()",
            "在 fork() 前后屏蔽信号"
        ))?;
    let forked = fork_child(|| {
        keep_only_fds(keep);
        work()
    });
    let _ = old.thread_set_mask(); // only the parent gets here
    forked
}
