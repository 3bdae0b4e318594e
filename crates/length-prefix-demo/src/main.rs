//! `cargo run -p length-prefix-demo [merge|split|course-header] [--network]`
//!
//! The cure for 粘包 (sticky packets), narrated from real reads on a real
//! TCP connection: every message gets a 4-byte length prefix (the course's
//! `struct.pack('i', n)`), so the receiver always knows where it ends.
//! Each scenario lives in its own library file (`src/merge.rs`,
//! `src/split.rs`, `src/course.rs`): `run()` makes the system calls and
//! returns what happened, `tell()` narrates it. This file only picks them.

use demo_kit::cli::Args;
use demo_kit::say::say;
use demo_kit::{Context, Error, Result, Side};
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
    -h, --help     print this help

Everything runs in one process: a server socket and a client thread on
127.0.0.1 with a port the kernel picks. Set NO_COLOR=1 to turn colours off.";

const SCENARIOS: [&str; 3] = ["merge", "split", "course-header"];

fn main() -> ExitCode {
    demo_kit::fail::run(run)
}

fn run() -> Result<()> {
    let mut args = Args::parse(HELP);
    let network = args.flag("--network");
    let size = args.value::<usize>("--size")?.unwrap_or(3000);
    if size > 16 << 20 {
        return demo_kit::bail_msg(format!(
            "--size {size} is too large: at most 16777216 bytes; see --help"
        ));
    }
    let chosen = args.positional();
    args.finish()?;
    let scenarios: Vec<&str> = match chosen.as_deref() {
        None | Some("all") => SCENARIOS.to_vec(),
        Some(s) if SCENARIOS.contains(&s) => vec![s],
        Some(other) => {
            return Err(Error::msg(format!(
                "unknown scenario {other:?}: choose merge, split or course-header; see --help"
            ))
            .with_exit_code(2))
        }
    };
    let codec = codec(network);
    say(
        Side::Note,
        format!(
            "prefix: 4 bytes, {} — {}",
            python_format(codec.prefix()),
            order_words(codec.prefix())
        ),
    );
    for s in scenarios {
        match s {
            "merge" => merge::run(codec, &SMALL_MESSAGES).context("merge")?.tell(),
            "split" => split::run(codec, size).context("split")?.tell(),
            _ => course::run(codec).context("course-header")?.tell(),
        }
    }
    Ok(())
}
