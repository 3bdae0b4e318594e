//! The Ctrl-C half of the demo: `--forever` (threads or processes run until
//! SIGINT, then drain and count) and `--ctrlc-pitfall` (what `ctrlc`'s
//! handler does in a forked child). `ctrlc::set_handler` only sends on a
//! channel; the program reacts to it in its normal flow.

use crate::{pitfall, procs, threads};
use crossbeam_channel::Receiver;
use demo_kit::say::{heading, say, step};
use demo_kit::{tr, Context, Result, Side};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

/// Installs the Ctrl-C handler; the closure only sends on a channel, the
/// program reacts in its normal flow.
pub fn install_ctrlc() -> Result<Receiver<()>> {
    let (tx, rx) = crossbeam_channel::unbounded();
    ctrlc::set_handler(move || {
        let _ = tx.send(());
    })
    .context(tr!("installing the Ctrl-C handler", "安装 Ctrl-C 处理函数"))?;
    Ok(rx)
}

/// `--forever`: threads (or, with `processes`, processes) with no item
/// limit, until Ctrl-C; then drain and count.
pub fn until_ctrl_c(cfg: threads::Config, processes: bool) -> Result<()> {
    let ctrl_c = install_ctrlc()?;
    let cfg = threads::Config {
        items_per_producer: None,
        ..cfg
    };
    if processes {
        procs_forever(&cfg, &ctrl_c)
    } else {
        threads_forever(&cfg, &ctrl_c)
    }
}

pub fn threads_forever(cfg: &threads::Config, ctrl_c: &Receiver<()>) -> Result<()> {
    heading(tr!("threads until Ctrl-C", "线程，一直运行到按 Ctrl-C"));
    let stop = AtomicBool::new(false);
    let live = threads::Live::default();
    let report = std::thread::scope(|s| {
        let worker = s.spawn(|| threads::run(cfg, &stop, &live));
        say(
            Side::Parent,
            tr!(
                "{} producers and {} consumers running, queue of {}: press Ctrl-C (SIGINT) to stop",
                "{} 个生产者和 {} 个消费者在运行，队列容量 {}：按 Ctrl-C（SIGINT）停止",
                cfg.producers,
                cfg.consumers,
                cfg.capacity
            ),
        );
        // Wait for the signal, printing progress once a second meanwhile.
        while ctrl_c.recv_timeout(Duration::from_secs(1)).is_err() {
            let (p, c) = (
                live.produced.load(Ordering::Relaxed),
                live.consumed.load(Ordering::Relaxed),
            );
            say(
                Side::Note,
                tr!(
                    "so far: produced {p}, consumed {c}, in the queue or in hand {}",
                    "到目前为止：生产 {p}，消费 {c}，在队列里或正在处理的 {}",
                    p - c.min(p)
                ),
            );
        }
        say(
            Side::Parent,
            tr!(
                "Ctrl-C: telling the producers to stop; the consumers drain the queue",
                "Ctrl-C：通知生产者停下；消费者把队列取空"
            ),
        );
        stop.store(true, Ordering::SeqCst);
        worker.join().map_err(|_| {
            demo_kit::Error::msg(tr!(
                "a producer or consumer thread panicked",
                "有生产者或消费者线程 panic 了"
            ))
        })
    })?;
    threads::tell(cfg, &report)
}

pub fn procs_forever(cfg: &threads::Config, ctrl_c: &Receiver<()>) -> Result<()> {
    heading(tr!("processes until Ctrl-C", "进程，一直运行到按 Ctrl-C"));
    let pcfg = procs::Config::from(cfg);
    procs::run(&pcfg, |rep| {
        say(
            Side::Parent,
            tr!(
                "forked consumers {:?} and producers {:?}; they ignore SIGINT",
                "已 fork 出消费者 {:?} 和生产者 {:?}；它们忽略 SIGINT",
                rep.consumer_pids,
                rep.producer_pids
            ),
        );
        say(
            Side::Parent,
            tr!(
                "running: press Ctrl-C (SIGINT) to stop",
                "运行中：按 Ctrl-C（SIGINT）停止"
            ),
        );
        let _ = ctrl_c.recv();
        say(
            Side::Parent,
            tr!(
                "Ctrl-C: sending SIGTERM to the producers; the consumers drain the queue",
                "Ctrl-C：给生产者发 SIGTERM；消费者把队列取空"
            ),
        );
    })
    .map(drop)
}

pub fn ctrlc_pitfall(fired: Receiver<()>) -> Result<()> {
    heading(tr!(
        "ctrlc's handler in a forked child",
        "fork 出的子进程里的 ctrlc 处理函数"
    ));
    say(
        Side::Note,
        tr!(
            "this process installed a ctrlc handler; now it forks children that inherit it",
            "这个进程安装了 ctrlc 处理函数；现在它 fork 出继承这个处理函数的子进程"
        ),
    );
    // Only "my own handler did not run" is a negative to wait for.
    let quiet = Duration::from_millis(300);
    step(
        1,
        tr!(
            "a child that keeps the inherited handler",
            "保留继承来的处理函数的子进程"
        ),
    );
    let f = pitfall::run(false, &fired, quiet)?;
    tell(&f);
    if f.alive_after_sigint && !f.killed_by_sigterm && !f.parent_handler_ran {
        say(Side::Note, tr!("the child silently ignored both: its handler posted its own copy of ctrlc's semaphore, and no thread waits on it there", "子进程悄无声息地忽略了两个信号：它的处理函数 post 的是它自己那份 ctrlc 信号量，而子进程里没有线程在等它"));
    }
    say(
        Side::Parent,
        tr!(
            "it finally died of {:?} and was reaped",
            "它最后死于 {:?}，已回收",
            f.ended_by
        ),
    );
    step(
        2,
        tr!(
            "a child that resets SIGINT to ignore and SIGTERM to the default",
            "把 SIGINT 重设为忽略、SIGTERM 重设为默认的子进程"
        ),
    );
    let f = pitfall::run(true, &fired, quiet)?;
    tell(&f);
    say(
        Side::Parent,
        tr!(
            "it died of {:?} and was reaped",
            "它死于 {:?}，已回收",
            f.ended_by
        ),
    );
    Ok(())
}

/// What one child did with each signal, as the parent saw it.
fn tell(f: &pitfall::ChildFate) {
    say(
        Side::Parent,
        tr!(
            "/proc/{}/status: SIGINT {:?}, SIGTERM {:?}",
            "/proc/{}/status：SIGINT {:?}，SIGTERM {:?}",
            f.pid,
            f.sigint,
            f.sigterm
        ),
    );
    say(
        Side::Parent,
        tr!(
            "kill({}, SIGINT): child still alive: {}",
            "kill({}, SIGINT)：子进程还活着：{}",
            f.pid,
            f.alive_after_sigint
        ),
    );
    say(
        Side::Parent,
        tr!(
            "kill({}, SIGTERM): the child died of it: {}; my own Ctrl-C handler ran: {}",
            "kill({}, SIGTERM)：子进程因此而死：{}；我自己的 Ctrl-C 处理函数执行了：{}",
            f.pid,
            f.killed_by_sigterm,
            f.parent_handler_ran
        ),
    );
}
