//! `cargo run -p ipc-demo`: the course's IPC机制 chapter, step by step.
//! Each step forks real children and narrates what the kernel did.

use demo_kit::cli::Args;
use demo_kit::say::{heading, say, show_bytes, step};
use demo_kit::{bail_msg, Result, Side};
use ipc_demo::socketpair::Talk;
use ipc_demo::{channel, pipe, shm, socketpair};
use serde_json::Value;
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

fn main() -> ExitCode {
    demo_kit::fail::run(run)
}

fn run() -> Result<()> {
    let mut args = Args::parse(HELP);
    let wait = Duration::from_millis(args.value::<u64>("--wait-ms")?.unwrap_or(500));
    let children = args.value::<usize>("--children")?.unwrap_or(4);
    let increments = args.value::<u64>("--increments")?.unwrap_or(100_000);
    args.finish()?;
    if !(1..=64).contains(&children) {
        return bail_msg("--children must be between 1 and 64; see --help");
    }
    if wait < Duration::from_millis(10) || wait > Duration::from_secs(60) {
        return bail_msg("--wait-ms must be between 10 and 60000; see --help");
    }
    if !(1..=10_000_000).contains(&increments) {
        return bail_msg("--increments must be between 1 and 10000000; see --help");
    }

    heading("pipe (Python: multiprocessing.Pipe(duplex=False))");
    step(1, "the parent forgets to close its write end");
    pipe_step(false, wait)?;
    step(2, "the fix: the parent closes its write end before reading");
    pipe_step(true, wait)?;

    heading("socket pair (Python: multiprocessing.Pipe())");
    step(3, "a child worker answers framed requests");
    socketpair_step()?;

    heading("shared memory (Python: multiprocessing.Value)");
    step(4, "MAP_SHARED vs MAP_PRIVATE after fork()");
    shm_step(children, increments)?;

    heading("not IPC: crossbeam-channel (Python: queue.Queue)");
    step(5, "a channel across fork()");
    channel_step(wait)?;
    say(Side::Note, "done: every child was reaped");
    Ok(())
}

fn pipe_step(close_write_end: bool, wait: Duration) -> Result<()> {
    if close_write_end {
        say(
            Side::Parent,
            "pipe(), fork(), then close(write end): I only read",
        );
    } else {
        say(
            Side::Parent,
            "pipe(), fork() — and I keep my copy of the write end open (the bug)",
        );
    }
    let r = pipe::run(close_write_end, wait)?;
    say(
        Side::Parent,
        format!(
            "reaped child {} (exit code {:?}): the writer is gone",
            r.child, r.child_exit
        ),
    );
    say(
        Side::Parent,
        format!(
            "read {} bytes: {}",
            r.received.len(),
            show_bytes(&r.received)
        ),
    );
    if r.eof {
        say(
            Side::Kernel,
            format!(
                "read() returned 0 = end-of-file after {:.1?}: no write end is open anywhere",
                r.waited
            ),
        );
    } else {
        say(
            Side::Kernel,
            format!(
                "no end-of-file after waiting {:.1?}: a write end is still open — my own",
                r.waited
            ),
        );
        say(
            Side::Note,
            "without the timeout, `for line in pipe` / r.recv() would block here forever",
        );
    }
    if let Some(late) = r.eof_after_late_close {
        say(
            Side::Parent,
            format!("closing my write end now... end-of-file: {late}"),
        );
    }
    Ok(())
}

fn socketpair_step() -> Result<()> {
    say(Side::Parent, "UnixStream::pair(), fork(); each side keeps one end; messages are framed: [4-byte length][JSON header][body]");
    let requests: [(&str, &[u8]); 4] = [
        ("upper", b"hello worker"),
        ("reverse", b"stressed"),
        ("count", b"how long is this?"),
        ("fly", b"?"),
    ];
    let r = socketpair::run(&requests, |talk| match talk {
        Talk::Sending(h, body) => say(
            Side::Parent,
            format!(
                "send {} + body {}",
                Value::Object(h.clone()),
                show_bytes(body)
            ),
        ),
        Talk::Got(h, body) => say(
            Side::Parent,
            format!(
                "got  {} + body {}",
                Value::Object(h.clone()),
                show_bytes(body)
            ),
        ),
    })?;
    say(
        Side::Parent,
        format!(
            "closed my end; worker {} saw EOF and exited with code {:?}; reaped",
            r.worker, r.worker_exit
        ),
    );
    Ok(())
}

fn shm_step(children: usize, increments: u64) -> Result<()> {
    say(
        Side::Parent,
        "mmap one MAP_SHARED page and one MAP_PRIVATE page (both anonymous), then fork",
    );
    say(Side::Parent, format!("{children} children each add 1 to both counters (and to a heap variable) {increments} times"));
    let r = shm::run(children, increments)?;
    say(Side::Parent, format!("reaped children {:?}", r.children));
    let all = children as u64 * increments;
    let shared_why = if r.shared == all {
        format!("= {children} x {increments}: one physical page for all")
    } else {
        format!("expected {all}!")
    };
    say(
        Side::Kernel,
        format!(
            "MAP_SHARED  counter in the parent: {} ({shared_why})",
            r.shared
        ),
    );
    let private_why = if r.private == 0 {
        "each child wrote to its own copy-on-write copy"
    } else {
        "expected 0!"
    };
    say(
        Side::Kernel,
        format!(
            "MAP_PRIVATE counter in the parent: {} ({private_why})",
            r.private
        ),
    );
    let heap_why = if r.heap == 0 {
        "ordinary memory is private too: the course's x = 100"
    } else {
        "expected 0!"
    };
    say(
        Side::Kernel,
        format!("heap variable in the parent:       {} ({heap_why})", r.heap),
    );
    say(Side::Note, format!("{} of {children} children saw exactly their own {increments} increments in their private copy", r.children_with_own_copy));
    Ok(())
}

fn channel_step(wait: Duration) -> Result<()> {
    say(
        Side::Parent,
        "crossbeam_channel::unbounded(), fork(); the child sends 42",
    );
    let r = channel::run(42, wait)?;
    let meaning = match r.child_exit {
        Some(0) => "its send() was Ok and its own receiver got the value back",
        Some(3) => "its send() failed or its own receiver did not get the value (unexpected!)",
        _ => "it failed before it could report (unexpected!)",
    };
    say(
        Side::Parent,
        format!(
            "child {} exited with code {:?}: {meaning}",
            r.child, r.child_exit
        ),
    );
    match r.parent_got_from_child {
        None => say(Side::Parent, format!("received nothing from the child within {wait:?}: the child's queue is another process's memory")),
        Some(v) => say(Side::Parent, format!("received {v} from the child (unexpected!)")),
    }
    say(
        Side::Parent,
        format!(
            "a thread sends 42 on a clone of the same sender: received {:?}",
            r.parent_got_from_thread
        ),
    );
    say(Side::Note, "channels are for threads of one process; between processes use a pipe, a socket or shared memory");
    Ok(())
}
