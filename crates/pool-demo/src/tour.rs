//! The steps of `pool-demo`, in order; each prints what it measured.

use demo_kit::cli::Args;
use demo_kit::say::{say, step};
use demo_kit::{bail_msg, tr, Context, Result, Side};
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
    --lang L    the language: en or zh (default: from LC_ALL, LC_MESSAGES, LANG)
    -h, --help  this text
";

const HELP_ZH: &str = "\
pool-demo：进程池与线程池，同步调用与异步调用，回调函数

用法：
    cargo run -p pool-demo [-- 选项]

选项：
    --tasks N   “池与每个任务一个”比较里的小任务个数（默认 1000，
                10..=100000；课里的数字用的是 10000）
    --bench     只做测量：用 --tasks 个任务（默认 10000）比较池与每个任务一个，
                跑三次，再测池的大小
    --lang L    输出语言：en 或 zh（默认看 LC_ALL、LC_MESSAGES、LANG）
    -h, --help  显示本帮助
";

pub fn run() -> Result<()> {
    let mut args = Args::parse((HELP, HELP_ZH));
    let bench = args.flag("--bench");
    let tasks = args
        .value::<u64>("--tasks")?
        .unwrap_or(if bench { 10_000 } else { 1_000 });
    args.finish()?;
    if !(10..=100_000).contains(&tasks) {
        return bail_msg(tr!(
            "--tasks must be between 10 and 100000; see --help",
            "--tasks 必须在 10 到 100000 之间；见 --help"
        ));
    }
    let exe = std::env::current_exe().context(tr!(
        "finding our own executable",
        "查找我们自己的可执行文件"
    ))?;
    quiet_panics();
    if bench {
        for run in 1..=3 {
            step(
                run,
                tr!(
                    "pool vs one per task, run {run} of 3",
                    "池与每个任务一个，第 {run} 次（共 3 次）"
                ),
            );
            crate::timed::per_task(&exe, tasks)?;
        }
        step(4, tr!("sizing", "池的大小"));
        return crate::timed::sizing(Duration::from_millis(40), 16);
    }
    step(
        1,
        tr!(
            "a thread pool: submit, result, map, a panicking job, shutdown",
            "线程池：submit、result、map、一个会 panic 的任务、shutdown"
        ),
    );
    thread_pool()?;
    step(
        2,
        tr!(
            "a process pool: workers fed through pipes, a killed worker replaced",
            "进程池：通过管道给工作进程派活，被杀掉的工作进程会被补上"
        ),
    );
    process_pool(&exe)?;
    step(
        3,
        tr!(
            "同步调用 vs 异步调用 on a pool of 4 threads",
            "在 4 个线程的池上比较同步调用与异步调用"
        ),
    );
    let (sync, asyn) = compare::sync_vs_async(4, 8, Duration::from_millis(50))?;
    say(
        Side::Parent,
        tr!(
            "同步 submit + result, one at a time, 8 jobs × 50 ms: {} ms",
            "同步：submit + result，一次一个，8 个任务 × 50 ms：{} ms",
            sync.as_millis()
        ),
    );
    say(
        Side::Parent,
        tr!(
            "异步 submit all 8, then collect:                  {} ms",
            "异步：先把 8 个全部 submit，再收结果：          {} ms",
            asyn.as_millis()
        ),
    );
    step(
        4,
        tr!(
            "回调函数: who runs the callback?",
            "回调函数：谁来执行回调？"
        ),
    );
    callbacks(&exe)?;
    step(
        5,
        tr!(
            "pool vs one per task: {tasks} tiny tasks",
            "池与每个任务一个：{tasks} 个很小的任务"
        ),
    );
    crate::timed::per_task(&exe, tasks)?;
    step(
        6,
        tr!(
            "sizing: CPU-bound ≈ cores, I/O-bound more",
            "池的大小：CPU 密集型 ≈ 核数，I/O 密集型要更多"
        ),
    );
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
            tr!(
                "our panic hook: thread {who:?} panicked: {msg:?} (at {})",
                "我们的 panic 钩子：线程 {who:?} panic 了：{msg:?}（位置 {}）",
                info.location().map_or("?".into(), |l| l.to_string())
            ),
        );
    }));
}

fn thread_pool() -> Result<()> {
    let pool = ThreadPool::new(4, "pool")?;
    say(
        Side::Parent,
        tr!(
            "ThreadPool::new(4): {} threads started, waiting on one channel",
            "ThreadPool::new(4)：启动了 {} 个线程，都在同一个 channel 上等待",
            pool.size()
        ),
    );
    let h = pool.submit(|| 6 * 7);
    say(
        Side::Parent,
        tr!(
            "submit(|| 6 * 7).result(None) → {:?}",
            "submit(|| 6 * 7).result(None) → {:?}",
            h.result(None)
        ),
    );
    let slow = pool.submit(|| std::thread::sleep(Duration::from_millis(300)));
    say(
        Side::Parent,
        tr!(
            "a 300 ms job: result(Some(50 ms)) → {:?}; again, no timeout → {:?}",
            "一个 300 ms 的任务：result(Some(50 ms)) → {:?}；再来一次，不设超时 → {:?}",
            slow.result(Some(Duration::from_millis(50))),
            slow.result(None)
        ),
    );
    let squares: Vec<_> = pool
        .map(|x: u64| x * x, 0..8)
        .into_iter()
        .collect::<std::result::Result<_, _>>()
        .map_err(|e| demo_kit::Error::msg(e.to_string()))?;
    say(
        Side::Parent,
        tr!(
            "map(|x| x * x, 0..8) → {squares:?}",
            "map(|x| x * x, 0..8) → {squares:?}"
        ),
    );
    let bad = pool.submit(|| -> u64 { panic!("job 3 failed on purpose") });
    let outcome = bad.result(Some(Duration::from_secs(10)));
    say(
        Side::Parent,
        tr!(
            "a job that panics → {outcome:?} (the worker caught it)",
            "一个会 panic 的任务 → {outcome:?}（工作线程捕获了它）"
        ),
    );
    if !matches!(outcome, Err(JobError::Panicked(_))) {
        return bail_msg(tr!(
            "the panicking job was reported as {outcome:?}",
            "panic 的任务被报告为 {outcome:?}"
        ));
    }
    let after = pool.map(|x: u64| x + 1, 0..4).len();
    say(
        Side::Parent,
        tr!(
            "the pool still runs jobs afterwards: {after} more done",
            "之后池照样执行任务：又完成了 {after} 个"
        ),
    );
    pool.shutdown(true);
    say(
        Side::Parent,
        tr!(
            "shutdown(wait=true): the channel closed, every worker thread joined",
            "shutdown(wait=true)：channel 已关闭，每个工作线程都已 join"
        ),
    );
    Ok(())
}

