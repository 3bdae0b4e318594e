//! Buyer *processes* racing for tickets, with and without a file lock.
//!
//! Our example, in the course's style (the notes stop at the heading 互斥锁):
//!
//! ```python
//! def get(name, lock):
//!     with lock:                          # remove this line: oversold
//!         dic = json.load(open('db.txt'))
//!         time.sleep(0.1)                 # "network delay"
//!         if dic['count'] > 0:
//!             dic['count'] -= 1
//!             json.dump(dic, open('db.txt', 'w'))
//! ```
//!
//! `multiprocessing.Lock` works because the children are forked *after*
//! the lock was made, so they all share it. Our lock is the kernel's file
//! lock, `flock(fd, LOCK_EX)`: it works between any processes that open
//! the same file, related or not, and the kernel drops it when the holder
//! dies — a crashed buyer cannot keep everyone else waiting forever.
//!
//! To make the race show up every time, the parent forks all buyers first,
//! and they block on a pipe; the parent then writes one byte per buyer, and
//! they all start at once (a *rendezvous*). The sleep inside the critical
//! section stretches the window between read and write.

use crate::{judge, load, store};
use demo_kit::child::{child_main, child_say, flush_before_fork};
use demo_kit::say::{colors_enabled, say};
use demo_kit::{tr, Context, Result, Side};
use nix::fcntl::{Flock, FlockArg};
use nix::sys::signal::{kill, Signal};
use nix::sys::wait::{waitpid, WaitPidFlag, WaitStatus};
use nix::unistd::{fork, getpid, pipe, read, write, ForkResult, Pid};
use std::fs::{File, OpenOptions};
use std::path::Path;
use std::time::Duration;

/// Exit codes a buyer reports its outcome with.
pub const BOUGHT: i32 = 0;
pub const SOLD_OUT: i32 = 1;
pub const TORN_READ: i32 = 2;
pub const FAILED: i32 = 3;

/// One race.
#[derive(Clone, Copy, Debug)]
pub struct Race {
    pub buyers: usize,
    /// Tickets in the file when the race starts.
    pub tickets: u32,
    /// Protect the critical section with `flock(LOCK_EX)`?
    pub lock: bool,
    /// Sleep between reading and writing the count.
    pub delay: Duration,
    /// Narrate from the buyers (child_say)?
    pub narrate: bool,
}

impl Race {
    pub fn new(buyers: usize, tickets: u32, lock: bool, delay: Duration, narrate: bool) -> Race {
        Race {
            buyers,
            tickets,
            lock,
            delay,
            narrate,
        }
    }
}

/// What the kernel told us: each buyer's exit status, and the file.
#[derive(Clone, Debug, Default)]
pub struct RaceReport {
    pub pids: Vec<Pid>,
    pub bought: usize,
    pub sold_out: usize,
    pub torn_reads: usize,
    pub failed: usize,
    /// The count in the file after all buyers ended.
    pub left_in_file: u64,
}

/// Forks `race.buyers` buyers against the database at `db`, releases them
/// together, reaps them all, and counts outcomes by exit status.
pub fn run(db: &Path, race: Race) -> Result<RaceReport> {
    let color = colors_enabled();
    say(Side::Parent, tr!("forking {} buyers; each blocks reading a pipe until all exist, then one write releases them together", "fork 出 {} 个买票进程；每个都阻塞在读管道上，等全部创建好，再用一次 write 同时放行", race.buyers));
    let (start_r, start_w) =
        pipe().context(tr!("pipe() for the start signal", "为开始信号创建 pipe()"))?;
    let mut report = RaceReport::default();
    for n in 1..=race.buyers {
        flush_before_fork();
        // SAFETY: the child only runs `buyer`, ending in `_exit`.
        match unsafe { fork() } {
            Ok(ForkResult::Child) => {
                drop(start_w);
                child_main(|| {
                    // Rendezvous: wait for the parent's go (one byte each).
                    let mut go = [0u8; 1];
                    if read(&start_r, &mut go) != Ok(1) {
                        return FAILED;
                    }
                    buyer(n, db, race, color)
                })
            }
            Ok(ForkResult::Parent { child }) => report.pids.push(child),
            Err(e) => {
                reap_all(&report.pids, Duration::ZERO).ok();
                return Err(e).context(tr!("fork() of a buyer", "fork() 出一个买票进程"));
            }
        }
    }
    drop(start_r);
    // Release everyone at once: N bytes, each buyer reads exactly one.
    let go = vec![b'g'; race.buyers];
    let mut sent = 0;
    while sent < go.len() {
        match write(&start_w, &go[sent..]) {
            Ok(n) => sent += n,
            Err(nix::errno::Errno::EINTR) => {}
            Err(e) => {
                reap_all(&report.pids, Duration::ZERO).ok();
                return Err(e).context(tr!("releasing the buyers", "放行买票进程"));
            }
        }
    }
    let patience = Duration::from_secs(20) + race.delay * race.buyers as u32;
    for status in reap_all(&report.pids, patience)? {
        match status {
            WaitStatus::Exited(_, BOUGHT) => report.bought += 1,
            WaitStatus::Exited(_, SOLD_OUT) => report.sold_out += 1,
            WaitStatus::Exited(_, TORN_READ) => report.torn_reads += 1,
            _ => report.failed += 1,
        }
    }
    let r = &mut report;
    say(
        Side::Kernel,
        tr!(
            "exit statuses: {} bought, {} sold out, {} torn reads, {} failed; all {} reaped", "退出状态：{} 个买到了，{} 个遇上售罄，{} 个读到了写了一半的文件，{} 个失败；{} 个全部已回收",
            r.bought,
            r.sold_out,
            r.torn_reads,
            r.failed,
            r.pids.len()
        ),
    );
    let mut f = File::open(db).context(tr!(
        "opening db.json to count what is left",
        "打开 db.json 清点剩下的票"
    ))?;
    r.left_in_file = load(&mut f)?.context(tr!("db.json is damaged", "db.json 已损坏"))?;
    let (tickets, buyers) = (race.tickets, race.buyers);
    say(
        Side::Kernel,
        tr!(
            "db.json now says {{\"count\": {}}} (started with {tickets})",
            "db.json 现在是 {{\"count\": {}}}（开始时是 {tickets}）",
            r.left_in_file
        ),
    );
    say(Side::Note, judge(r.bought, tickets, buyers));
    if !race.lock && r.bought > tickets as usize {
        say(Side::Note, tr!("several buyers read the same count before any wrote it back; each write overwrote the others (lost updates)", "几个买票进程在任何一个写回之前读到了同一个票数；后写的覆盖了先写的（更新丢失）"));
    }
    if race.lock && r.bought == (tickets as usize).min(buyers) && r.torn_reads == 0 {
        say(Side::Note, tr!("with LOCK_EX only one open file can hold the lock: the buyers went through the critical section one at a time, each seeing the count its predecessor wrote", "有了 LOCK_EX，同一时刻只有一个打开的文件能持有锁：买票进程一个接一个地通过临界区，每个都能看到前一个写下的票数"));
    }
    Ok(report)
}

