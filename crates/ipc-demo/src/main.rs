//! `cargo run -p ipc-demo`: the course's IPC机制 chapter, step by step.
//!
//! The story: processes do not share memory, so to talk they need the
//! kernel to carry the bytes. First a pipe, and the bug every beginner
//! writes with it (the parent keeps its write end, so end-of-file never
//! comes); then a socket pair carrying framed messages to a child worker;
//! then shared memory, the one place where processes *do* share a page;
//! and last a channel, which looks like IPC but cannot cross `fork()`.
//! Each step is one scenario file that makes the calls and narrates them.

use demo_kit::cli::Args;
use demo_kit::say::{heading, say, step};
use demo_kit::{Result, Side};
use ipc_demo::{channel, pipe, shm, socketpair};
use std::process::ExitCode;
use std::time::Duration;

const HELP: &str = "\
ipc-demo: how processes talk (the course's IPC机制)

USAGE: cargo run -p ipc-demo -- [--wait-ms N] [--children N] [--increments N]

Steps:
  1. a pipe where the parent forgets to close its write end: no EOF, ever
  2. the same pipe with the write end closed: EOF as soon as the child exits
  3. a socket pair carrying framed JSON-header messages to a child worker and back
  4. a MAP_SHARED counter next to a MAP_PRIVATE one, incremented by several children
  5. crossbeam-channel across fork(): the value never arrives

OPTIONS:
  --wait-ms N      how long to wait for EOF / a message that never comes
                   (default 500, 10..=60000)
  --children N     processes incrementing the counters in step 4 (default 4, 1..=64)
  --increments N   increments per child in step 4 (default 100000, 1..=10000000)
  -h, --help       this text";

/// The requests the parent sends its worker in step 3: three it knows, and
/// one it does not (the worker answers with an error, and lives on).
const REQUESTS: [(&str, &[u8]); 4] = [
    ("upper", b"hello worker"),
    ("reverse", b"stressed"),
    ("count", b"how long is this?"),
    ("fly", b"?"),
];

fn main() -> ExitCode {
    demo_kit::fail::run(run)
}

fn run() -> Result<()> {
    let mut args = Args::parse(HELP);
    let wait = Duration::from_millis(args.value_in("--wait-ms", 10..=60_000, 500)?);
    let children = args.value_in("--children", 1..=64, 4)?;
    let increments = args.value_in("--increments", 1..=10_000_000, 100_000)?;
    args.finish()?;

    heading("pipe (Python: multiprocessing.Pipe(duplex=False))");
    step(1, "the parent forgets to close its write end");
    pipe::run(false, wait)?;
    step(2, "the fix: the parent closes its write end before reading");
    pipe::run(true, wait)?;

    heading("socket pair (Python: multiprocessing.Pipe())");
    step(3, "a child worker answers framed requests");
    socketpair::run(&REQUESTS)?;

    heading("shared memory (Python: multiprocessing.Value)");
    step(4, "MAP_SHARED vs MAP_PRIVATE after fork()");
    shm::run(children, increments)?;

    heading("not IPC: crossbeam-channel (Python: queue.Queue)");
    step(5, "a channel across fork()");
    channel::run(42, wait)?;
    say(Side::Note, "done: every child was reaped");
    Ok(())
}
