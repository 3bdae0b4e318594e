//! `cargo run -p memory-isolation-demo`: 进程间的内存空间是彼此隔离的.
//!
//! The story, in three steps: the course's `x = 100` — a child sets
//! `x = 0`, and after `join` the parent still prints 100; the same
//! assignment made by a thread, which the parent does see; and why:
//! copy-on-write — after `fork` the same virtual address holds two values,
//! and the page tables show one physical page split in two on the first
//! write. The demo ends by proving every child was reaped.
//! See docs/10-memory-isolation.md.

use std::process::ExitCode;

const HELP: &str = "\
memory-isolation-demo — 进程间的内存空间是彼此隔离的 (process memory is isolated)

USAGE:
    cargo run -p memory-isolation-demo

Runs three steps and exits: the course's x = 100 example with a child
process, the same change made by a thread, and copy-on-write (the same
address holding two values; Linux also shows the page tables, and the
physical frame numbers to a process with CAP_SYS_ADMIN, such as root).

OPTIONS:
    -h, --help    this text
";

fn main() -> ExitCode {
    demo_kit::fail::run(run)
}

fn run() -> demo_kit::Result<()> {
    use demo_kit::say::step;
    use memory_isolation_demo::{cow, isolation, X};

    demo_kit::cli::Args::parse(HELP).finish()?;
    step(1, "the course's x = 100: the child sets x = 0");
    isolation::change_in_child(&X)?;
    step(2, "the contrast: a thread sets x = 0");
    isolation::change_in_thread(&X)?;
    step(3, "copy-on-write: the same address, two values");
    cow::copy_on_write(&X, 1)?;
    demo_kit::child::end_with_no_child_left(Some("every child was reaped"))
}
