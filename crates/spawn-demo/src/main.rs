//! `cargo run -p spawn-demo`: 开启进程的两种方式, and what they cost.
//!
//! The story: the course starts a child with `Process(target=task)` or a
//! `Process` subclass, and `p.start()` "only sends the operating system a
//! signal to start a child" — the parent prints 主 at once. On Unix that
//! request is `fork()`: steps 1 and 2 show both ways and measure that the
//! parent runs on. Step 3 is the `spawn` start method (Windows, macOS): a
//! fresh program, re-executed. Step 4 measures 串行/并发/并行 (serial,
//! concurrent, parallel) with two CPU-bound children. `--bench` times each
//! way of starting a child against Python. See docs/08-spawning-processes.md.

use std::process::ExitCode;

const HELP: &str = "\
spawn-demo — 开启进程的两种方式: how multiprocessing.Process starts a child on Unix

USAGE:
    cargo run -p spawn-demo [-- OPTIONS]

OPTIONS:
    --work-ms N   length of one CPU-bound task in the serial/concurrent/parallel
                  step, in milliseconds (default 300, 10..=5000)
    --bench       instead of the tour: median cost of fork+exit+waitpid, of our
                  start()+join(), of re-exec, and of Python's Process (fork and
                  spawn start methods) when python3 is installed
    --runs N      samples for --bench (default 200, 10..=5000)
    --lang L      the language: en or zh (default: from LC_ALL, LC_MESSAGES, LANG)
    -h, --help    this text
";

const HELP_ZH: &str = "\
spawn-demo：开启进程的两种方式——multiprocessing.Process 在 Unix 上是怎样启动子进程的

用法：
    cargo run -p spawn-demo [-- 选项]

选项：
    --work-ms N   串行/并发/并行那一步里，一个只占 CPU 的任务跑多久，单位毫秒
                  （默认 300，10..=5000）
    --bench       不走完整流程，改为测各种启动子进程方式的开销（中位数）：
                  fork+exit+waitpid、我们的 start()+join()、重新执行本程序，
                  以及装了 python3 时 Python 的 Process（fork 和 spawn 两种启动方式）
    --runs N      --bench 的采样次数（默认 200，10..=5000）
    --lang L      输出语言：en 或 zh（默认看 LC_ALL、LC_MESSAGES、LANG）
    -h, --help    显示本帮助
";

/// The tour's first three steps, in English and Chinese; step 4 titles itself.
const WAY_ONE: (&str, &str) = (
    "方式一 Process(target=task, args=('子进程',)) = fork() + a closure",
    "方式一 Process(target=task, args=('子进程',)) = fork() + 一个闭包",
);
const WAY_TWO: (&str, &str) = (
    "方式二 class Myprocess(Process) with run() = a trait Run { fn run(&self) }",
    "方式二 class Myprocess(Process) 重写 run() = 一个 trait Run { fn run(&self) }",
);
const WAY_THREE: (&str, &str) = (
    "the spawn start method (Windows, macOS) = re-execute this program",
    "spawn 启动方式（Windows、macOS）= 重新执行本程序",
);

fn main() -> ExitCode {
    // Our `if __name__ == '__main__':` guard: a re-executed child (the
    // `spawn` start method) is recognised by its hidden first argument and
    // runs only its task, never the demo again.
    let argv: Vec<String> = std::env::args().skip(1).collect();
    if argv.first().map(String::as_str) == Some(spawn_demo::respawn::HIDDEN) {
        return demo_kit::fail::run(|| spawn_demo::respawn::child_entry(&argv[1..]));
    }
    demo_kit::fail::run(run)
}

fn run() -> demo_kit::Result<()> {
    use demo_kit::lang::pick;
    use demo_kit::say::{say, step};
    use demo_kit::{tr, Side};
    use spawn_demo::{respawn, speed, speed_bench, ways};

    let mut args = demo_kit::cli::Args::parse((HELP, HELP_ZH));
    let bench = args.flag("--bench");
    let work_ms = args.value_in("--work-ms", 10..=5000, 300)?;
    let runs = args.value_in("--runs", 10..=5000, 200)?;
    args.finish()?;
    if bench {
        speed_bench::run_bench(runs)?;
    } else {
        let me = std::process::id();
        say(
            Side::Parent,
            tr!("this is the parent, pid {me}", "这是父进程，pid {me}"),
        );
        step(1, pick(WAY_ONE.0, WAY_ONE.1));
        ways::way_one()?;
        step(2, pick(WAY_TWO.0, WAY_TWO.1));
        ways::way_two()?;
        step(3, pick(WAY_THREE.0, WAY_THREE.1));
        respawn::way_three()?;
        speed::serial_concurrent_parallel(std::time::Duration::from_millis(work_ms))?;
    }
    demo_kit::child::end_with_no_child_left(Some(&tr!(
        "every child was reaped",
        "所有子进程都已回收"
    )))
}