/// One buyer's whole life, in a forked child: open the file (its *own*
/// open, see [`crate::pitfall`]), maybe lock, read, wait, decide, write.
fn buyer(n: usize, db: &Path, race: Race, color: bool) -> i32 {
    let me = getpid();
    let say = |msg: String| {
        if race.narrate {
            child_say(
                Side::Child,
                tr!(
                    "buyer {n} (pid {me}): {msg}",
                    "买票进程 {n}（pid {me}）：{msg}"
                ),
                color,
            );
        }
    };
    let Ok(file) = OpenOptions::new().read(true).write(true).open(db) else {
        return FAILED;
    };
    // With the lock, the guard lives until this function returns; its drop
    // calls flock(LOCK_UN) and closes the fd, before `_exit`. A buyer killed
    // inside never unlocks: the kernel drops the lock with its last fd.
    let mut guard;
    let mut plain;
    let f: &mut File = if race.lock {
        guard = match Flock::lock(file, FlockArg::LockExclusive) {
            Ok(g) => g,
            Err(_) => return FAILED,
        };
        say(tr!("got the lock", "拿到了锁"));
        &mut guard
    } else {
        plain = file;
        &mut plain
    };
    let count = match load(f) {
        Ok(Some(c)) => c,
        Ok(None) => {
            say(tr!("read a half-written file!", "读到了写了一半的文件！"));
            return TORN_READ;
        }
        Err(_) => return FAILED,
    };
    std::thread::sleep(race.delay); // the course's "network delay"
    if count == 0 {
        say(tr!("saw 0 tickets left: sold out", "看到剩 0 张：售罄"));
        return SOLD_OUT;
    }
    if store(f, count - 1).is_err() {
        return FAILED;
    }
    say(tr!(
        "saw {count} left, wrote {} back: bought a ticket",
        "看到剩 {count} 张，写回 {}：买到一张票",
        count - 1
    ));
    BOUGHT
}

/// Reaps every pid in `pids`, waiting at most `timeout` in total. On
/// timeout, kills the stragglers with SIGKILL, reaps them, and fails:
/// nothing is ever left running.
pub fn reap_all(pids: &[Pid], timeout: Duration) -> Result<Vec<WaitStatus>> {
    let mut statuses: Vec<Option<WaitStatus>> = vec![None; pids.len()];
    demo_kit::wait::until(timeout, || {
        for (pid, slot) in pids.iter().zip(statuses.iter_mut()) {
            if slot.is_none() {
                match waitpid(*pid, Some(WaitPidFlag::WNOHANG)) {
                    Ok(WaitStatus::StillAlive) | Err(nix::errno::Errno::EINTR) => {}
                    Ok(s) => *slot = Some(s),
                    Err(_) => *slot = Some(WaitStatus::StillAlive), // not ours: nothing to reap
                }
            }
        }
        statuses.iter().all(Option::is_some).then_some(())
    });
    let stragglers: Vec<Pid> = pids
        .iter()
        .zip(&statuses)
        .filter(|(_, s)| s.is_none())
        .map(|(p, _)| *p)
        .collect();
    for &pid in &stragglers {
        let _ = kill(pid, Signal::SIGKILL);
        let _ = waitpid(pid, None);
    }
    if !stragglers.is_empty() {
        return Err(demo_kit::Error::msg(tr!(
            "buyers {stragglers:?} did not finish within {timeout:?}; killed them",
            "买票进程 {stragglers:?} 在 {timeout:?} 内没有结束；已把它们杀掉"
        )));
    }
    Ok(statuses.into_iter().flatten().collect())
}
