//! `cargo run -p producer-consumer-demo`: the course's 生产者与消费者模型.
//!
//! The story: producers make items, consumers process them, and a queue
//! between them lets each side run at its own speed. First threads on a
//! queue big enough for everything (nobody waits), then on a small one with
//! slow consumers: a full queue makes producers wait (back-pressure). Then
//! the same with processes, whose queue must be a kernel object (a
//! `SOCK_SEQPACKET` socket pair). Every run ends with produced = consumed,
//! checked with a checksum. `--forever` runs until Ctrl-C and still loses
//! nothing; `--ctrlc-pitfall` shows what `ctrlc`'s handler does after fork.

use demo_kit::cli::Args;
use demo_kit::say::{heading, step};
use demo_kit::{bail_msg, Result};
use producer_consumer_demo::forever::{self, install_ctrlc};
use producer_consumer_demo::{procs, threads};
use std::process::ExitCode;
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
    let pitfall = a.flag("--ctrlc-pitfall");
    let producers = a.value_in("--producers", 1..=32, 3)?;
    let consumers = a.value_in("--consumers", 1..=32, 2)?;
    let items = a.value_in("--items", 0..=1_000_000, 50)?;
    let capacity = a.value_in("--capacity", 1..=1_000_000, 4)?;
    let consume_delay = Duration::from_millis(a.value_in("--delay-ms", 0..=1000, 2)?);
    a.finish()?;
    if processes && !forever {
        return bail_msg("--processes goes with --forever (the default run does threads, then processes); see --help");
    }
    let items_per_producer = Some(items);
    let cfg = threads::Config {
        producers,
        consumers,
        items_per_producer,
        capacity,
        consume_delay,
    };
    if pitfall {
        return forever::ctrlc_pitfall(install_ctrlc()?);
    }
    if forever {
        return forever::until_ctrl_c(cfg, processes);
    }
    heading("threads and a bounded crossbeam-channel (Python: queue.Queue(maxsize))");
    step(1, "a queue big enough for everything: nobody waits");
    threads::run_to_completion(&cfg.with_capacity(producers * items as usize + 1))?;
    step(
        2,
        format!("a queue of {capacity} and slow consumers: back-pressure"),
    );
    threads::run_to_completion(&cfg)?;

    heading("processes and a socket pair (Python: multiprocessing.JoinableQueue)");
    step(
        3,
        "producer and consumer processes; the queue is a SOCK_SEQPACKET socket pair",
    );
    procs::run(&procs::Config::from(&cfg), |_| {}).map(drop)
}
