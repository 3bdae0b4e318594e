//! The lesson's claims with real threads and real processes.

use demo_kit::procfs::is_gone;
use producer_consumer_demo::{item, procs, threads, Tally};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

fn expected(producers: usize, items: u64) -> Tally {
    let mut t = Tally::default();
    for p in 0..producers {
        for s in 0..items {
            t.add(item(p, s));
        }
    }
    t
}

#[test]
fn checksum_detects_loss_and_duplication() {
    demo_kit::say::set_quiet(true);
    let all = expected(2, 10);
    let mut lost_and_duplicated = Tally::default();
    for s in 0..10 {
        lost_and_duplicated.add(item(0, s));
        lost_and_duplicated.add(item(1, if s == 3 { 4 } else { s }));
    }
    assert_eq!(lost_and_duplicated.count, all.count);
    assert_ne!(lost_and_duplicated, all);
}

#[test]
fn items_of_different_producers_differ() {
    // The producer in the high bits, the sequence number in the low 40.
    assert_eq!(item(0, 7), 7);
    assert_eq!(item(3, 7), (3 << 40) + 7);
    assert_ne!(item(1, 0), item(0, 0));
}

#[test]
fn the_mix_is_splitmix64() {
    // Vigna's reference splitmix64.c (prng.di.unimi.it), started from state
    // 0, returns these two first; mix(x) is its output from state x.
    use producer_consumer_demo::mix;
    assert_eq!(mix(0), 0xe220_a839_7b1d_cdaf);
    assert_eq!(mix(0x9e37_79b9_7f4a_7c15), 0x6e78_9e6a_a1b9_65f4);
}

#[test]
fn threads_produced_equals_consumed_and_queue_applies_back_pressure() {
    demo_kit::say::set_quiet(true);
    let cfg = threads::Config {
        producers: 3,
        consumers: 2,
        items_per_producer: Some(40),
        capacity: 2,
        consume_delay: Duration::from_millis(2),
    };
    let r = threads::run(&cfg, &AtomicBool::new(false), &Default::default());
    assert_eq!(r.produced, expected(3, 40));
    assert_eq!(r.consumed, r.produced);
    assert_eq!(r.per_producer, [40, 40, 40]);
    assert_eq!(r.per_consumer.iter().sum::<u64>(), 120);
    // 120 items through a queue of 2 with slow consumers: producers had to wait.
    assert!(r.blocked_sends > 0, "{r:?}");
    // ... and really waited, not just found it full once: the last send
    // needs room the consumers make only after about 116 items x 2 ms / 2
    // consumers, and a producer spends all that time but microseconds
    // asleep in send(). Summed over three producers, 50 ms is far below.
    assert!(
        r.blocked_time >= Duration::from_millis(50),
        "the producers were slowed to the consumers' pace: {r:?}"
    );
    // The channel cannot hold more than the bound we gave it (crossbeam's
    // guarantee, not ours); what we measure is that the consumers found it
    // kept full: after taking an item, at least one more was waiting.
    assert!(
        (cfg.capacity - 1..=cfg.capacity).contains(&r.max_queue_len),
        "the producers kept the queue of {} full: {r:?}",
        cfg.capacity
    );
}

#[test]
fn a_queue_big_enough_never_blocks() {
    demo_kit::say::set_quiet(true);
    let cfg = threads::Config {
        producers: 2,
        consumers: 2,
        items_per_producer: Some(30),
        capacity: 60,
        consume_delay: Duration::ZERO,
    };
    let r = threads::run(&cfg, &AtomicBool::new(false), &Default::default());
    assert_eq!(r.blocked_sends, 0);
    assert_eq!(r.consumed, expected(2, 30));
}

