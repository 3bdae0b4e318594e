//! The narration of steps 4 to 7: the runtime on epoll, the echo server
//! on one thread, computation (which gains nothing), and Python beside it.
//! Every figure printed here was just measured.

use coroutine_demo::{cpu, echo_run, python, two_clients};
use demo_kit::say::say;
use demo_kit::{tr, Context, Result, Side};
use std::time::Duration;

pub fn runtime() -> Result<()> {
    let r = two_clients::run(true).context(tr!(
        "the echo server and two clients on one thread",
        "一个线程上的回显服务端和两个客户端"
    ))?;
    let one = r.threads.windows(2).all(|w| w[0] == w[1]);
    let (s, on) = (
        &r.stats,
        if one {
            tr!("one thread", "同一个线程上")
        } else {
            tr!("SEVERAL threads", "多个线程上（不止一个！）")
        },
    );
    say(
        Side::Note,
        tr!(
            "{} polls, {} of them Pending, {} epoll_waits, {} wakes; every task ran on {on}",
            "{} 次 poll，其中 {} 次 Pending，{} 次 epoll_wait，{} 次唤醒；所有任务都运行在{on}",
            s.polls,
            s.pendings,
            s.waits,
            s.wakes
        ),
    );
    for (who, echoes) in ["A", "B"].iter().zip(&r.echoes) {
        let shown: Vec<_> = echoes
            .iter()
            .map(|e| demo_kit::say::show_bytes(e))
            .collect();
        say(
            Side::Client,
            tr!(
                "client {who} got back {}",
                "客户端 {who} 收到的回显：{}",
                shown.join(", ")
            ),
        );
    }
    Ok(())
}

pub fn echo(clients: usize, frames: u64) -> Result<()> {
    let r = echo_run::run(clients, frames).context(tr!(
        "the echo server on one thread against client threads",
        "一个线程上的回显服务端对多个客户端线程"
    ))?;
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
        tr!(
            "{clients} client threads sent {} frames: {ok} came back intact, in {:.1?}",
            "{clients} 个客户端线程共发出 {} 帧：{ok} 帧原样返回，用时 {:.1?}",
            clients as u64 * frames,
            r.elapsed
        ),
    );
    let on = if one {
        tr!("the server's one thread", "服务端那一个线程")
    } else {
        tr!("SEVERAL threads", "多个线程（不止一个！）")
    };
    say(
        Side::Server,
        tr!(
            "{} connections served by tasks on {on}",
            "{} 个连接，全部由{on}上的任务处理",
            r.serve.conns.len()
        ),
    );
    for e in &dropped {
        say(Side::Server, tr!("the client that vanished mid-frame: its task ended with \"{e}\"; the others went on", "发到半帧就消失的那个客户端：它的任务以 \"{e}\" 结束，其他连接照常进行"));
    }
    say(Side::Kernel, tr!("one connection's saved state: the serve_conn future is {} bytes (a thread would reserve a 2 MiB stack)", "一个连接保存的状态：serve_conn 这个 future，{} 字节（换成线程，要预留 2 MiB 的栈）", r.conn_future_size));
    Ok(())
}

pub fn cpu(limit: u64, tasks: u64) -> Result<()> {
    let r = cpu::run(limit, tasks, 2_000).context(tr!("counting primes", "数素数"))?;
    let ratio = |d: Duration| d.as_secs_f64() / r.serial.as_secs_f64();
    say(
        Side::Server,
        tr!(
            "serial: {} primes below {limit} in {:.1?} (CPU {:.1?})",
            "串行：小于 {limit} 的素数有 {} 个，用时 {:.1?}（CPU {:.1?}）",
            r.primes,
            r.serial,
            r.serial_cpu
        ),
    );
    say(
        Side::Server,
        tr!(
            "{tasks} coroutines on one thread: {:.1?} ({:.2}x; CPU {:.1?}), {} switches",
            "{tasks} 个协程在一个线程上：{:.1?}（{:.2}x；CPU {:.1?}），切换 {} 次",
            r.coroutines,
            ratio(r.coroutines),
            r.coroutines_cpu,
            r.switches
        ),
    );
    say(
        Side::Server,
        tr!(
            "{tasks} threads on {} cores: {:.1?} ({:.2}x)",
            "{tasks} 个线程在 {} 个核上：{:.1?}（{:.2}x）",
            r.cores,
            r.threads,
            ratio(r.threads)
        ),
    );
    say(
        Side::Note,
        tr!(
            "coroutines take turns on one core: the same work plus the switches; only threads or processes add a core",
            "协程在一个核上轮流运行：活儿一点没少，还多了切换；只有线程或进程才能用上更多的核"
        ),
    );
    Ok(())
}

pub fn python(r: &python::Report) {
    if !r.python {
        say(
            Side::Note,
            tr!(
                "python3 is not installed: the Python side is skipped",
                "没有安装 python3：跳过 Python 这一边"
            ),
        );
        return;
    }
    if let (Some(e), Some(t)) = (r.asyncio_echoes, r.asyncio_server_threads) {
        say(Side::Client, tr!("asyncio: start_server + two clients: {e} echoes, the server's tasks on {t} thread(s)", "asyncio：start_server + 两个客户端：{e} 次回显，服务端的任务在 {t} 个线程上"));
    }
    match r.greenlet_switch_ns {
        Some(v) => say(
            Side::Client,
            tr!(
                "greenlet: one switch {:.0} ns",
                "greenlet：一次切换 {:.0} ns",
                v
            ),
        ),
        None => say(
            Side::Note,
            tr!(
                "greenlet is not installed (pip install greenlet): its lines are skipped",
                "没有安装 greenlet（pip install greenlet）：跳过它的几行"
            ),
        ),
    }
    match (&r.gevent_module, r.gevent_echoes, r.gevent_server_threads) {
        (Some(m), Some(e), Some(t)) => say(Side::Client, tr!("gevent: after monkey.patch_all(), socket.socket comes from {m}; lesson 07's blocking loop gave {e} echoes on {t} thread(s)", "gevent：monkey.patch_all() 之后，socket.socket 来自 {m}；第 07 课的阻塞循环在 {t} 个线程上完成了 {e} 次回显")),
        _ => say(Side::Note, tr!("gevent is not installed (pip install gevent): its lines are skipped", "没有安装 gevent（pip install gevent）：跳过它的几行")),
    }
}
