//! 开启线程的两种方式 (two ways to start a thread), and what the kernel
//! thinks a thread is.
//!
//! Lesson 08 started processes two ways: `Process(target=task)` and a
//! subclass of `Process` with `run()`. `threading.Thread` has the same two
//! shapes, and Rust's are a closure handed to `thread::spawn` and a type with
//! a `run` method started through `thread::Builder` (which also names it).
//!
//! To Linux a thread is a task like a process, made by `clone()` with flags
//! that share the address space, the descriptors and the *thread group*:
//! `getpid()` returns the group's id (the same in every thread) while
//! `gettid()` returns the task's own id. Each one is a directory under
//! `/proc/<pid>/task/`. A forked child (lesson 08) got a new pid instead.

use demo_kit::say::{say, Side};
use demo_kit::{tr, Context, Result};
use nix::unistd::{getpid, gettid};
use std::sync::{Arc, Barrier};
use std::thread;
use std::time::Duration;

/// What one thread reported about itself.
#[derive(Clone, Debug)]
pub struct Seen {
    pub name: String,
    pub pid: i32,
    pub tid: i32,
}

/// Everything the step measured.
#[derive(Debug)]
pub struct Report {
    pub main: Seen,
    pub threads: Vec<Seen>,
    /// The entries of `/proc/self/task/` while all threads were alive.
    pub tasks: Vec<i32>,
    /// `is_finished()` before the thread was released, and after it ended.
    pub finished_before: bool,
    pub finished_after: bool,
}

fn me() -> Seen {
    let name = thread::current().name().unwrap_or("(unnamed)").to_string();
    Seen {
        name,
        pid: getpid().as_raw(),
        tid: gettid().as_raw(),
    }
}

/// 方式二: `class MyThread(Thread)` with `run()` — here a type with `run`.
pub struct MyThread {
    pub name: String,
    pub gate: Arc<Barrier>,
}

impl MyThread {
    fn run(self) -> Seen {
        let seen = me();
        say(
            Side::Child,
            tr!(
                "{} is running: pid {}, tid {}",
                "{} 正在运行：pid {}，tid {}",
                self.name,
                seen.pid,
                seen.tid
            ),
        );
        self.gate.wait(); // stay alive until /proc/self/task has been listed
        seen
    }
}

/// Starts one thread each way, lists `/proc/self/task`, joins both.
pub fn two_ways() -> Result<Report> {
    let main = me();
    say(
        Side::Parent,
        tr!(
            "main thread {:?}: getpid() = {}, gettid() = {}",
            "主线程 {:?}：getpid() = {}，gettid() = {}",
            main.name,
            main.pid,
            main.tid
        ),
    );
    // Three parties: two threads and main. Nobody passes until all arrived,
    // so the listing below sees both threads alive.
    let gate = Arc::new(Barrier::new(3));

    say(
        Side::Parent,
        tr!("方式一: thread::spawn(move || task(\"子线程\"))  =  Thread(target=task, args=('子线程',))", "方式一：thread::spawn(move || task(\"子线程\"))  =  Thread(target=task, args=('子线程',))"),
    );
    let g = gate.clone();
    let first = thread::spawn(move || {
        let seen = me();
        say(
            Side::Child,
            tr!(
                "子线程 is running: pid {}, tid {}",
                "子线程 正在运行：pid {}，tid {}",
                seen.pid,
                seen.tid
            ),
        );
        g.wait();
        seen
    });

    say(Side::Parent, tr!("方式二: Builder::new().name(\"子线程1\").spawn(move || t.run())  =  class MyThread(Thread)", "方式二：Builder::new().name(\"子线程1\").spawn(move || t.run())  =  class MyThread(Thread)"));
    let t = MyThread {
        name: "子线程1".into(),
        gate: gate.clone(),
    };
    let second = thread::Builder::new()
        .name("子线程1".into())
        .spawn(move || t.run())
        .context(tr!(
            "thread::Builder::spawn (the kernel refused a new thread: too many threads?)",
            "thread::Builder::spawn（内核拒绝创建新线程：线程太多了？）"
        ))?;
    say(
        Side::Parent,
        format!("t.name = {:?}", second.thread().name().unwrap_or("")),
    );

    let finished_before = second.is_finished();
    say(
        Side::Parent,
        tr!(
            "t.is_finished() (is_alive() negated) before release: {finished_before}",
            "放行之前 t.is_finished()（is_alive() 取反）：{finished_before}"
        ),
    );
    say(Side::Parent, "主");
    let tasks = list_tasks("self")?;
    say(
        Side::Kernel,
        tr!(
            "/proc/self/task/ lists {} tasks: {:?}",
            "/proc/self/task/ 列出了 {} 个任务：{:?}",
            tasks.len(),
            tasks
        ),
    );
    gate.wait();
    let ended = demo_kit::wait::until(Duration::from_secs(10), || {
        second.is_finished().then_some(())
    });
    let finished_after = ended.is_some();
    say(
        Side::Parent,
        tr!(
            "t.is_finished() after its run() returned: {finished_after}",
            "它的 run() 返回之后 t.is_finished()：{finished_after}"
        ),
    );
    let threads = vec![
        first
            .join()
            .map_err(|_| demo_kit::Error::msg("thread 子线程 panicked"))?,
        second
            .join()
            .map_err(|_| demo_kit::Error::msg("thread 子线程1 panicked"))?,
    ];
    say(
        Side::Parent,
        tr!(
            "t.join() returned: both threads ended",
            "t.join() 返回了：两个线程都已结束"
        ),
    );
    let same = threads.iter().all(|s| s.pid == main.pid);
    say(Side::Note, tr!(
        "same pid in every thread: {same}; tids {}, {}, {} all differ — a lesson-08 child got a new pid instead", "每个线程的 pid 都一样：{same}；tid {}、{}、{} 各不相同——而第 08 课的子进程拿到的是一个新的 pid",
        main.tid, threads[0].tid, threads[1].tid
    ));
    Ok(Report {
        main,
        threads,
        tasks,
        finished_before,
        finished_after,
    })
}

/// The thread ids under `/proc/<pid>/task/` (`pid` may be `self`), sorted.
pub fn list_tasks(pid: &str) -> Result<Vec<i32>> {
    let dir = format!("/proc/{pid}/task");
    let mut tids: Vec<i32> = std::fs::read_dir(&dir)
        .with_context(|| {
            tr!(
                "listing {dir} (is /proc mounted?)",
                "列出 {dir}（/proc 挂载了吗？）"
            )
        })?
        .filter_map(|e| e.ok()?.file_name().to_str()?.parse().ok())
        .collect();
    tids.sort_unstable();
    Ok(tids)
}