#[test]
fn threads_stop_on_request_and_drain() {
    demo_kit::say::set_quiet(true);
    let cfg = threads::Config {
        producers: 2,
        consumers: 2,
        items_per_producer: None,
        capacity: 8,
        consume_delay: Duration::from_micros(200),
    };
    // Not a scoped thread: if the producers ignored `stop`, the run would
    // never end, and a scope would wait for it for ever. This way the test
    // fails after a bound instead (the runaway thread ends with the process).
    let stop: &'static AtomicBool = Box::leak(Box::new(AtomicBool::new(false)));
    let live: &'static threads::Live = Box::leak(Box::default());
    let (done_tx, done) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = done_tx.send(threads::run(&cfg, stop, live));
    });
    // Stop once something has been consumed (a real event, bounded).
    demo_kit::wait::until(Duration::from_secs(20), || {
        (live.consumed.load(Ordering::Relaxed) > 10).then_some(())
    })
    .expect("nothing consumed within 20 s");
    stop.store(true, Ordering::SeqCst);
    let r = done
        .recv_timeout(Duration::from_secs(20))
        .expect("the producers did not stop within 20 s of the request");
    assert!(r.produced.count > 10);
    assert_eq!(r.consumed, r.produced, "nothing lost on stop");
}

#[test]
fn processes_produced_equals_consumed_and_all_reaped() {
    demo_kit::say::set_quiet(true);
    let cfg = procs::Config {
        producers: 3,
        consumers: 2,
        items_per_producer: Some(500),
        consume_delay: Duration::ZERO,
    };
    let r = procs::run(&cfg, |_| unreachable!("finite run does not wait for stop")).unwrap();
    assert_eq!(r.reports.len(), 5);
    // Each report says who sent it: three producers of 500 items each.
    let producers: Vec<u64> = r
        .reports
        .iter()
        .filter(|c| c.producer)
        .map(|c| c.tally.count)
        .collect();
    assert_eq!(producers, [500, 500, 500], "{:?}", r.reports);
    assert_eq!(r.produced, expected(3, 500));
    assert_eq!(r.consumed, r.produced);
    assert!(r.terminated.is_empty());
    assert_eq!(r.exits.len(), 5);
    assert!(
        r.exits.iter().all(|&(_, code)| code == Some(0)),
        "{:?}",
        r.exits
    );
    for &(pid, _) in &r.exits {
        assert!(is_gone(pid), "child {pid} left behind");
    }
}

#[test]
fn processes_stopped_with_sigterm_lose_nothing() {
    demo_kit::say::set_quiet(true);
    let cfg = procs::Config {
        producers: 2,
        consumers: 2,
        items_per_producer: None,
        consume_delay: Duration::from_micros(100),
    };
    // Let them work a bit (not synchronisation: any amount of work will do).
    let r = procs::run(&cfg, |_| std::thread::sleep(Duration::from_millis(200))).unwrap();
    assert_eq!(r.terminated.len(), 2);
    assert!(
        r.exits.iter().all(|&(_, code)| code == Some(0)),
        "{:?}",
        r.exits
    );
    assert_eq!(r.reports.len(), 4);
    // Items flowed before the SIGTERMs, so the equality is not 0 = 0.
    assert!(r.produced.count > 0, "{r:?}");
    assert_eq!(r.consumed, r.produced);
    for &(pid, _) in &r.exits {
        assert!(is_gone(pid), "child {pid} left behind");
    }
}

#[test]
fn processes_stopped_at_once_still_exit_cleanly() {
    demo_kit::say::set_quiet(true);
    // SIGTERM right after fork(): it must wait (blocked) until each producer
    // has installed its handler, not kill it with the inherited disposition.
    for _ in 0..5 {
        let cfg = procs::Config {
            producers: 3,
            consumers: 1,
            items_per_producer: None,
            consume_delay: Duration::ZERO,
        };
        let r = procs::run(&cfg, |_| {}).unwrap();
        assert!(
            r.exits.iter().all(|&(_, code)| code == Some(0)),
            "{:?}",
            r.exits
        );
        assert_eq!(r.reports.len(), 4);
        assert_eq!(r.consumed, r.produced);
    }
}
