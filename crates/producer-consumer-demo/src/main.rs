//! `cargo run -p producer-consumer-demo`: the course's 生产者与消费者模型.
//! Threads on a bounded queue (without and with back-pressure), then the
//! same with processes; `--forever` runs until Ctrl-C and still loses nothing.

use crossbeam_channel::Receiver;
use demo_kit::cli::Args;
use demo_kit::say::{heading, say, step};
use demo_kit::{bail_msg, Context, Result, Side};
use producer_consumer_demo::{pitfall, procs, threads, Tally};
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
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
  --items N       items per producer (default 50)
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
        return bail_msg("--producers and --consumers must be between 1 and 32");
    }
    if capacity == 0 || delay > Duration::from_secs(1) {
        return bail_msg("--capacity must be at least 1 and --delay-ms at most 1000");
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

/// Installs the Ctrl-C handler; the closure only sends on a channel, the
/// program reacts in its normal flow.
fn install_ctrlc() -> Result<Receiver<()>> {
    let (tx, rx) = crossbeam_channel::unbounded();
    ctrlc::set_handler(move || {
        let _ = tx.send(());
    })
    .context("installing the Ctrl-C handler")?;
    Ok(rx)
}

fn threads_forever(cfg: &threads::Config, ctrl_c: &Receiver<()>) -> Result<()> {
    heading("threads until Ctrl-C");
    let stop = AtomicBool::new(false);
    let live = threads::Live::default();
    let report = std::thread::scope(|s| {
        let worker = s.spawn(|| threads::run(cfg, &stop, &live));
        say(
            Side::Parent,
            format!(
                "{} producers and {} consumers running, queue of {}: press Ctrl-C (SIGINT) to stop",
                cfg.producers, cfg.consumers, cfg.capacity
            ),
        );
        // Wait for the signal, printing progress once a second meanwhile.
        while ctrl_c.recv_timeout(Duration::from_secs(1)).is_err() {
            let (p, c) = (
                live.produced.load(Ordering::Relaxed),
                live.consumed.load(Ordering::Relaxed),
            );
            say(
                Side::Note,
                format!(
                    "so far: produced {p}, consumed {c}, in the queue or in hand {}",
                    p - c.min(p)
                ),
            );
        }
        say(
            Side::Parent,
            "Ctrl-C: telling the producers to stop; the consumers drain the queue",
        );
        stop.store(true, Ordering::SeqCst);
        worker
            .join()
            .map_err(|_| demo_kit::Error::msg("a producer or consumer thread panicked"))
    })?;
    show_threads(cfg, &report)
}

fn procs_forever(cfg: &threads::Config, ctrl_c: &Receiver<()>) -> Result<()> {
    heading("processes until Ctrl-C");
    let pcfg = procs::Config {
        producers: cfg.producers,
        consumers: cfg.consumers,
        items_per_producer: None,
        consume_delay: cfg.consume_delay,
    };
    let report = procs::run(&pcfg, |rep| {
        say(
            Side::Parent,
            format!(
                "forked consumers {:?} and producers {:?}; they ignore SIGINT",
                rep.consumer_pids, rep.producer_pids
            ),
        );
        say(Side::Parent, "running: press Ctrl-C (SIGINT) to stop");
        let _ = ctrl_c.recv();
        say(
            Side::Parent,
            "Ctrl-C: sending SIGTERM to the producers; the consumers drain the queue",
        );
    })?;
    show_procs(&report)
}

fn show_threads(cfg: &threads::Config, r: &threads::Report) -> Result<()> {
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

fn show_procs(r: &procs::Report) -> Result<()> {
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

fn ctrlc_pitfall(fired: Receiver<()>) -> Result<()> {
    heading("ctrlc's handler in a forked child");
    say(
        Side::Note,
        "this process installed a ctrlc handler; now it forks children that inherit it",
    );
    let quiet = Duration::from_secs(1);
    step(1, "a child that keeps the inherited handler");
    let f = pitfall::run(false, &fired, quiet)?;
    say(
        Side::Parent,
        format!(
            "kill({}, SIGINT): my own Ctrl-C handler ran: {}; child still alive: {}",
            f.pid, f.parent_handler_ran_on_sigint, f.alive_after_sigint
        ),
    );
    say(
        Side::Parent,
        format!(
            "kill({}, SIGTERM): my handler ran: {}; the child died of it: {}",
            f.pid, f.parent_handler_ran_on_sigterm, f.killed_by_sigterm
        ),
    );
    if f.alive_after_sigint && !f.killed_by_sigterm && !f.parent_handler_ran_on_sigint {
        say(Side::Note, "the child silently ignored both: its handler posted its own copy of ctrlc's semaphore, and no thread waits on it there");
    }
    say(
        Side::Parent,
        format!("it finally died of {:?} and was reaped", f.ended_by),
    );
    step(
        2,
        "a child that resets SIGINT to ignore and SIGTERM to the default",
    );
    let f = pitfall::run(true, &fired, quiet)?;
    say(
        Side::Parent,
        format!(
            "kill({}, SIGINT): my handler ran: {}; child still alive (ignoring it): {}",
            f.pid, f.parent_handler_ran_on_sigint, f.alive_after_sigint
        ),
    );
    say(
        Side::Parent,
        format!(
            "kill({}, SIGTERM): my handler ran: {}; the child died of it: {} ({:?}); reaped",
            f.pid, f.parent_handler_ran_on_sigterm, f.killed_by_sigterm, f.ended_by
        ),
    );
    Ok(())
}
