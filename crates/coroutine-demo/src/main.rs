//! `cargo run -p coroutine-demo`: 协程, the program switching and saving the
//! state itself, in seven steps: a state machine by hand and as `async fn`;
//! stackful coroutines with `swapcontext`; the cost of a switch; a runtime
//! on epoll, narrated for two clients; an echo server on one thread;
//! computation, which gains nothing; and Python beside it all.

mod show;

use demo_kit::cli::Args;
use demo_kit::say::{heading, step};
use demo_kit::Result;
use std::process::ExitCode;

const HELP: &str = "\
coroutine-demo: 协程 — switching and saving the state in user space

USAGE: cargo run -p coroutine-demo -- [STEP] [OPTIONS]

STEP (default: all, in this order):
  state      1. a producer/consumer as an enum + match, then as async fn
                (the size of its state machine next to a thread's stack)
  stackful   2. two coroutines with their own stacks (swapcontext, like greenlet)
  switch     3. the cost of one switch: process, thread, swapcontext, future
  runtime    4. our runtime on epoll, every poll/Pending/epoll_wait/wake
                printed, for an echo server and two clients on one thread
  echo       5. the echo server on one thread against client threads, one
                of which vanishes mid-frame
  cpu        6. computation split into coroutines: no faster
  python     7. generators, asyncio, greenlet and gevent (if installed)
  all        every step

OPTIONS:
  --switches N   round trips for step 3's process and thread rows
                 (default 20000, 1000..=1000000; swapcontext and futures do 10x)
  --clients N    clients of step 5 (default 8, 1..=500)
  --frames N     frames per client in step 5 (default 50, 1..=100000)
  --limit N      step 6 counts the primes below N (default 300000, 10000..=50000000)
  --tasks N      step 6 splits the work into N coroutines (default 4, 1..=1000)
  -h, --help     this text";

const STEPS: [&str; 8] = [
    "state", "stackful", "switch", "runtime", "echo", "cpu", "python", "all",
];

fn main() -> ExitCode {
    demo_kit::fail::run(run)
}

fn run() -> Result<()> {
    let mut args = Args::parse(HELP);
    let switches = args.value_in("--switches", 1_000..=1_000_000, 20_000u64)?;
    let clients = args.value_in("--clients", 1..=500, 8usize)?;
    let frames = args.value_in("--frames", 1..=100_000, 50u64)?;
    let limit = args.value_in("--limit", 10_000..=50_000_000, 300_000u64)?;
    let tasks = args.value_in("--tasks", 1..=1_000, 4u64)?;
    let which = args.subcommand(&STEPS, "all")?;
    args.finish()?;
    let all = which == "all";
    let mut python = None;
    if all || which == "state" {
        heading("switching and saving state by hand (切换+保存状态)");
        step(1, "a producer and a consumer: enum + match, then async fn");
        show::state()?;
    }
    if all || which == "stackful" {
        heading("stackful coroutines, like greenlet");
        step(2, "two coroutines, two stacks, swapcontext");
        show::stackful()?;
    }
    if all || which == "switch" {
        heading("the cost of a switch");
        step(3, "two parties hand the turn back and forth");
        python = Some(show::switch(switches)?);
    }
    if all || which == "runtime" {
        heading("a runtime on epoll (遇到IO自动切换, made visible)");
        step(4, "an echo server and two clients, all tasks on one thread");
        show::runtime()?;
    }
    if all || which == "echo" {
        heading("async sockets: an echo server on one thread");
        step(
            5,
            "client threads against one server thread; one client vanishes mid-frame",
        );
        show::echo(clients, frames)?;
    }
    if all || which == "cpu" {
        heading("computation gains nothing");
        step(
            6,
            "counting primes: serial, coroutines on one thread, threads",
        );
        show::cpu(limit, tasks)?;
    }
    if all || which == "python" {
        heading("Python side by side");
        step(7, "generators, asyncio, greenlet, gevent");
        let report = match python {
            Some(r) => r,
            None => show::python_run(switches)?,
        };
        show::python(&report);
    }
    Ok(())
}
