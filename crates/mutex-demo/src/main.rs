//! `cargo run -p mutex-demo`: 互斥锁 (mutex) with a ticket-buying race (抢票)
//! in the course's style.
//!
//! The story: buyer processes race for the tickets in a JSON file. Without
//! a lock they oversell — each reads the same count before any writes it
//! back. With `flock(LOCK_EX)` around read-decide-write they go through one
//! at a time and the count is exact. The pitfall: a lock taken before
//! `fork()` is *shared* with the child, whose unlock releases the parent's.
//! Then the same race between threads, with `std::sync::Mutex`. Every count
//! printed comes from the buyers' exit statuses and from the file on disk.

use demo_kit::say::{heading, step};
use demo_kit::{cli::Args, Result};
use mutex_demo::tickets::{self, Race};
use mutex_demo::{pitfall, threads, TicketDb};
use std::process::ExitCode;
use std::time::Duration;

const HELP: &str = "\
mutex-demo: the ticket-buying race (抢票) between processes, fixed with a file lock

USAGE: cargo run -p mutex-demo [-- OPTIONS]

OPTIONS:
  --buyers N      buyer processes (and threads) racing (default 10, 2..=200)
  --tickets N     tickets in the database at the start (default 1)
  --delay-ms N    \"network delay\" between reading and writing the count,
                  inside the critical section (default 50, at most 2000)
  --quiet         do not narrate from each buyer, only the totals
  -h, --help      show this help

The database is db.json in a fresh directory under the system temp dir,
removed at the end.";

fn main() -> ExitCode {
    demo_kit::fail::run(run)
}

fn run() -> Result<()> {
    let mut args = Args::parse(HELP);
    let buyers = args.value_in("--buyers", 2..=200, 10)?;
    let tickets: u32 = args.value("--tickets")?.unwrap_or(1);
    let delay = Duration::from_millis(args.value_in("--delay-ms", 0..=2000, 50)?);
    let narrate = !args.flag("--quiet");
    args.finish()?;
    let race = |lock| Race::new(buyers, tickets, lock, delay, narrate);
    let (b, t) = (buyers, tickets);

    heading("processes: a JSON file of tickets");
    let db = TicketDb::create(u64::from(t))?;
    step(1, format!("{b} buyer processes, NO lock"));
    tickets::run(&db.path(), race(false))?;
    step(
        2,
        format!("{b} buyer processes, each takes flock(LOCK_EX) around read-decide-write"),
    );
    db.reset(u64::from(t))?;
    tickets::run(&db.path(), race(true))?;
    step(
        3,
        "the pitfall: a lock taken before fork() is shared with the child",
    );
    pitfall::run(&db.path())?;

    heading("threads: one process, one memory");
    step(
        4,
        format!("{b} threads, atomic load ... sleep ... store (no lock)"),
    );
    threads::race_unlocked(b, t, delay);
    step(
        5,
        format!("{b} threads, std::sync::Mutex around read-decide-write"),
    );
    threads::race_locked(b, t, delay);
    db.remove();
    Ok(())
}
