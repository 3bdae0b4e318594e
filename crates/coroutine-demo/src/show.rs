//! The narration of each step: run the scenario, then say what happened.
//! Every figure printed here was just measured.

use coroutine_demo::{cpu, echo_run, handwritten, python, switch, two_clients};
use demo_kit::say::say;
use demo_kit::{Context, Result, Side};
use std::time::Duration;

fn log_line(log: &handwritten::Log) -> String {
    let words: Vec<String> = log.iter().map(|(who, x)| format!("{who} {x}")).collect();
    words.join(" / ")
}

pub fn state() -> Result<()> {
    let log = handwritten::by_hand(3);
    say(
        Side::Note,
        "enum Consumer { Created, AtYield { total, received } }: the generator's frame, by hand",
    );
    say(Side::Server, format!("by hand:   {}", log_line(&log)));
    let r = handwritten::with_async(3).context("running the async producer/consumer")?;
    say(
        Side::Server,
        format!("async fn:  {} (total {})", log_line(&r.log), r.total),
    );
    say(
        Side::Kernel,
        format!(
            "saved state: the hand-written enum {} bytes; the compiler's consumer() {} bytes, producer() {} bytes; a thread's stack {} KiB",
            r.hand_size,
            r.consumer_size,
            r.producer_size,
            r.thread_stack / 1024
        ),
    );
    match demo_kit::python::run(python::GENERATOR, &["1000".into()], Duration::from_secs(30))? {
        Some(out) => say(
            Side::Client,
            format!(
                "python3 generator: {}",
                out.lines().next().unwrap_or("").trim_start_matches("log ")
            ),
        ),
        None => say(
            Side::Note,
            "python3 is not installed: the generator's side is skipped",
        ),
    }
    say(Side::Note, "a switch is a return from poll (or resume); the saved state is a few dozen bytes, not a stack");
    Ok(())
}

#[cfg(all(target_arch = "x86_64", target_env = "gnu"))]
pub fn stackful() -> Result<()> {
    let r = coroutine_demo::stackful::run(3, true).context("swapcontext")?;
    let [(p_lo, p_hi), (c_lo, c_hi)] = r.stacks;
    say(Side::Note, format!("producer's stack {p_lo:#x}..{p_hi:#x}, consumer's {c_lo:#x}..{c_hi:#x} (mmap, 256 KiB each)"));
    for t in &r.turns {
        let (lo, hi) = if t.who == "producer" {
            (p_lo, p_hi)
        } else {
            (c_lo, c_hi)
        };
        let inside = (lo..hi).contains(&t.local_at);
        say(
            Side::Server,
            format!(
                "{:<8} {}: its local variable at {:#x} ({} its own stack)",
                t.who,
                t.item,
                t.local_at,
                if inside { "on" } else { "NOT on" }
            ),
        );
    }
    let (p, c) = (r.producer_saved, r.consumer_saved);
    say(
        Side::Kernel,
        format!("saved by swapcontext for the producer: rsp {:#x} (in its stack: {}), rip {:#x} (entry + {:#x})", p.rsp, (p_lo..p_hi).contains(&p.rsp), p.rip, p.rip.wrapping_sub(r.code[0])),
    );
    say(
        Side::Kernel,
        format!("saved by swapcontext for the consumer: rsp {:#x} (in its stack: {}), rip {:#x} (entry + {:#x})", c.rsp, (c_lo..c_hi).contains(&c.rsp), c.rip, c.rip.wrapping_sub(r.code[1])),
    );
    say(Side::Note, "the saved state is a few registers plus the stack they point into: that is all a switch must keep");
    Ok(())
}

#[cfg(not(all(target_arch = "x86_64", target_env = "gnu")))]
pub fn stackful() -> Result<()> {
    say(Side::Note, "this step needs x86_64 Linux with glibc (the libc crate offers swapcontext there): skipped");
    Ok(())
}

fn ns(d: Duration) -> String {
    match d.as_nanos() {
        n if n >= 10_000 => format!("{:.1} µs", n as f64 / 1000.0),
        n => format!("{n} ns"),
    }
}

pub fn switch(n: u64) -> Result<python::Report> {
    let t = switch::table(n, 3).context("the switch table")?;
    let (process, thread, stack, future, calls) =
        (t.process, t.thread, t.stackful, t.future, t.calls);
    let sig = calls.as_ref().and_then(|c| {
        c.stackful
            .iter()
            .find(|(name, _)| name == "rt_sigprocmask")
            .map(|(_, k)| *k)
    });
    say(
        Side::Note,
        format!(
            "{:<28} {:>10}  enters the kernel",
            "one switch (median of 3)", "time"
        ),
    );
    say(
        Side::Kernel,
        format!(
            "{:<28} {:>10}  yes: write + read on a pipe, the scheduler, another address space",
            "process -> process (pipe)",
            ns(process)
        ),
    );
    say(
        Side::Kernel,
        format!(
            "{:<28} {:>10}  yes: write + read on a pipe, the scheduler",
            "thread -> thread (pipe)",
            ns(thread)
        ),
    );
    if let Some(s) = stack {
        let why = match sig {
            Some(k) => format!("yes, {k:.2} rt_sigprocmask per switch (counted with ptrace)"),
            None => "yes: rt_sigprocmask (ptrace not allowed here to count it)".to_string(),
        };
        say(
            Side::Kernel,
            format!("{:<28} {:>10}  {why}", "swapcontext (stackful)", ns(s)),
        );
    }
    let fut = match &calls {
        Some(c) if c.futures.is_empty() => {
            "no: 0 system calls per switch (counted with ptrace)".to_string()
        }
        Some(c) => format!("{:?} per switch", c.futures),
        None => "no (ptrace not allowed here to count)".to_string(),
    };
    say(
        Side::Server,
        format!(
            "{:<28} {:>10}  {fut}",
            "future -> future (our poll)",
            ns(future)
        ),
    );
    let py = python_run(n)?;
    for (what, v) in [
        ("python generator send/yield", py.generator_switch_ns),
        ("python greenlet.switch", py.greenlet_switch_ns),
        ("python asyncio task switch", py.asyncio_switch_ns),
    ] {
        if let Some(v) = v {
            say(
                Side::Client,
                format!("{what:<28} {:>10}", ns(Duration::from_nanos(v as u64))),
            );
        }
    }
    say(
        Side::Note,
        format!("a future's switch is {:.0}x cheaper than a thread's: no system call, no scheduler, a few dozen bytes of state", thread.as_secs_f64() / future.as_secs_f64().max(1e-12)),
    );
    Ok(py)
}

