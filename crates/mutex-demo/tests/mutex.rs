//! The demo's claims on the real kernel: real buyer processes, a real file,
//! real `flock`. Each test uses its own temp directory, so tests run in
//! parallel; every buyer is reaped by pid (checked with /proc).

// The demo told in Chinese: in this binary, so it runs alongside the claims.
#[path = "mutex/lang.rs"]
mod lang;

use demo_kit::procfs;
use demo_kit::testing::run_demo;
use mutex_demo::tickets::{self, Race};
use mutex_demo::{pitfall, threads, TicketDb};
use std::time::Duration;

const BIN: &str = env!("CARGO_BIN_EXE_mutex-demo");

fn all_gone(pids: &[nix::unistd::Pid]) -> bool {
    pids.iter().all(|p| procfs::is_gone(p.as_raw()))
}

#[test]
fn without_a_lock_the_processes_oversell() {
    demo_kit::say::set_quiet(true);
    let db = TicketDb::create(1).unwrap();
    // A long window (300 ms) between read and write: after the rendezvous,
    // two buyers reading before the first write is all we need.
    let race = Race::new(8, 1, false, Duration::from_millis(300), false);
    let r = tickets::run(&db.path(), race).unwrap();
    assert_eq!(r.failed, 0, "{r:?}");
    assert!(r.bought > 1, "expected an oversell of 1 ticket: {r:?}");
    assert_eq!(r.bought + r.sold_out + r.torn_reads, 8, "{r:?}");
    assert_eq!(r.left_in_file, 0);
    // all_gone holds for an empty list: every buyer's pid must be in it.
    assert_eq!(r.pids.len(), 8, "{r:?}");
    assert!(all_gone(&r.pids));
}

#[test]
fn with_flock_the_count_is_exact() {
    demo_kit::say::set_quiet(true);
    let db = TicketDb::create(3).unwrap();
    let race = Race::new(8, 3, true, Duration::from_millis(20), false);
    let r = tickets::run(&db.path(), race).unwrap();
    assert_eq!(
        (r.bought, r.sold_out, r.torn_reads, r.failed),
        (3, 5, 0, 0),
        "{r:?}"
    );
    assert_eq!(r.left_in_file, 0);
    assert_eq!(db.count().unwrap(), 0);
    // all_gone holds for an empty list: every buyer's pid must be in it.
    assert_eq!(r.pids.len(), 8, "{r:?}");
    assert!(all_gone(&r.pids));
}

#[test]
fn a_lock_inherited_across_fork_is_one_lock() {
    demo_kit::say::set_quiet(true);
    let db = TicketDb::create(1).unwrap();
    let p = pitfall::run(&db.path()).unwrap();
    assert!(
        !p.own_open_child_got_lock,
        "a separate open() must be excluded"
    );
    assert!(!p.second_open_got_lock_before, "even in the same process");
    assert!(
        p.inherited_child_got_lock,
        "the inherited fd shares the parent's lock"
    );
    assert!(
        p.second_open_got_lock_after,
        "the child's unlock released the parent's lock"
    );
}

#[test]
fn threads_oversell_without_and_are_exact_with_a_mutex() {
    demo_kit::say::set_quiet(true);
    let t = threads::race_unlocked(8, 1, Duration::from_millis(300));
    assert!(t.bought > 1, "{t:?}");
    // Every buyer that bought wrote back what it saw, 1, minus one.
    assert_eq!(t.left, 0, "{t:?}");
    // No ticket, no sale: a buyer that sees 0 writes nothing back.
    let t = threads::race_unlocked(3, 0, Duration::ZERO);
    assert_eq!(t, threads::ThreadReport { bought: 0, left: 0 });
    let t = threads::race_locked(8, 3, Duration::from_millis(5));
    assert_eq!(t, threads::ThreadReport { bought: 3, left: 0 });
}

#[test]
fn the_database_holds_the_count_written() {
    demo_kit::say::set_quiet(true);
    let db = TicketDb::create(5).unwrap();
    assert_eq!(db.count().unwrap(), 5);
    db.reset(7).unwrap();
    assert_eq!(db.count().unwrap(), 7);
}

#[test]
fn the_verdict_compares_sales_with_what_could_be_sold() {
    // The verdicts checked are the English ones.
    demo_kit::lang::set(demo_kit::lang::Lang::En);
    // What could be sold: the tickets, or fewer if there are fewer buyers.
    assert_eq!(
        mutex_demo::judge(3, 1, 8),
        "sold 3, but there were only 1: OVERSOLD by 2"
    );
    assert_eq!(mutex_demo::judge(2, 5, 2), "sold 2 of 5: exact");
    assert_eq!(
        mutex_demo::judge(1, 3, 8),
        "sold 1 of 3: fewer than possible (some buyers failed?)"
    );
}

#[test]
fn the_temp_directory_is_removed() {
    demo_kit::say::set_quiet(true);
    let db = TicketDb::create(1).unwrap();
    let dir = db.dir().to_path_buf();
    assert!(dir.starts_with(std::env::temp_dir()) && dir.exists());
    drop(db);
    assert!(!dir.exists());
}

#[test]
fn the_binary_runs_reaps_everyone_and_cleans_up() {
    let (code, text, err) = run_demo(BIN, &["--buyers", "6", "--delay-ms", "50"]);
    assert_eq!(code, 0, "{text}\n{err}");
    assert!(!text.contains('\x1b'));
    assert!(
        text.contains("1 bought, 5 sold out, 0 torn reads, 0 failed; all 6 reaped"),
        "{text}"
    );
    assert!(text.contains("GOT the lock"), "{text}");
    // Without --quiet each buyer narrates.
    assert!(text.contains("[child] buyer 1 (pid "), "{text}");
    // The notes follow the numbers: lost updates where step 1 (no lock)
    // oversold, and only there; the one-at-a-time note under step 2.
    let steps: Vec<&str> = text.split("\n── step ").skip(1).collect();
    let lost = "each write overwrote the others (lost updates)";
    let one_at_a_time = "with LOCK_EX only one open file can hold the lock";
    assert_eq!(
        steps[0].contains(lost),
        steps[0].contains("OVERSOLD"),
        "{text}"
    );
    assert!(!steps[0].contains(one_at_a_time), "{text}");
    assert!(
        steps[1].contains(one_at_a_time) && !steps[1].contains(lost),
        "{text}"
    );
    assert!(text.contains("exists now: false"), "{text}");
    // Every buyer pid it printed is gone (a reused pid would not be named mutex-demo).
    for rest in text.split("(pid ").skip(1) {
        let pid: i32 = rest.split(')').next().unwrap().parse().unwrap();
        let left = procfs::stat(pid).filter(|s| s.comm == "mutex-demo");
        assert!(left.is_none(), "buyer {pid} left behind: {left:?}");
    }
}

#[test]
fn a_non_number_is_refused_with_the_option_named() {
    let (code, _, err) = run_demo(BIN, &["--buyers", "lots"]);
    assert_eq!(code, 1);
    assert_eq!(
        err,
        "error: bad value \"lots\" for --buyers: invalid digit found in string; see --help\n"
    );
}

#[test]
fn one_buyer_is_refused_there_is_no_race() {
    let (code, _, err) = run_demo(BIN, &["--buyers", "1"]);
    assert_eq!(code, 1);
    assert_eq!(
        err,
        "error: --buyers must be between 2 and 200; see --help\n"
    );
}
