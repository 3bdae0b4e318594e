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
use demo_kit::{tr, Result, Side};
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
  --lang L         the language: en or zh (default: from LC_ALL, LC_MESSAGES, LANG)
  -h, --help       this text";

const HELP_ZH: &str = "\
ipc-demo：进程之间怎样通信（课程里的 IPC机制）

用法：cargo run -p ipc-demo -- [--wait-ms N] [--children N] [--increments N]

步骤：
  1. 父进程忘了关闭管道的写端：永远等不到 EOF
  2. 同一个管道，关掉写端：子进程一退出就读到 EOF
  3. 一个套接字对，把带 JSON 报头的帧发给子进程 worker，再把回复带回来
  4. 一个 MAP_SHARED 计数器和一个 MAP_PRIVATE 计数器，由几个子进程一起加
  5. 跨越 fork() 的 crossbeam-channel：值永远到不了

选项：
  --wait-ms N      等待一个永远不会来的 EOF 或消息要等多久
                   （默认 500，10..=60000）
  --children N     第 4 步里给计数器加数的进程数（默认 4，1..=64）
  --increments N   第 4 步里每个子进程加多少次（默认 100000，1..=10000000）
  --lang L         输出语言：en 或 zh（默认看 LC_ALL、LC_MESSAGES、LANG）
  -h, --help       显示本帮助";

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
    let mut args = Args::parse((HELP, HELP_ZH));
    let wait = Duration::from_millis(args.value_in("--wait-ms", 10..=60_000, 500)?);
    let children = args.value_in("--children", 1..=64, 4)?;
    let increments = args.value_in("--increments", 1..=10_000_000, 100_000)?;
    args.finish()?;

    heading(tr!(
        "pipe (Python: multiprocessing.Pipe(duplex=False))",
        "管道（Python：multiprocessing.Pipe(duplex=False)）"
    ));
    step(
        1,
        tr!(
            "the parent forgets to close its write end",
            "父进程忘了关闭自己的写端"
        ),
    );
    pipe::run(false, wait)?;
    step(
        2,
        tr!(
            "the fix: the parent closes its write end before reading",
            "解决办法：父进程在读之前先关闭自己的写端"
        ),
    );
    pipe::run(true, wait)?;

    heading(tr!(
        "socket pair (Python: multiprocessing.Pipe())",
        "套接字对（Python：multiprocessing.Pipe()）"
    ));
    step(
        3,
        tr!(
            "a child worker answers framed requests",
            "子进程 worker 回答按帧发来的请求"
        ),
    );
    socketpair::run(&REQUESTS)?;

    heading(tr!(
        "shared memory (Python: multiprocessing.Value)",
        "共享内存（Python：multiprocessing.Value）"
    ));
    step(
        4,
        tr!(
            "MAP_SHARED vs MAP_PRIVATE after fork()",
            "fork() 之后的 MAP_SHARED 与 MAP_PRIVATE"
        ),
    );
    shm::run(children, increments)?;

    heading(tr!(
        "not IPC: crossbeam-channel (Python: queue.Queue)",
        "不是 IPC：crossbeam-channel（Python：queue.Queue）"
    ));
    step(5, tr!("a channel across fork()", "跨越 fork() 的 channel"));
    channel::run(42, wait)?;
    say(
        Side::Note,
        tr!("done: every child was reaped", "完成：每个子进程都已回收"),
    );
    Ok(())
}