pub fn runtime() -> Result<()> {
    let r = two_clients::run(true).context("the two-client scene")?;
    let one = r.threads.windows(2).all(|w| w[0] == w[1]);
    say(
        Side::Note,
        format!(
            "{} polls, {} of them Pending, {} epoll_waits, {} wakes; every task ran on {}",
            r.stats.polls,
            r.stats.pendings,
            r.stats.waits,
            r.stats.wakes,
            if one { "one thread" } else { "SEVERAL threads" }
        ),
    );
    for (who, echoes) in ["A", "B"].iter().zip(&r.echoes) {
        let shown: Vec<_> = echoes
            .iter()
            .map(|e| demo_kit::say::show_bytes(e))
            .collect();
        say(
            Side::Client,
            format!("client {who} got back {}", shown.join(", ")),
        );
    }
    Ok(())
}

pub fn echo(clients: usize, frames: u64) -> Result<()> {
    let r = echo_run::run(clients, frames).context("the echo server")?;
    let ok: u64 = r.echoed.iter().sum();
    let dropped: Vec<_> = r
        .serve
        .conns
        .iter()
        .filter_map(|c| c.result.as_ref().err())
        .collect();
    let one = r
        .serve
        .conns
        .iter()
        .all(|c| c.thread == r.serve.server_thread);
    say(
        Side::Client,
        format!(
            "{clients} client threads sent {} frames: {ok} came back intact, in {:.1?}",
            clients as u64 * frames,
            r.elapsed
        ),
    );
    say(
        Side::Server,
        format!(
            "{} connections served by tasks on {}",
            r.serve.conns.len(),
            if one {
                "the server's one thread"
            } else {
                "SEVERAL threads"
            }
        ),
    );
    for e in &dropped {
        say(Side::Server, format!("the client that vanished mid-frame: its task ended with \"{e}\"; the others went on"));
    }
    say(Side::Kernel, format!("one connection's saved state: the serve_conn future is {} bytes (a thread would reserve a 2 MiB stack)", r.conn_future_size));
    Ok(())
}

pub fn cpu(limit: u64, tasks: u64) -> Result<()> {
    let r = cpu::run(limit, tasks, 2_000).context("counting primes")?;
    let ratio = |d: Duration| d.as_secs_f64() / r.serial.as_secs_f64();
    say(
        Side::Server,
        format!(
            "serial: {} primes below {limit} in {:.1?} (CPU {:.1?})",
            r.primes, r.serial, r.serial_cpu
        ),
    );
    say(
        Side::Server,
        format!(
            "{tasks} coroutines on one thread: {:.1?} ({:.2}x; CPU {:.1?}), {} switches",
            r.coroutines,
            ratio(r.coroutines),
            r.coroutines_cpu,
            r.switches
        ),
    );
    say(
        Side::Server,
        format!(
            "{tasks} threads on {} cores: {:.1?} ({:.2}x)",
            r.cores,
            r.threads,
            ratio(r.threads)
        ),
    );
    say(
        Side::Note,
        "coroutines take turns on one core: the same work plus the switches; only threads or processes add a core",
    );
    Ok(())
}

pub fn python_run(n: u64) -> Result<python::Report> {
    python::run_all(n)
}

pub fn python(r: &python::Report) {
    if !r.python {
        say(
            Side::Note,
            "python3 is not installed: the Python side is skipped",
        );
        return;
    }
    if let (Some(e), Some(t)) = (r.asyncio_echoes, r.asyncio_server_threads) {
        say(Side::Client, format!("asyncio: start_server + two clients: {e} echoes, the server's tasks on {t} thread(s)"));
    }
    match r.greenlet_switch_ns {
        Some(v) => say(Side::Client, format!("greenlet: one switch {:.0} ns", v)),
        None => say(
            Side::Note,
            "greenlet is not installed (pip install greenlet): its lines are skipped",
        ),
    }
    match (&r.gevent_module, r.gevent_echoes, r.gevent_server_threads) {
        (Some(m), Some(e), Some(t)) => say(Side::Client, format!("gevent: after monkey.patch_all(), socket.socket comes from {m}; lesson 07's blocking loop gave {e} echoes on {t} thread(s)")),
        _ => say(Side::Note, "gevent is not installed (pip install gevent): its lines are skipped"),
    }
}
