//! The narration of steps 1 to 3, switching and saving state: run the
//! scenario, then say what happened, in the learner's language. Every
//! figure printed here was just measured. Steps 4 to 7: show_runtime.rs.

use coroutine_demo::{handwritten, python, switch};
use demo_kit::say::say;
use demo_kit::{tr, Context, Result, Side};
use std::time::Duration;

fn log_line(log: &handwritten::Log) -> String {
    let words: Vec<String> = log.iter().map(|(who, x)| format!("{who} {x}")).collect();
    words.join(" / ")
}

pub fn state() -> Result<()> {
    let log = handwritten::by_hand(3);
    say(
        Side::Note,
        tr!(
            "enum Consumer {{ Created, AtYield {{ total, received }} }}: the generator's frame, by hand",
            "enum Consumer {{ Created, AtYield {{ total, received }} }}：生成器的帧，手写出来"
        ),
    );
    say(
        Side::Server,
        tr!("by hand:   {}", "手写：     {}", log_line(&log)),
    );
    let r = handwritten::with_async(3).context(tr!(
        "running the async producer/consumer",
        "运行 async 版的生产者/消费者"
    ))?;
    say(
        Side::Server,
        tr!(
            "async fn:  {} (total {})",
            "async fn： {}（total {}）",
            log_line(&r.log),
            r.total
        ),
    );
    say(
        Side::Kernel,
        tr!(
            "saved state: the hand-written enum {} bytes; the compiler's consumer() {} bytes, producer() {} bytes; a thread's stack {} KiB",
            "保存的状态：手写的 enum {} 字节；编译器生成的 consumer() {} 字节，producer() {} 字节；一个线程的栈 {} KiB",
            r.hand_size,
            r.consumer_size,
            r.producer_size,
            r.thread_stack / 1024
        ),
    );
    match demo_kit::python::run(python::GENERATOR, &["1000".into()], Duration::from_secs(30))? {
        Some(out) => say(
            Side::Client,
            tr!(
                "python3 generator: {}",
                "python3 的生成器：{}",
                out.lines().next().unwrap_or("").trim_start_matches("log ")
            ),
        ),
        None => say(
            Side::Note,
            tr!(
                "python3 is not installed: the generator's side is skipped",
                "没有安装 python3：跳过生成器这一边"
            ),
        ),
    }
    say(Side::Note, tr!("a switch is a return from poll (or resume); the saved state is a few dozen bytes, not a stack", "一次切换就是从 poll（或 resume）返回；保存下来的状态只有几十个字节，用不着一整个栈"));
    Ok(())
}

#[cfg(all(target_arch = "x86_64", target_env = "gnu"))]
pub fn stackful() -> Result<()> {
    let r = coroutine_demo::stackful::run(3, true).context(tr!(
        "switching two coroutines with swapcontext",
        "用 swapcontext 切换两个协程"
    ))?;
    let [(p_lo, p_hi), (c_lo, c_hi)] = r.stacks;
    say(Side::Note, tr!("producer's stack {p_lo:#x}..{p_hi:#x}, consumer's {c_lo:#x}..{c_hi:#x} (mmap, 256 KiB each)", "producer 的栈 {p_lo:#x}..{p_hi:#x}，consumer 的栈 {c_lo:#x}..{c_hi:#x}（mmap 分配，各 256 KiB）"));
    for t in &r.turns {
        let (lo, hi) = if t.who == "producer" {
            (p_lo, p_hi)
        } else {
            (c_lo, c_hi)
        };
        let inside = (lo..hi).contains(&t.local_at);
        say(
            Side::Server,
            if inside {
                tr!(
                    "{:<8} {}: its local variable at {:#x} (on its own stack)",
                    "{:<8} {}：它的局部变量在 {:#x}（在它自己的栈上）",
                    t.who,
                    t.item,
                    t.local_at
                )
            } else {
                tr!(
                    "{:<8} {}: its local variable at {:#x} (NOT on its own stack)",
                    "{:<8} {}：它的局部变量在 {:#x}（不在它自己的栈上！）",
                    t.who,
                    t.item,
                    t.local_at
                )
            },
        );
    }
    let (p, c) = (r.producer_saved, r.consumer_saved);
    say(
        Side::Kernel,
        tr!("saved by swapcontext for the producer: rsp {:#x} (in its stack: {}), rip {:#x} (entry + {:#x})", "swapcontext 为 producer 保存的：rsp {:#x}（在它的栈内：{}），rip {:#x}（入口 + {:#x}）", p.rsp, yes((p_lo..p_hi).contains(&p.rsp)), p.rip, p.rip.wrapping_sub(r.code[0])),
    );
    say(
        Side::Kernel,
        tr!("saved by swapcontext for the consumer: rsp {:#x} (in its stack: {}), rip {:#x} (entry + {:#x})", "swapcontext 为 consumer 保存的：rsp {:#x}（在它的栈内：{}），rip {:#x}（入口 + {:#x}）", c.rsp, yes((c_lo..c_hi).contains(&c.rsp)), c.rip, c.rip.wrapping_sub(r.code[1])),
    );
    say(Side::Note, tr!("the saved state is a few registers plus the stack they point into: that is all a switch must keep", "保存的状态就是几个寄存器，加上它们指向的那个栈：切换时要留住的只有这些"));
    Ok(())
}

