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
use demo_kit::{cli::Args, tr, Result};
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
  --lang L        the language: en or zh (default: from LC_ALL, LC_MESSAGES, LANG)
  -h, --help      show this help

The database is db.json in a fresh directory under the system temp dir,
removed at the end.";

const HELP_ZH: &str = "\
mutex-demo：进程之间的抢票，用文件锁解决

用法：cargo run -p mutex-demo [-- 选项]

选项：
  --buyers N      参与抢票的进程（和线程）数（默认 10，2..=200）
  --tickets N     开始时数据库里的票数（默认 1）
  --delay-ms N    读票数和写票数之间的“网络延迟”，发生在临界区内
                  （默认 50，最多 2000）
  --quiet         不逐个讲述每个买票的，只给总数
  --lang L        输出语言：en 或 zh（默认看 LC_ALL、LC_MESSAGES、LANG）
  -h, --help      显示本帮助

数据库是系统临时目录下一个新建目录里的 db.json，结束时删除。";

fn main() -> ExitCode {
    demo_kit::fail::run(run)
}

fn run() -> Result<()> {
    let mut args = Args::parse((HELP, HELP_ZH));
    let buyers = args.value_in("--buyers", 2..=200, 10)?;
    let tickets: u32 = args.value("--tickets")?.unwrap_or(1);
    let delay = Duration::from_millis(args.value_in("--delay-ms", 0..=2000, 50)?);
    let narrate = !args.flag("--quiet");
    args.finish()?;
    let race = |lock| Race::new(buyers, tickets, lock, delay, narrate);
    let (b, t) = (buyers, tickets);

    heading(tr!(
        "processes: a JSON file of tickets",
        "进程：一个存票数的 JSON 文件"
    ));
    let db = TicketDb::create(u64::from(t))?;
    step(
        1,
        tr!("{b} buyer processes, NO lock", "{b} 个买票进程，不加锁"),
    );
    tickets::run(&db.path(), race(false))?;
    step(
        2,
        tr!(
            "{b} buyer processes, each takes flock(LOCK_EX) around read-decide-write",
            "{b} 个买票进程，每个都用 flock(LOCK_EX) 把“读-判断-写”包起来"
        ),
    );
    db.reset(u64::from(t))?;
    tickets::run(&db.path(), race(true))?;
    step(
        3,
        tr!(
            "the pitfall: a lock taken before fork() is shared with the child",
            "陷阱：fork() 之前拿到的锁，会和子进程共享"
        ),
    );
    pitfall::run(&db.path())?;

    heading(tr!(
        "threads: one process, one memory",
        "线程：一个进程，一份内存"
    ));
    step(
        4,
        tr!(
            "{b} threads, atomic load ... sleep ... store (no lock)",
            "{b} 个线程，原子 load ... sleep ... store（不加锁）"
        ),
    );
    threads::race_unlocked(b, t, delay);
    step(
        5,
        tr!(
            "{b} threads, std::sync::Mutex around read-decide-write",
            "{b} 个线程，用 std::sync::Mutex 把“读-判断-写”包起来"
        ),
    );
    threads::race_locked(b, t, delay);
    db.remove();
    Ok(())
}
