//! `cargo run -p coroutine-demo`: 协程, the program switching and saving the
//! state itself, in seven steps: a state machine by hand and as `async fn`;
//! stackful coroutines with `swapcontext`; the cost of a switch; a runtime
//! on epoll, narrated for two clients; an echo server on one thread;
//! computation, which gains nothing; and Python beside it all.

mod help;
mod show;
mod show_runtime;

use demo_kit::cli::Args;
use demo_kit::say::{heading, step};
use demo_kit::{tr, Result};
use std::process::ExitCode;

const STEPS: [&str; 8] = [
    "state", "stackful", "switch", "runtime", "echo", "cpu", "python", "all",
];

fn main() -> ExitCode {
    demo_kit::fail::run(run)
}

fn run() -> Result<()> {
    let mut args = Args::parse((help::HELP, help::HELP_ZH));
    let switches = args.value_in("--switches", 1_000..=1_000_000, 20_000u64)?;
    let clients = args.value_in("--clients", 1..=500, 8usize)?;
    let frames = args.value_in("--frames", 1..=100_000, 50u64)?;
    let limit = args.value_in("--limit", 10_000..=50_000_000, 300_000u64)?;
    let tasks = args.value_in("--tasks", 1..=1_000, 4u64)?;
    let which = args.subcommand(&STEPS, "all")?;
    args.finish()?;
    let all = which == "all";
    let mut python = None;
    if all || which == "state" {
        heading(tr!(
            "switching and saving state by hand (切换+保存状态)",
            "自己动手切换+保存状态"
        ));
        step(
            1,
            tr!(
                "a producer and a consumer: enum + match, then async fn",
                "生产者和消费者，先用 enum + match 写，再用 async fn 写"
            ),
        );
        show::state()?;
    }
    if all || which == "stackful" {
        heading(tr!(
            "stackful coroutines, like greenlet",
            "有栈协程，和 greenlet 一样"
        ));
        step(
            2,
            tr!(
                "two coroutines, two stacks, swapcontext",
                "两个协程，两个栈，swapcontext"
            ),
        );
        show::stackful()?;
    }
    if all || which == "switch" {
        heading(tr!("the cost of a switch", "一次切换的开销"));
        step(
            3,
            tr!(
                "two parties hand the turn back and forth",
                "双方来回交出执行权"
            ),
        );
        python = Some(show::switch(switches)?);
    }
    if all || which == "runtime" {
        heading(tr!(
            "a runtime on epoll (遇到IO自动切换, made visible)",
            "基于 epoll 的运行时：把“遇到IO自动切换”摆到明处"
        ));
        step(
            4,
            tr!(
                "an echo server and two clients, all tasks on one thread",
                "一个回显服务端和两个客户端，所有任务都在一个线程上"
            ),
        );
        show_runtime::runtime()?;
    }
    if all || which == "echo" {
        heading(tr!(
            "async sockets: an echo server on one thread",
            "异步套接字：一个线程上的回显服务端"
        ));
        step(
            5,
            tr!(
                "client threads against one server thread; one client vanishes mid-frame",
                "多个客户端线程对一个服务端线程；其中一个客户端发到半帧就消失"
            ),
        );
        show_runtime::echo(clients, frames)?;
    }
    if all || which == "cpu" {
        heading(tr!(
            "computation gains nothing",
            "计算密集的任务：协程帮不上忙"
        ));
        step(
            6,
            tr!(
                "counting primes: serial, coroutines on one thread, threads",
                "数素数——串行、一个线程上的协程、多线程"
            ),
        );
        show_runtime::cpu(limit, tasks)?;
    }
    if all || which == "python" {
        heading(tr!("Python side by side", "对照 Python"));
        step(
            7,
            tr!(
                "generators, asyncio, greenlet, gevent",
                "生成器、asyncio、greenlet、gevent"
            ),
        );
        let report = match python {
            Some(r) => r,
            None => coroutine_demo::python::run_all(switches)?,
        };
        show_runtime::python(&report);
    }
    Ok(())
}