#[cfg(not(all(target_arch = "x86_64", target_env = "gnu")))]
pub fn stackful() -> Result<()> {
    say(Side::Note, tr!("this step needs x86_64 Linux with glibc (the libc crate offers swapcontext there): skipped", "这一步需要 x86_64 Linux 和 glibc（libc crate 只在那里提供 swapcontext）：跳过"));
    Ok(())
}

/// A check's answer: `true`/`false` as Rust prints it, 是/否 in Chinese.
fn yes(answer: bool) -> String {
    if answer {
        tr!("true", "是")
    } else {
        tr!("false", "否")
    }
}

fn ns(d: Duration) -> String {
    match d.as_nanos() {
        n if n >= 10_000 => format!("{:.1} µs", n as f64 / 1000.0),
        n => format!("{n} ns"),
    }
}

/// The terminal columns `text` takes: a Chinese character or full-width
/// sign takes two.
fn columns(text: &str) -> usize {
    let wide =
        |c: char| ('\u{2e80}'..='\u{9fff}').contains(&c) || ('\u{ff00}'..='\u{ff60}').contains(&c);
    text.chars().map(|c| if wide(c) { 2 } else { 1 }).sum()
}

/// A row of the switch table, lined up in both languages: what switches,
/// its time, whether it enters the kernel. The first column is as wide as
/// its longest entry and one space.
fn row(what: &str, time: &str, kernel: &str) -> String {
    let gap = |text: &str, width: usize| " ".repeat(width.saturating_sub(columns(text)));
    let first = if demo_kit::lang::is_zh() { 32 } else { 28 };
    format!(
        "{what}{} {}{time}  {kernel}",
        gap(what, first),
        gap(time, 10)
    )
}

pub fn switch(n: u64) -> Result<python::Report> {
    let t = switch::table(n, 3).context(tr!(
        "measuring one switch (process, thread, swapcontext, future)",
        "测量一次切换（进程、线程、swapcontext、future）"
    ))?;
    let (process, thread, stack, future, calls) =
        (t.process, t.thread, t.stackful, t.future, t.calls);
    let sig = calls.as_ref().and_then(|c| {
        c.stackful
            .iter()
            .find(|(name, _)| name == "rt_sigprocmask")
            .map(|(_, k)| *k)
    });
    let header = row(
        &tr!("one switch (median of 3)", "一次切换（3 次取中位数）"),
        &tr!("time", "耗时"),
        &tr!("enters the kernel", "是否进入内核"),
    );
    say(Side::Note, header);
    let rows = [
        (
            tr!("process -> process (pipe)", "进程 -> 进程（管道）"),
            process,
            tr!(
                "yes: write + read on a pipe, the scheduler, another address space",
                "是：管道上的 write + read，经过调度器，还要换地址空间"
            ),
        ),
        (
            tr!("thread -> thread (pipe)", "线程 -> 线程（管道）"),
            thread,
            tr!(
                "yes: write + read on a pipe, the scheduler",
                "是：管道上的 write + read，经过调度器"
            ),
        ),
    ];
    for (what, time, kernel) in rows {
        say(Side::Kernel, row(&what, &ns(time), &kernel));
    }
    if let Some(s) = stack {
        let why = match sig {
            Some(k) => tr!(
                "yes, {k:.2} rt_sigprocmask per switch (counted with ptrace)",
                "是：每次切换 {k:.2} 次 rt_sigprocmask（用 ptrace 数的）"
            ),
            None => tr!(
                "yes: rt_sigprocmask (ptrace not allowed here to count it)",
                "是：rt_sigprocmask（这里不允许 ptrace，没法计数）"
            ),
        };
        let what = tr!("swapcontext (stackful)", "swapcontext（有栈）");
        say(Side::Kernel, row(&what, &ns(s), &why));
    }
    let fut = match &calls {
        Some(c) if c.futures.is_empty() => tr!(
            "no: 0 system calls per switch (counted with ptrace)",
            "否：每次切换 0 次系统调用（用 ptrace 数的）"
        ),
        Some(c) => tr!("{:?} per switch", "每次切换 {:?}", c.futures),
        None => tr!(
            "no (ptrace not allowed here to count)",
            "否（这里不允许 ptrace，没法计数）"
        ),
    };
    let what = tr!(
        "future -> future (our poll)",
        "future -> future（我们的 poll）"
    );
    say(Side::Server, row(&what, &ns(future), &fut));
    let py = python::run_all(n)?;
    for (what, v) in [
        (
            tr!("python generator send/yield", "python 生成器 send/yield"),
            py.generator_switch_ns,
        ),
        ("python greenlet.switch".to_string(), py.greenlet_switch_ns),
        (
            tr!("python asyncio task switch", "python asyncio 任务切换"),
            py.asyncio_switch_ns,
        ),
    ] {
        if let Some(v) = v {
            let time = ns(Duration::from_nanos(v as u64));
            say(Side::Client, row(&what, &time, "").trim_end());
        }
    }
    say(
        Side::Note,
        tr!(
            "a future's switch is {:.0}x cheaper than a thread's: no system call, no scheduler, a few dozen bytes of state",
            "线程切换一次的耗时是 future 的 {:.0} 倍：future 切换不用系统调用，不经过调度器，状态只有几十个字节",
            thread.as_secs_f64() / future.as_secs_f64().max(1e-12)
        ),
    );
    Ok(py)
}

#[cfg(test)]
mod tests;
