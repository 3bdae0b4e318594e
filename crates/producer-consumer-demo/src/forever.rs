//! The Ctrl-C half of the demo: `--forever` (threads or processes run until
//! SIGINT, then drain and count) and `--ctrlc-pitfall` (what `ctrlc`'s
//! handler does in a forked child). `ctrlc::set_handler` only sends on a
//! channel; the program reacts to it in its normal flow.

use crate::{pitfall, procs, threads};
use crossbeam_channel::Receiver;
use demo_kit::say::{heading, say, step};
use demo_kit::{Context, Result, Side};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

/// Installs the Ctrl-C handler; the closure only sends on a channel, the
/// program reacts in its normal flow.
pub fn install_ctrlc() -> Result<Receiver<()>> {
    let (tx, rx) = crossbeam_channel::unbounded();
    ctrlc::set_handler(move || {
        let _ = tx.send(());
    })
    .context("installing the Ctrl-C handler")?;
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
    heading("threads until Ctrl-C");
    let stop = AtomicBool::new(false);
    let live = threads::Live::default();
    let report = std::thread::scope(|s| {
        let worker = s.spawn(|| threads::run(cfg, &stop, &live));
        say(
            Side::Parent,
            format!(
                "{} producers and {} consumers running, queue of {}: press Ctrl-C (SIGINT) to stop",
                cfg.producers, cfg.consumers, cfg.capacity
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
                format!(
                    "so far: produced {p}, consumed {c}, in the queue or in hand {}",
                    p - c.min(p)
                ),
            );
        }
        say(
            Side::Parent,
            "Ctrl-C: telling the producers to stop; the consumers drain the queue",
        );
        stop.store(true, Ordering::SeqCst);
        worker
            .join()
            .map_err(|_| demo_kit::Error::msg("a producer or consumer thread panicked"))
    })?;
    threads::tell(cfg, &report)
}

pub fn procs_forever(cfg: &threads::Config, ctrl_c: &Receiver<()>) -> Result<()> {
    heading("processes until Ctrl-C");
    let pcfg = procs::Config::from(cfg);
    procs::run(&pcfg, |rep| {
        say(
            Side::Parent,
            format!(
                "forked consumers {:?} and producers {:?}; they ignore SIGINT",
                rep.consumer_pids, rep.producer_pids
            ),
        );
        say(Side::Parent, "running: press Ctrl-C (SIGINT) to stop");
        let _ = ctrl_c.recv();
        say(
            Side::Parent,
            "Ctrl-C: sending SIGTERM to the producers; the consumers drain the queue",
        );
    })
    .map(drop)
}

pub fn ctrlc_pitfall(fired: Receiver<()>) -> Result<()> {
    heading("ctrlc's handler in a forked child");
    say(
        Side::Note,
        "this process installed a ctrlc handler; now it forks children that inherit it",
    );
    // Only "my own handler did not run" is a negative to wait for.
    let quiet = Duration::from_millis(300);
    step(1, "a child that keeps the inherited handler");
    let f = pitfall::run(false, &fired, quiet)?;
    tell(&f);
    if f.alive_after_sigint && !f.killed_by_sigterm && !f.parent_handler_ran {
        say(Side::Note, "the child silently ignored both: its handler posted its own copy of ctrlc's semaphore, and no thread waits on it there");
    }
    say(
        Side::Parent,
        format!("it finally died of {:?} and was reaped", f.ended_by),
    );
    step(
        2,
        "a child that resets SIGINT to ignore and SIGTERM to the default",
    );
    let f = pitfall::run(true, &fired, quiet)?;
    tell(&f);
    say(
        Side::Parent,
        format!("it died of {:?} and was reaped", f.ended_by),
    );
    Ok(())
}

/// What one child did with each signal, as the parent saw it.
fn tell(f: &pitfall::ChildFate) {
    say(
        Side::Parent,
        format!(
            "/proc/{}/status: SIGINT {:?}, SIGTERM {:?}",
            f.pid, f.sigint, f.sigterm
        ),
    );
    say(
        Side::Parent,
        format!(
            "kill({}, SIGINT): child still alive: {}",
            f.pid, f.alive_after_sigint
        ),
    );
    say(
        Side::Parent,
        format!(
            "kill({}, SIGTERM): the child died of it: {}; my own Ctrl-C handler ran: {}",
            f.pid, f.killed_by_sigterm, f.parent_handler_ran
        ),
    );
}
