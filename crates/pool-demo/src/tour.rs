//! The steps of `pool-demo`, in order; each prints what it measured.

use demo_kit::cli::Args;
use demo_kit::say::{say, step};
use demo_kit::{bail_msg, Context, Result, Side};
use nix::sys::signal::{kill, Signal};
use nix::unistd::Pid;
use pool_demo::process_pool::ProcessPool;
use pool_demo::thread_pool::ThreadPool;
use pool_demo::{compare, JobError};
use serde_json::json;
use std::path::Path;
use std::time::Duration;

const HELP: &str = "\
pool-demo — 进程池与线程池: pools, 同步调用 vs 异步调用, 回调函数

USAGE:
    cargo run -p pool-demo [-- OPTIONS]

OPTIONS:
    --tasks N   tiny tasks for 'pool vs one per task' (default 1000,
                10..=100000; the lesson's figures use 10000)
    --bench     only the measurements: pool vs one per task with
                --tasks (default 10000), three runs, and pool sizing
    -h, --help  this text
";

pub fn run() -> Result<()> {
    let mut args = Args::parse(HELP);
    let bench = args.flag("--bench");
    let tasks = args
        .value::<u64>("--tasks")?
        .unwrap_or(if bench { 10_000 } else { 1_000 });
    args.finish()?;
    if !(10..=100_000).contains(&tasks) {
        return bail_msg("--tasks must be between 10 and 100000; see --help");
    }
    let exe = std::env::current_exe().context("finding our own executable")?;
    quiet_panics();
    if bench {
        for run in 1..=3 {
            step(run, format!("pool vs one per task, run {run} of 3"));
            crate::timed::per_task(&exe, tasks)?;
        }
        step(4, "sizing");
        return crate::timed::sizing(Duration::from_millis(40), 16);
    }
    step(
        1,
        "a thread pool: submit, result, map, a panicking job, shutdown",
    );
    thread_pool()?;
    step(
        2,
        "a process pool: workers fed through pipes, a killed worker replaced",
    );
    process_pool(&exe)?;
    step(3, "同步调用 vs 异步调用 on a pool of 4 threads");
    let (sync, asyn) = compare::sync_vs_async(4, 8, Duration::from_millis(50))?;
    say(
        Side::Parent,
        format!(
            "同步 submit + result, one at a time, 8 jobs × 50 ms: {} ms",
            sync.as_millis()
        ),
    );
    say(
        Side::Parent,
        format!(
            "异步 submit all 8, then collect:                  {} ms",
            asyn.as_millis()
        ),
    );
    step(4, "回调函数: who runs the callback?");
    callbacks(&exe)?;
    step(5, format!("pool vs one per task: {tasks} tiny tasks"));
    crate::timed::per_task(&exe, tasks)?;
    step(6, "sizing: CPU-bound ≈ cores, I/O-bound more");
    crate::timed::sizing(Duration::from_millis(10), 8)?;
    demo_kit::child::end_with_no_child_left(None)
}

/// A job that panics is part of the tour: print its panic as one narrated
/// line instead of Rust's default message and backtrace. The line comes
/// from this hook, in our process (a panic is Rust's, not the kernel's).
fn quiet_panics() {
    std::panic::set_hook(Box::new(|info| {
        let who = std::thread::current().name().unwrap_or("?").to_string();
        let msg = pool_demo::thread_pool::panic_message(info.payload());
        say(
            Side::Note,
            format!(
                "our panic hook: thread {who:?} panicked: {msg:?} (at {})",
                info.location().map_or("?".into(), |l| l.to_string())
            ),
        );
    }));
}

fn thread_pool() -> Result<()> {
    let pool = ThreadPool::new(4, "pool")?;
    say(
        Side::Parent,
        format!(
            "ThreadPool::new(4): {} threads started, waiting on one channel",
            pool.size()
        ),
    );
    let h = pool.submit(|| 6 * 7);
    say(
        Side::Parent,
        format!("submit(|| 6 * 7).result(None) → {:?}", h.result(None)),
    );
    let slow = pool.submit(|| std::thread::sleep(Duration::from_millis(300)));
    say(
        Side::Parent,
        format!(
            "a 300 ms job: result(Some(50 ms)) → {:?}; again, no timeout → {:?}",
            slow.result(Some(Duration::from_millis(50))),
            slow.result(None)
        ),
    );
    let squares: Vec<_> = pool
        .map(|x: u64| x * x, 0..8)
        .into_iter()
        .collect::<std::result::Result<_, _>>()
        .map_err(|e| demo_kit::Error::msg(e.to_string()))?;
    say(Side::Parent, format!("map(|x| x * x, 0..8) → {squares:?}"));
    let bad = pool.submit(|| -> u64 { panic!("job 3 failed on purpose") });
    let outcome = bad.result(Some(Duration::from_secs(10)));
    say(
        Side::Parent,
        format!("a job that panics → {outcome:?} (the worker caught it)"),
    );
    if !matches!(outcome, Err(JobError::Panicked(_))) {
        return bail_msg(format!("the panicking job was reported as {outcome:?}"));
    }
    let after = pool.map(|x: u64| x + 1, 0..4).len();
    say(
        Side::Parent,
        format!("the pool still runs jobs afterwards: {after} more done"),
    );
    pool.shutdown(true);
    say(
        Side::Parent,
        "shutdown(wait=true): the channel closed, every worker thread joined",
    );
    Ok(())
}

fn process_pool(exe: &Path) -> Result<()> {
    let pool = ProcessPool::new(exe, 2)?;
    say(Side::Parent, format!("ProcessPool::new(2): worker pids {:?}, each fed through its stdin, answering on its stdout", pool.pids()));
    let h: Vec<_> = (1..=4)
        .map(|n| pool.submit(json!({"op": "square", "n": n})))
        .collect();
    let got: Vec<_> = h
        .iter()
        .map(|h| h.result(Some(Duration::from_secs(10))))
        .collect();
    say(
        Side::Parent,
        format!("submit {{\"op\":\"square\",\"n\":1..=4}} → {got:?}"),
    );
    let long = json!({"op": "sleep", "n": 10_000});
    let doomed = pool.submit(long.clone());
    let pid = demo_kit::wait::until(Duration::from_secs(10), || pool.running(&long))
        .context("no worker picked up the sleep job within 10 s")?;
    say(
        Side::Parent,
        format!("a 10 s sleep job is running in worker {pid}: kill({pid}, SIGKILL)"),
    );
    kill(Pid::from_raw(pid), Signal::SIGKILL).with_context(|| format!("kill({pid})"))?;
    let outcome = doomed.result(Some(Duration::from_secs(10)));
    say(Side::Parent, format!("its handle → {outcome:?}"));
    if !matches!(outcome, Err(JobError::WorkerDied(_))) {
        return bail_msg(format!(
            "the killed worker's job was reported as {outcome:?}"
        ));
    }
    say(
        Side::Parent,
        format!(
            "replaced workers: {}; worker pids now {:?}",
            pool.replaced(),
            pool.pids()
        ),
    );
    let after = pool
        .submit(json!({"op": "square", "n": 12}))
        .result(Some(Duration::from_secs(10)));
    say(
        Side::Parent,
        format!("the pool still answers: square 12 → {after:?}"),
    );
    pool.shutdown();
    say(
        Side::Parent,
        "shutdown: stdin closed, each worker saw end of file, exited, and was reaped",
    );
    Ok(())
}

fn callbacks(exe: &Path) -> Result<()> {
    let main = std::thread::current().name().unwrap_or("?").to_string();
    say(
        Side::Parent,
        format!(
            "submitting from thread {main:?}, pid {}",
            std::process::id()
        ),
    );
    let pool = ThreadPool::new(2, "pool")?;
    let h = pool.submit_with_callback(
        || 7 * 7,
        |r| {
            let who = std::thread::current().name().unwrap_or("?").to_string();
            say(
                Side::Child,
                format!(
                    "callback got {r:?}, running on thread {who:?}, pid {}",
                    std::process::id()
                ),
            );
        },
    );
    h.result(Some(Duration::from_secs(10)))
        .map_err(|e| demo_kit::Error::msg(e.to_string()))?;
    pool.shutdown(true);
    let pool = ProcessPool::new(exe, 1)?;
    let worker = pool.pids();
    let h = pool.submit_with_callback(json!({"op": "pid"}), |r| {
        let who = std::thread::current().name().unwrap_or("?").to_string();
        say(
            Side::Parent,
            format!(
                "callback got the worker's pid {r:?}, running on thread {who:?} of pid {}",
                std::process::id()
            ),
        );
    });
    h.result(Some(Duration::from_secs(10)))
        .map_err(|e| demo_kit::Error::msg(e.to_string()))?;
    say(Side::Note, format!("the job ran in worker {worker:?}; its callback ran back in the parent, like Pool.apply_async(callback=...)"));
    pool.shutdown();
    Ok(())
}
