//! `cargo run -p io-models-demo`: the course's I/O models (IO模型), live.
//! A blocking `recv` sleeps; a non-blocking one says `EAGAIN` and a busy
//! loop burns the CPU; one thread serves several clients with `select`,
//! `poll` and `epoll`; `select` refuses fd 1024; one call's cost grows with
//! the sockets watched, except `epoll_wait`'s; `EPOLLET` stalls on a partial
//! read until we read up to `EAGAIN`.

mod show;

use demo_kit::cli::Args;
use demo_kit::say::{heading, step};
use demo_kit::{bail_msg, Result};
use std::process::ExitCode;
use std::time::Duration;

const HELP: &str = "\
io-models-demo: blocking, non-blocking and multiplexed I/O (the course's IO模型)

USAGE: cargo run -p io-models-demo -- [--wait-ms N] [--clients N] [--idle LIST]

Steps:
  1. blocking (阻塞IO): a recv that waits; the thread's state and wchan from /proc
  2. non-blocking (非阻塞IO): O_NONBLOCK, EAGAIN, and what a busy loop costs
  3. multiplexing (IO多路复用): one thread serves several clients with select, poll, epoll
  4. select's FD_SETSIZE: fd 1024 is refused; poll and epoll take it
  5. the cost of one call with many idle sockets and one active
  6. epoll level- against edge-triggered (EPOLLET): the stall, and the fix

OPTIONS:
  --wait-ms N    how long the message is held back in steps 1-2, and the
                 stalled wait in step 6 (default 300, 10..=10000)
  --clients N    clients of the one-thread servers in step 3 (default 3, 1..=100)
  --idle LIST    idle socket counts for step 5 (default 10,1000,10000; each 1..=15000)
  -h, --help     this text";

fn main() -> ExitCode {
    demo_kit::fail::run(run)
}

fn run() -> Result<()> {
    let mut args = Args::parse(HELP);
    let wait = Duration::from_millis(args.value::<u64>("--wait-ms")?.unwrap_or(300));
    let clients = args.value::<usize>("--clients")?.unwrap_or(3);
    let idle = parse_idle(
        args.value::<String>("--idle")?
            .as_deref()
            .unwrap_or("10,1000,10000"),
    )?;
    args.finish()?;
    if wait < Duration::from_millis(10) || wait > Duration::from_secs(10) {
        return bail_msg("--wait-ms must be between 10 and 10000; see --help");
    }
    if !(1..=100).contains(&clients) {
        return bail_msg("--clients must be between 1 and 100; see --help");
    }

    heading("blocking I/O (阻塞IO)");
    step(1, "a recv that waits");
    let blocking_cpu = show::blocking(wait)?;
    heading("non-blocking I/O (非阻塞IO)");
    step(2, "O_NONBLOCK: recv says EAGAIN, and a busy loop waits");
    show::nonblocking(wait, blocking_cpu)?;
    heading("I/O multiplexing (IO多路复用)");
    step(3, "one thread, several clients: select, poll, epoll");
    show::multiplex(clients)?;
    step(4, "select's FD_SETSIZE: a socket numbered 1024");
    show::fdsetsize()?;
    step(5, "the cost of one call: many idle sockets, one active");
    show::cost(&idle)?;
    step(6, "epoll: level-triggered against edge-triggered (EPOLLET)");
    show::edge(wait)?;
    Ok(())
}

fn parse_idle(list: &str) -> Result<Vec<usize>> {
    let mut sizes = Vec::new();
    for word in list.split(',') {
        match word.trim().parse::<usize>() {
            Ok(n) if (1..=15_000).contains(&n) => sizes.push(n),
            _ => {
                return bail_msg(format!(
                    "--idle: bad count {word:?}: each must be 1..=15000; see --help"
                ))
            }
        }
    }
    Ok(sizes)
}
