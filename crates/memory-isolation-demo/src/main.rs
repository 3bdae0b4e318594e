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
    --lang L      the language: en or zh (default: from LC_ALL, LC_MESSAGES, LANG)
    -h, --help    this text
";

const HELP_ZH: &str = "\
memory-isolation-demo：进程间的内存空间是彼此隔离的

用法：
    cargo run -p memory-isolation-demo

依次跑三步，然后退出：课程里 x = 100 的例子（用子进程改 x），
同样的修改换成线程来做，以及写时复制（同一个地址上有两个不同的值；
在 Linux 上还会显示页表；进程有 CAP_SYS_ADMIN 时（比如 root），
连物理页框号也能看到）。

选项：
    --lang L      输出语言：en 或 zh（默认看 LC_ALL、LC_MESSAGES、LANG）
    -h, --help    显示本帮助

对应课程：docs/zh-CN/10-memory-isolation.md
";

fn main() -> ExitCode {
    demo_kit::fail::run(run)
}

fn run() -> demo_kit::Result<()> {
    use demo_kit::say::step;
    use demo_kit::tr;
    use memory_isolation_demo::{cow, isolation, X};

    demo_kit::cli::Args::parse((HELP, HELP_ZH)).finish()?;
    step(
        1,
        tr!(
            "the course's x = 100: the child sets x = 0",
            "课程里的 x = 100：子进程把 x 设成 0"
        ),
    );
    isolation::change_in_child(&X)?;
    step(
        2,
        tr!(
            "the contrast: a thread sets x = 0",
            "对照：换成线程把 x 设成 0"
        ),
    );
    isolation::change_in_thread(&X)?;
    step(
        3,
        tr!(
            "copy-on-write: the same address, two values",
            "写时复制：同一个地址，两个值"
        ),
    );
    cow::copy_on_write(&X, 1)?;
    demo_kit::child::end_with_no_child_left(Some(&tr!(
        "every child was reaped",
        "所有子进程都已回收"
    )))
}
