//! The cure for 粘包 (sticky packets), narrated from real reads on a real
//! TCP connection.
//!
//! TCP keeps bytes, not messages. So the course puts a fixed 4-byte length
//! before each message (`struct.pack('i', n)`, 自定义报头), then a JSON
//! header with `total_size`, then the body: the reader always knows how
//! many bytes to read next. `merge` shows frames stuck together in the
//! kernel yet read back one by one; `split` a reply longer than
//! `recv(1024)` arriving whole without eating the next; `course-header` the
//! notes' own header, byte for byte. One file per scenario in `src/`.

use demo_kit::cli::Args;
use demo_kit::say::say;
use demo_kit::{tr, Context, Result, Side};
use framing::Codec;
use length_prefix_demo::tell::order_words;
use length_prefix_demo::{codec, course, merge, python_format, split, SMALL_MESSAGES};
use std::process::ExitCode;

const HELP: &str = "\
length-prefix-demo: the cure for sticky packets (粘包) — a 4-byte length, a header, a body

USAGE:
    cargo run -p length-prefix-demo [SCENARIO] [--network] [--size BYTES]

SCENARIOS (default: all three, in this order):
    merge          small frames written back to back are all queued at once,
                   yet each comes out exactly as sent
    split          a reply longer than recv(1024) arrives whole, and the next
                   reply is intact
    course-header  the notes' header dictionary (507 bytes -> fb 01 00 00)
                   and a real header + body message, byte by byte

OPTIONS:
    --network      use network byte order ('!I', big-endian) for the prefix
                   instead of the course's struct.pack('i') (little-endian)
    --size BYTES   size of the long reply in `split` (default 3000, max 16777216)
    --lang L       the language: en or zh (default: from LC_ALL, LC_MESSAGES, LANG)
    -h, --help     print this help

Everything runs in one process: a server socket and a client thread on
127.0.0.1 with a port the kernel picks. Set NO_COLOR=1 to turn colours off.";

const HELP_ZH: &str = "\
length-prefix-demo：粘包的解决办法——4 字节的长度、一个报头、一段正文

用法：
    cargo run -p length-prefix-demo [场景] [--network] [--size BYTES]

场景（默认三个都跑，按下面的顺序）：
    merge          紧挨着连发的几个小帧一下子全排在接收队列里，
                   但每一帧读出来都和发送时一模一样
    split          比 recv(1024) 长的回复完整收到，下一个回复也完好无损
    course-header  笔记里的报头字典（507 字节 -> fb 01 00 00），
                   以及一条真实的报头 + 正文消息，逐字节展示

选项：
    --network      长度前缀用网络字节序（'!I'，大端），
                   而不是课程里的 struct.pack('i')（小端）
    --size BYTES   split 里长回复的大小（默认 3000，最大 16777216）
    --lang L       输出语言：en 或 zh（默认看 LC_ALL、LC_MESSAGES、LANG）
    -h, --help     显示本帮助

全部在一个进程里完成：一个服务端套接字加一个客户端线程，地址 127.0.0.1，
端口由内核挑选。设置 NO_COLOR=1 可以关掉颜色。

对应课程：docs/zh-CN/06-length-prefix.md";

fn main() -> ExitCode {
    demo_kit::fail::run(run)
}

fn run() -> Result<()> {
    let mut args = Args::parse((HELP, HELP_ZH));
    let network = args.flag("--network");
    let size = args.value_in("--size", 0..=16 << 20, 3000)?;
    let scenario = args.subcommand(&["merge", "split", "course-header", "all"], "all")?;
    args.finish()?;
    let codec = codec(network);
    announce_the_prefix(codec);
    if matches!(scenario, "merge" | "all") {
        frames_stuck_together(codec)?;
    }
    if matches!(scenario, "split" | "all") {
        a_reply_longer_than_recv(codec, size)?;
    }
    if matches!(scenario, "course-header" | "all") {
        the_notes_header(codec)?;
    }
    Ok(())
}

/// Which 4 bytes will carry each length.
fn announce_the_prefix(codec: Codec) {
    let (format, words) = (python_format(codec.prefix()), order_words(codec.prefix()));
    say(
        Side::Note,
        tr!(
            "prefix: 4 bytes, {format} — {words}",
            "长度前缀：4 字节，{format}——{words}"
        ),
    );
}

/// Five frames queued at once, read back one by one: `src/merge.rs`.
fn frames_stuck_together(codec: Codec) -> Result<()> {
    merge::run(codec, &SMALL_MESSAGES)
        .context("merge")
        .map(drop)
}

/// A long reply read whole, the next one intact: `src/split.rs`.
fn a_reply_longer_than_recv(codec: Codec, size: usize) -> Result<()> {
    split::run(codec, size).context("split").map(drop)
}

/// The notes' own header, and a real header + body: `src/course.rs`.
fn the_notes_header(codec: Codec) -> Result<()> {
    course::run(codec).context("course-header").map(drop)
}
