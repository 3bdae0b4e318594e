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
use demo_kit::{bail_msg, tr, Result};
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
  --lang L        the language: en or zh (default: from LC_ALL, LC_MESSAGES, LANG)
  -h, --help      this text";

const HELP_ZH: &str = "\
producer-consumer-demo：生产者、消费者和一个有界队列（生产者与消费者模型）

用法：
  cargo run -p producer-consumer-demo                         先跑线程，再跑进程；自己结束
  cargo run -p producer-consumer-demo -- --forever            线程一直运行到按 Ctrl-C，然后取空队列并清点
  cargo run -p producer-consumer-demo -- --forever --processes   同上，换成进程
  cargo run -p producer-consumer-demo -- --ctrlc-pitfall      ctrlc 的处理函数在 fork 出的子进程里会怎样

选项：
  --producers N   生产者个数（默认 3）         --consumers N  消费者个数（默认 2）
  --items N       每个生产者生产的数据项个数（默认 50，最多 1000000）
  --capacity N    反压那一步里队列的上限（默认 4）
  --delay-ms N    每个消费者处理一个数据项要花的毫秒数（默认 2）
  --lang L        输出语言：en 或 zh（默认看 LC_ALL、LC_MESSAGES、LANG）
  -h, --help      显示本帮助";

fn main() -> ExitCode {
    demo_kit::fail::run(run)
}

fn run() -> Result<()> {
    let mut a = Args::parse((HELP, HELP_ZH));
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
        return bail_msg(tr!("--processes goes with --forever (the default run does threads, then processes); see --help", "--processes 要和 --forever 一起用（默认运行先跑线程，再跑进程）；见 --help"));
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
    heading(tr!(
        "threads and a bounded crossbeam-channel (Python: queue.Queue(maxsize))",
        "线程和有界的 crossbeam-channel（Python：queue.Queue(maxsize)）"
    ));
    step(
        1,
        tr!(
            "a queue big enough for everything: nobody waits",
            "队列大到能装下所有东西：谁也不用等"
        ),
    );
    threads::run_to_completion(&cfg.with_capacity(producers * items as usize + 1))?;
    step(
        2,
        tr!(
            "a queue of {capacity} and slow consumers: back-pressure",
            "队列只能放 {capacity} 个，消费者又慢：反压"
        ),
    );
    threads::run_to_completion(&cfg)?;

    heading(tr!(
        "processes and a socket pair (Python: multiprocessing.JoinableQueue)",
        "进程和套接字对（Python：multiprocessing.JoinableQueue）"
    ));
    step(
        3,
        tr!(
            "producer and consumer processes; the queue is a SOCK_SEQPACKET socket pair",
            "生产者进程和消费者进程；队列是一个 SOCK_SEQPACKET 套接字对"
        ),
    );
    procs::run(&procs::Config::from(&cfg), |_| {}).map(drop)
}
