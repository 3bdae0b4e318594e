//! `cargo run -p producer-consumer-demo`: the course's 生产者与消费者模型.
//! Threads on a bounded queue (without and with back-pressure), then the
//! same with processes; `--forever` runs until Ctrl-C and still loses nothing.

mod forever;

use demo_kit::cli::Args;
use demo_kit::say::{heading, say, step};
use demo_kit::{bail_msg, Result, Side};
use forever::{ctrlc_pitfall, install_ctrlc, procs_forever, threads_forever};
use producer_consumer_demo::{procs, threads, Tally};
use std::process::ExitCode;
use std::sync::atomic::AtomicBool;
use std::time::Duration;

const HELP: &str = "\
producer-consumer-demo: producers, consumers and a bounded queue (生产者与消费者模型)

USAGE:
  cargo run -p producer-consumer-demo                         threads, then processes; ends by itself
  cargo run -p producer-consumer-demo -- --forever            threads until Ctrl-C, then drain and count
  cargo run -p producer-consumer-demo -- --forever --processes   the same with processes
  cargo run -p producer-consumer-demo -- --ctrlc-pitfall      what ctrlc's handler does in a forked child

OPTIONS:
  --producers N   producers (default 3)          --consumers N  consumers (default 2)
  --items N       items per producer (default 50, at most 1000000)
  --capacity N    queue bound for the back-pressure step (default 4)
  --delay-ms N    each consumer's work per item in ms (default 2)
  -h, --help      this text";

fn main() -> ExitCode {
    demo_kit::fail::run(run)
}

fn run() -> Result<()> {
    let mut a = Args::parse(HELP);
    let forever = a.flag("--forever");
    let processes = a.flag("--processes");
    let pitfall_mode = a.flag("--ctrlc-pitfall");
    let producers = a.value::<usize>("--producers")?.unwrap_or(3);
    let consumers = a.value::<usize>("--consumers")?.unwrap_or(2);
    let items = a.value::<u64>("--items")?.unwrap_or(50);
    let capacity = a.value::<usize>("--capacity")?.unwrap_or(4);
    let delay = Duration::from_millis(a.value::<u64>("--delay-ms")?.unwrap_or(2));
    a.finish()?;
    if !(1..=32).contains(&producers) || !(1..=32).contains(&consumers) {
        return bail_msg("--producers and --consumers must be between 1 and 32; see --help");
    }
    if capacity == 0 || delay > Duration::from_secs(1) {
        return bail_msg("--capacity must be at least 1 and --delay-ms at most 1000; see --help");
    }
    if items > 1_000_000 {
        return bail_msg("--items must be at most 1000000; see --help");
    }
    if processes && !forever {
        return bail_msg("--processes goes with --forever (the default run does threads, then processes); see --help");
    }
    let mut cfg = threads::Config {
        producers,
        consumers,
        items_per_producer: Some(items),
        capacity,
        consume_delay: delay,
    };

    if pitfall_mode {
        return ctrlc_pitfall(install_ctrlc()?);
    }
    if forever {
        let ctrl_c = install_ctrlc()?;
        cfg.items_per_producer = None;
        return if processes {
            procs_forever(&cfg, &ctrl_c)
        } else {
            threads_forever(&cfg, &ctrl_c)
        };
    }
    heading("threads and a bounded crossbeam-channel (Python: queue.Queue(maxsize))");
    step(1, "a queue big enough for everything: nobody waits");
    let big = threads::Config {
        capacity: producers * items as usize + 1,
        ..cfg.clone()
    };
    show_threads(
        &big,
        &threads::run(&big, &AtomicBool::new(false), &Default::default()),
    )?;
    step(
        2,
        format!("a queue of {capacity} and slow consumers: back-pressure"),
    );
    show_threads(
        &cfg,
        &threads::run(&cfg, &AtomicBool::new(false), &Default::default()),
    )?;

    heading("processes and a socket pair (Python: multiprocessing.JoinableQueue)");
    step(
        3,
        "producer and consumer processes; the queue is a SOCK_SEQPACKET socket pair",
    );
    let pcfg = procs::Config {
        producers,
        consumers,
        items_per_producer: Some(items),
        consume_delay: delay,
    };
    show_procs(&procs::run(&pcfg, |_| {})?)
}

pub(crate) fn show_threads(cfg: &threads::Config, r: &threads::Report) -> Result<()> {
    say(
        Side::Note,
        format!(
            "{} producers, {} consumers, queue bound {}, {:?} of work per item",
            cfg.producers, cfg.consumers, cfg.capacity, cfg.consume_delay
        ),
    );
    say(
        Side::Parent,
        format!(
            "produced per producer {:?}, consumed per consumer {:?}",
            r.per_producer, r.per_consumer
        ),
    );
    let waited = if r.blocked_sends == 0 {
        "no waiting".to_string()
    } else {
        format!(
            "{:.1?} of waiting summed over the producers",
            r.blocked_time
        )
    };
    say(Side::Parent, format!("back-pressure: {} of {} sends found the queue full and blocked ({waited}); fullest queue seen: {} of {}", r.blocked_sends, r.produced.count, r.max_queue_len, cfg.capacity));
    totals(r.produced, r.consumed)
}

pub(crate) fn show_procs(r: &procs::Report) -> Result<()> {
    for &pid in &r.terminated {
        say(Side::Parent, format!("sent SIGTERM to producer {pid}"));
    }
    for (pid, code) in &r.exits {
        let role = if r.producer_pids.contains(pid) {
            "producer"
        } else {
            "consumer"
        };
        say(
            Side::Parent,
            format!("reaped {role} {pid}: exit code {code:?}"),
        );
    }
    for c in &r.reports {
        let role = if c.producer { "producer" } else { "consumer" };
        say(
            Side::Child,
            format!(
                "{role} #{} reported {} items, checksum {:016x}",
                c.id, c.tally.count, c.tally.checksum
            ),
        );
    }
    let expected = r.producer_pids.len() + r.consumer_pids.len();
    if r.reports.len() != expected {
        return bail_msg(format!(
            "only {} of {expected} children reported",
            r.reports.len()
        ));
    }
    totals(r.produced, r.consumed)
}

fn totals(produced: Tally, consumed: Tally) -> Result<()> {
    say(
        Side::Parent,
        format!(
            "totals: produced {} (checksum {:016x}), consumed {} (checksum {:016x})",
            produced.count, produced.checksum, consumed.count, consumed.checksum
        ),
    );
    if produced != consumed {
        return bail_msg("produced and consumed differ: items were lost or duplicated");
    }
    say(
        Side::Parent,
        "produced = consumed: nothing lost, nothing twice",
    );
    Ok(())
}
