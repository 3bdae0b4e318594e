//! Watch 粘包 ("sticky packets") happen on your own kernel.
//!
//! TCP is a byte stream: it keeps every byte, in order, and forgets where
//! one `send()` ended and the next began. So five small writes come out of
//! one `recv(1024)` stuck together (`merge`), even with Nagle's algorithm
//! off (`nodelay`), and one long reply needs several reads whose last one
//! is glued to the next reply (`split`). UDP keeps each datagram apart —
//! but silently cuts one larger than the receive buffer (`udp`).
//!
//! Each scenario runs a real client and server on 127.0.0.1 (a port the
//! kernel picks) in this one process; its file in `src/` makes the calls
//! and narrates them in order.

use demo_kit::cli::Args;
use demo_kit::Result;
use std::process::ExitCode;
use sticky_demo::{merge, split, udp, DATAGRAMS, SMALL_MESSAGES};

const HELP: &str = "\
sticky-demo: TCP's \"sticky packets\" (粘包), live on your kernel

USAGE:
    cargo run -p sticky-demo [SCENARIO] [OPTIONS]

SCENARIOS (default: all four, in this order):
    merge     several small write()s arrive in one read()
    split     a reply longer than recv(1024) needs several reads;
              its tail is what the next reply appears to start with
    nodelay   merge again with TCP_NODELAY on: Nagle is not the cause
    udp       three datagrams, three receives: UDP keeps boundaries;
              then a 1500-byte datagram into recv(1024): cut (MSG_TRUNC)

OPTIONS:
    --buffer N   the client's receive buffer in split (default 1024)
    --size N     the long reply's size in split (default 2500, max 65536:
                 both replies must fit in the socket buffers before the read)
    --lang L     the language: en or zh (default: from LC_ALL, LC_MESSAGES, LANG)
    -h, --help   this text

Lesson: docs/05-sticky-packets.md";

const HELP_ZH: &str = "\
sticky-demo：TCP 的粘包，在你自己机器的内核上现场演示

用法：
    cargo run -p sticky-demo [场景] [选项]

场景（默认四个都跑，按下面的顺序）：
    merge     几次小的 write()，一次 read() 全部收到
    split     比 recv(1024) 长的回复要读好几次；
              它的尾巴，看上去就像下一个回复的开头
    nodelay   打开 TCP_NODELAY 再做一次 merge：原因不在 Nagle 算法
    udp       三个数据报，接收三次：UDP 保留消息边界；
              再把 1500 字节的数据报收进 recv(1024)：被截断（MSG_TRUNC）

选项：
    --buffer N   split 里客户端的接收缓冲区大小（默认 1024）
    --size N     split 里长回复的大小（默认 2500，最大 65536：
                 读之前，两个回复都要放得进套接字缓冲区）
    --lang L     输出语言：en 或 zh（默认看 LC_ALL、LC_MESSAGES、LANG）
    -h, --help   显示本帮助

对应课程：docs/zh-CN/05-sticky-packets.md";

/// The oversized datagram of the `udp` scenario: a common Ethernet MTU.
const BIG_DATAGRAM: usize = 1500;

fn main() -> ExitCode {
    demo_kit::fail::run(run)
}

fn run() -> Result<()> {
    let mut args = Args::parse((HELP, HELP_ZH));
    let buffer = args.value_in("--buffer", 1..=16 << 20, 1024)?;
    let size = args.value_in("--size", 1..=65536, 2500)?;
    let known = ["merge", "split", "nodelay", "udp", "all"];
    let scenario = args.subcommand(&known, "all")?;
    args.finish()?;
    match scenario {
        "merge" => merge_small_sends(),
        "split" => split_long_reply(size, buffer),
        "nodelay" => merge_without_nagle(),
        "udp" => datagrams(),
        _ => {
            merge_small_sends()?;
            split_long_reply(size, buffer)?;
            merge_without_nagle()?;
            datagrams()
        }
    }
}

/// Five `write()`s, one `read()`: `src/merge.rs`.
fn merge_small_sends() -> Result<()> {
    merge::run(&SMALL_MESSAGES, false).map(drop)
}

/// One long reply, a small buffer: `src/split.rs`.
fn split_long_reply(size: usize, buffer: usize) -> Result<()> {
    split::run(size, buffer).map(drop)
}

/// The same five writes with `TCP_NODELAY`: `src/merge.rs`.
fn merge_without_nagle() -> Result<()> {
    merge::run(&SMALL_MESSAGES, true).map(drop)
}

/// Datagrams keep their boundaries, and lose what does not fit: `src/udp.rs`.
fn datagrams() -> Result<()> {
    udp::run(&DATAGRAMS, BIG_DATAGRAM).map(drop)
}
