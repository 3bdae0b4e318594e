//! `cargo run -p io-models-demo`: the course's I/O models (IO模型), live.
//! A blocking `recv` sleeps; a non-blocking one says `EAGAIN` and a busy
//! loop burns the CPU; one thread serves several clients with `select`,
//! `poll` and `epoll`; `select` refuses fd 1024; one call's cost grows with
//! the sockets watched, except `epoll_wait`'s; `EPOLLET` stalls on a partial
//! read until we read up to `EAGAIN`.

mod show;

use demo_kit::cli::Args;
use demo_kit::say::{heading, step};
use demo_kit::{bail_msg, tr, Result};
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
  --lang L       the language: en or zh (default: from LC_ALL, LC_MESSAGES, LANG)
  -h, --help     this text";

const HELP_ZH: &str = "\
io-models-demo：阻塞、非阻塞和多路复用的 I/O（课程里的 IO模型）

用法：cargo run -p io-models-demo -- [--wait-ms N] [--clients N] [--idle LIST]

步骤：
  1. 阻塞IO：一个要等待的 recv；从 /proc 看线程的状态和 wchan
  2. 非阻塞IO：O_NONBLOCK、EAGAIN，以及忙轮询的代价
  3. IO多路复用：一个线程用 select、poll、epoll 服务多个客户端
  4. select 的 FD_SETSIZE：fd 1024 被拒绝；poll 和 epoll 都能接受
  5. 很多空闲套接字加一个活跃套接字时，一次调用的开销
  6. epoll 的水平触发（LT）与边缘触发（ET，EPOLLET）：卡住的情形，以及解决办法

选项：
  --wait-ms N    第 1-2 步里消息推迟多久才发，以及第 6 步里卡住时等多久
                 （默认 300，10..=10000）
  --clients N    第 3 步里单线程服务端的客户端个数（默认 3，1..=100）
  --idle LIST    第 5 步的空闲套接字个数（默认 10,1000,10000；每个 1..=15000）
  --lang L       输出语言：en 或 zh（默认看 LC_ALL、LC_MESSAGES、LANG）
  -h, --help     显示本帮助";

fn main() -> ExitCode {
    demo_kit::fail::run(run)
}

fn run() -> Result<()> {
    let mut args = Args::parse((HELP, HELP_ZH));
    let wait = Duration::from_millis(args.value::<u64>("--wait-ms")?.unwrap_or(300));
    let clients = args.value::<usize>("--clients")?.unwrap_or(3);
    let idle = parse_idle(
        args.value::<String>("--idle")?
            .as_deref()
            .unwrap_or("10,1000,10000"),
    )?;
    args.finish()?;
    if wait < Duration::from_millis(10) || wait > Duration::from_secs(10) {
        return bail_msg(tr!(
            "--wait-ms must be between 10 and 10000; see --help",
            "--wait-ms 必须在 10 到 10000 之间；见 --help"
        ));
    }
    if !(1..=100).contains(&clients) {
        return bail_msg(tr!(
            "--clients must be between 1 and 100; see --help",
            "--clients 必须在 1 到 100 之间；见 --help"
        ));
    }

    heading(tr!("blocking I/O (阻塞IO)", "阻塞IO"));
    step(1, tr!("a recv that waits", "一个要等待的 recv"));
    let blocking_cpu = show::blocking(wait)?;
    heading(tr!("non-blocking I/O (非阻塞IO)", "非阻塞IO"));
    step(
        2,
        tr!(
            "O_NONBLOCK: recv says EAGAIN, and a busy loop waits",
            "O_NONBLOCK：recv 返回 EAGAIN，忙轮询来等"
        ),
    );
    show::nonblocking(wait, blocking_cpu)?;
    heading(tr!("I/O multiplexing (IO多路复用)", "IO多路复用"));
    step(
        3,
        tr!(
            "one thread, several clients: select, poll, epoll",
            "一个线程，多个客户端：select、poll、epoll"
        ),
    );
    show::multiplex(clients)?;
    step(
        4,
        tr!(
            "select's FD_SETSIZE: a socket numbered 1024",
            "select 的 FD_SETSIZE：编号为 1024 的套接字"
        ),
    );
    show::fdsetsize()?;
    step(
        5,
        tr!(
            "the cost of one call: many idle sockets, one active",
            "一次调用的开销：很多空闲套接字，一个活跃的"
        ),
    );
    show::cost(&idle)?;
    step(
        6,
        tr!(
            "epoll: level-triggered against edge-triggered (EPOLLET)",
            "epoll：水平触发（LT）与边缘触发（ET，EPOLLET）"
        ),
    );
    show::edge(wait)?;
    Ok(())
}

fn parse_idle(list: &str) -> Result<Vec<usize>> {
    let mut sizes = Vec::new();
    for word in list.split(',') {
        match word.trim().parse::<usize>() {
            Ok(n) if (1..=15_000).contains(&n) => sizes.push(n),
            _ => {
                return bail_msg(tr!(
                    "--idle: bad count {word:?}: each must be 1..=15000; see --help",
                    "--idle：个数 {word:?} 不对：每个都必须在 1..=15000 之内；见 --help"
                ))
            }
        }
    }
    Ok(sizes)
}