fn process_pool(exe: &Path) -> Result<()> {
    let pool = ProcessPool::new(exe, 2)?;
    say(Side::Parent, tr!("ProcessPool::new(2): worker pids {:?}, each fed through its stdin, answering on its stdout", "ProcessPool::new(2)：工作进程 pid {:?}，各自从 stdin 接活，在 stdout 上回答", pool.pids()));
    let h: Vec<_> = (1..=4)
        .map(|n| pool.submit(json!({"op": "square", "n": n})))
        .collect();
    let got: Vec<_> = h
        .iter()
        .map(|h| h.result(Some(Duration::from_secs(10))))
        .collect();
    say(
        Side::Parent,
        tr!(
            "submit {{\"op\":\"square\",\"n\":1..=4}} → {got:?}",
            "submit {{\"op\":\"square\",\"n\":1..=4}} → {got:?}"
        ),
    );
    let long = json!({"op": "sleep", "n": 10_000});
    let doomed = pool.submit(long.clone());
    let pid =
        demo_kit::wait::until(Duration::from_secs(10), || pool.running(&long)).context(tr!(
            "no worker picked up the sleep job within 10 s",
            "10 s 内没有工作进程接下 sleep 任务"
        ))?;
    // kill(2) reads 0 as "my process group" and -1 as "every process I may
    // signal": SIGKILL goes only to a pid that is one of the pool's workers.
    // (A mutation run once made `running` answer -1: as root, the tour then
    // killed every process on the machine.)
    if pid <= 0 || !pool.pids().contains(&pid) {
        return bail_msg(tr!(
            "pid {pid} is not one of the pool's workers {:?}: not killing it",
            "pid {pid} 不是池里的工作进程 {:?}：不杀它",
            pool.pids()
        ));
    }
    say(
        Side::Parent,
        tr!(
            "a 10 s sleep job is running in worker {pid}: kill({pid}, SIGKILL)",
            "一个 10 s 的 sleep 任务正在工作进程 {pid} 里运行：kill({pid}, SIGKILL)"
        ),
    );
    kill(Pid::from_raw(pid), Signal::SIGKILL).with_context(|| format!("kill({pid})"))?;
    let outcome = doomed.result(Some(Duration::from_secs(10)));
    say(
        Side::Parent,
        tr!("its handle → {outcome:?}", "它的句柄 → {outcome:?}"),
    );
    if !matches!(outcome, Err(JobError::WorkerDied(_))) {
        return bail_msg(tr!(
            "the killed worker's job was reported as {outcome:?}",
            "被杀掉的工作进程的任务被报告为 {outcome:?}"
        ));
    }
    say(
        Side::Parent,
        tr!(
            "replaced workers: {}; worker pids now {:?}",
            "补上的工作进程：{} 个；现在的工作进程 pid 是 {:?}",
            pool.replaced(),
            pool.pids()
        ),
    );
    let after = pool
        .submit(json!({"op": "square", "n": 12}))
        .result(Some(Duration::from_secs(10)));
    say(
        Side::Parent,
        tr!(
            "the pool still answers: square 12 → {after:?}",
            "池照样回答：square 12 → {after:?}"
        ),
    );
    pool.shutdown();
    say(
        Side::Parent,
        tr!(
            "shutdown: stdin closed, each worker saw end of file, exited, and was reaped",
            "shutdown：stdin 已关闭，每个工作进程都读到文件结束（EOF），退出，并被回收"
        ),
    );
    Ok(())
}

fn callbacks(exe: &Path) -> Result<()> {
    let main = std::thread::current().name().unwrap_or("?").to_string();
    say(
        Side::Parent,
        tr!(
            "submitting from thread {main:?}, pid {}",
            "从线程 {main:?} 提交，pid {}",
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
                tr!(
                    "callback got {r:?}, running on thread {who:?}, pid {}",
                    "回调拿到 {r:?}，运行在线程 {who:?} 上，pid {}",
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
            tr!(
                "callback got the worker's pid {r:?}, running on thread {who:?} of pid {}",
                "回调拿到工作进程的 pid {r:?}，运行在 pid {} 的线程 {who:?} 上",
                std::process::id()
            ),
        );
    });
    h.result(Some(Duration::from_secs(10)))
        .map_err(|e| demo_kit::Error::msg(e.to_string()))?;
    say(Side::Note, tr!("the job ran in worker {worker:?}; its callback ran back in the parent, like Pool.apply_async(callback=...)", "任务在工作进程 {worker:?} 里运行；它的回调回到父进程里执行，就像 Pool.apply_async(callback=...)"));
    pool.shutdown();
    Ok(())
}
