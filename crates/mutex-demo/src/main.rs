//! `cargo run -p mutex-demo`: 互斥锁 (mutex) with the course's 抢票
//! (ticket-buying) exercise. Buyer processes race for tickets in a JSON
//! file, first without a lock (oversold), then with `flock` (exact); then
//! the fork pitfall of a lock taken before `fork`; then the same race
//! between threads with `std::sync::Mutex`. Every count printed comes
//! from the buyers' exit statuses and from the file on disk.

use demo_kit::say::{heading, say, step};
use demo_kit::{cli::Args, Result, Side};
use mutex_demo::tickets::{self, Race, RaceReport};
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
    let buyers: usize = args.value("--buyers")?.unwrap_or(10);
    let tickets: u32 = args.value("--tickets")?.unwrap_or(1);
    let delay_ms: u64 = args.value("--delay-ms")?.unwrap_or(50);
    let quiet = args.flag("--quiet");
    args.finish()?;
    if !(2..=200).contains(&buyers) {
        return demo_kit::bail_msg("--buyers must be between 2 and 200; see --help");
    }
    if delay_ms > 2000 {
        return demo_kit::bail_msg("--delay-ms must be at most 2000; see --help");
    }
    let delay = Duration::from_millis(delay_ms);

    heading("processes: a JSON file of tickets");
    let db = TicketDb::create(u64::from(tickets))?;
    say(
        Side::Parent,
        format!(
            "created {} with {{\"count\": {tickets}}}",
            db.path().display()
        ),
    );

    step(1, format!("{buyers} buyer processes, NO lock"));
    let r = race(
        &db,
        tickets,
        Race {
            buyers,
            lock: false,
            delay,
            narrate: !quiet,
        },
    )?;
    say(Side::Note, judge(r.bought, tickets, buyers));
    if r.bought > tickets as usize {
        say(Side::Note, "several buyers read the same count before any wrote it back; each write overwrote the others (lost updates)");
    }

    step(
        2,
        format!("{buyers} buyer processes, each takes flock(LOCK_EX) around read-decide-write"),
    );
    db.reset(u64::from(tickets))?;
    let r = race(
        &db,
        tickets,
        Race {
            buyers,
            lock: true,
            delay,
            narrate: !quiet,
        },
    )?;
    say(Side::Note, judge(r.bought, tickets, buyers));
    if r.bought == (tickets as usize).min(buyers) && r.torn_reads == 0 {
        say(
            Side::Note,
            "with LOCK_EX only one open file can hold the lock: the buyers went through the critical section one at a time, each seeing the count its predecessor wrote",
        );
    }

    step(
        3,
        "the pitfall: a lock taken before fork() is shared with the child",
    );
    let p = pitfall::run(&db.path())?;
    say(Side::Parent, "holding flock(LOCK_EX) on db.json");
    say(
        Side::Child,
        format!(
            "child with its OWN open(): LOCK_EX|LOCK_NB -> {}",
            verdict(p.own_open_child_got_lock)
        ),
    );
    say(
        Side::Parent,
        format!(
            "second open() in the parent: LOCK_EX|LOCK_NB -> {}",
            verdict(p.second_open_got_lock_before)
        ),
    );
    say(Side::Child, format!("child with the INHERITED fd: LOCK_EX|LOCK_NB -> {}; then it drops its guard (flock LOCK_UN)", verdict(p.inherited_child_got_lock)));
    say(
        Side::Parent,
        format!(
            "second open() in the parent again: LOCK_EX|LOCK_NB -> {}",
            verdict(p.second_open_got_lock_after)
        ),
    );
    if p.second_open_got_lock_after {
        say(Side::Note, "the parent still has its guard, but the lock is gone: the child's unlock released it. One open() = one lock, shared by every fd copied from it");
    }

    heading("threads: one process, one memory");
    step(
        4,
        format!("{buyers} threads, atomic load ... sleep ... store (no lock)"),
    );
    let t = threads::race_unlocked(buyers, tickets, delay);
    say(
        Side::Parent,
        format!(
            "main thread counts: {} bought, {} left: {}",
            t.bought,
            t.left,
            judge(t.bought, tickets, buyers)
        ),
    );
    step(
        5,
        format!("{buyers} threads, std::sync::Mutex around read-decide-write"),
    );
    let t = threads::race_locked(buyers, tickets, delay);
    say(
        Side::Parent,
        format!(
            "main thread counts: {} bought, {} left: {}",
            t.bought,
            t.left,
            judge(t.bought, tickets, buyers)
        ),
    );

    let dir = db.dir().to_path_buf();
    drop(db);
    say(
        Side::Parent,
        format!("removed {} (exists now: {})", dir.display(), dir.exists()),
    );
    Ok(())
}

fn race(db: &TicketDb, tickets: u32, race: Race) -> Result<RaceReport> {
    say(Side::Parent, format!("forking {} buyers; each blocks reading a pipe until all exist, then one write releases them together", race.buyers));
    let r = tickets::run(&db.path(), race)?;
    say(
        Side::Kernel,
        format!(
            "exit statuses: {} bought, {} sold out, {} torn reads, {} failed; all {} reaped",
            r.bought,
            r.sold_out,
            r.torn_reads,
            r.failed,
            r.pids.len()
        ),
    );
    say(
        Side::Kernel,
        format!(
            "db.json now says {{\"count\": {}}} (started with {tickets})",
            r.left_in_file
        ),
    );
    Ok(r)
}

/// Compares tickets bought with what could honestly be sold.
fn judge(bought: usize, tickets: u32, buyers: usize) -> String {
    let possible = (tickets as usize).min(buyers);
    match bought.cmp(&possible) {
        std::cmp::Ordering::Greater => format!(
            "sold {bought}, but there were only {tickets}: OVERSOLD by {}",
            bought - possible
        ),
        std::cmp::Ordering::Equal => format!("sold {bought} of {tickets}: exact"),
        std::cmp::Ordering::Less => {
            format!("sold {bought} of {tickets}: fewer than possible (some buyers failed?)")
        }
    }
}

fn verdict(got: bool) -> &'static str {
    if got {
        "GOT the lock"
    } else {
        "refused (EWOULDBLOCK)"
    }
}
