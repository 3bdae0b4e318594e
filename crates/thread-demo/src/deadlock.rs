//! 死锁 (deadlock): two threads, two locks, taken in opposite order.
//!
//! Thread 1 holds A and waits for B; thread 2 holds B and waits for A. Each
//! waits for the other forever: the kernel puts both to sleep on a futex
//! and nothing will ever wake them. Nothing crashes, nothing is printed —
//! the only symptom is *no progress*. So a watchdog looks from outside: it
//! reads `/proc/<pid>/task/<tid>/stat` (state and CPU time) until nothing
//! has moved for a while, then prints each thread's state and `wchan` (the
//! kernel function it sleeps in).
//!
//! The deadlocked threads live in a helper process (the demo run again with
//! [`crate::HELPER_DEADLOCK`]): a deadlocked thread cannot be cancelled, but
//! a process can be killed and reaped, so the demo ends cleanly.
//! The cure, [`fixed_order`], is one global lock order: everyone takes A
//! before B.

use crate::HELPER_DEADLOCK;
use demo_kit::say::{say, Side};
use demo_kit::{bail_msg, tr, Context, Result};
use nix::sys::signal::{kill, Signal};
use nix::unistd::{gettid, Pid};
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::{Arc, Barrier, Mutex};
use std::thread;
use std::time::{Duration, Instant};

/// The helper process: two threads lock A and B in opposite orders.
pub fn helper_main() -> i32 {
    let (a, b) = (Arc::new(Mutex::new(())), Arc::new(Mutex::new(())));
    // Both take their first lock before either asks for its second: the
    // barrier makes the deadlock certain instead of likely.
    let both_hold_one = Arc::new(Barrier::new(2));
    let worker =
        |name: &'static str, first: Arc<Mutex<()>>, second: Arc<Mutex<()>>, b: Arc<Barrier>| {
            thread::Builder::new().name(name.into()).spawn(move || {
                let (x, y) = (&name[6..7], &name[8..9]);
                let _g1 = first.lock();
                println!(
                    "{}",
                    tr!(
                        "[thread] {name} (tid {}) locked {x}",
                        "[thread] {name}（tid {}）锁住了 {x}",
                        gettid()
                    )
                );
                b.wait();
                println!(
                    "{}",
                    tr!(
                        "[thread] {name} (tid {}) wants {y}",
                        "[thread] {name}（tid {}）还想要 {y}",
                        gettid()
                    )
                );
                let _g2 = second.lock();
                println!(
                    "{}",
                    tr!(
                        "[thread] {name} got both locks (never printed in a deadlock)",
                        "[thread] {name} 拿到了两把锁（死锁时永远不会打印）"
                    )
                );
            })
        };
    let t1 = worker("locks-A-B", a.clone(), b.clone(), both_hold_one.clone());
    let t2 = worker("locks-B-A", b, a, both_hold_one);
    let (Ok(t1), Ok(t2)) = (t1, t2) else { return 1 };
    let _ = (t1.join(), t2.join());
    0
}

/// One thread of the helper as `/proc/<pid>/task/<tid>` shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TaskState {
    pub tid: i32,
    pub comm: String,
    pub state: char,
    /// utime + stime, in clock ticks.
    pub cpu_ticks: u64,
    pub wchan: Option<String>,
}

pub fn read_task(pid: i32, tid: i32) -> Option<TaskState> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/task/{tid}/stat")).ok()?;
    let (open, close) = (stat.find('(')?, stat.rfind(')')?);
    let rest: Vec<&str> = stat[close + 1..].split_whitespace().collect();
    let ticks = |i: usize| rest.get(i)?.parse::<u64>().ok();
    let wchan = std::fs::read_to_string(format!("/proc/{pid}/task/{tid}/wchan"))
        .ok()
        .filter(|w| !w.is_empty() && w != "0");
    Some(TaskState {
        tid,
        comm: stat[open + 1..close].to_string(),
        state: rest.first()?.chars().next()?,
        cpu_ticks: ticks(11)? + ticks(12)?,
        wchan,
    })
}

fn snapshot(pid: i32) -> Result<Vec<TaskState>> {
    let tids = crate::start::list_tasks(&pid.to_string())?;
    Ok(tids.into_iter().filter_map(|t| read_task(pid, t)).collect())
}

#[derive(Debug)]
pub struct Report {
    pub pid: i32,
    pub stalled_for: Duration,
    pub threads: Vec<TaskState>,
    pub gone_after_kill: bool,
}

/// How long nothing may move before the watchdog calls it a deadlock.
pub const QUIET: Duration = Duration::from_millis(300);

pub fn detect(exe: &Path) -> Result<Report> {
    say(Side::Parent, tr!("running {} {HELPER_DEADLOCK}: thread locks-A-B takes A then B, thread locks-B-A takes B then A", "运行 {} {HELPER_DEADLOCK}：线程 locks-A-B 先拿 A 再拿 B，线程 locks-B-A 先拿 B 再拿 A", exe.display()));
    let mut child = demo_kit::lang::pass_to(&mut Command::new(exe))
        .arg(HELPER_DEADLOCK)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .spawn()
        .with_context(|| tr!("re-executing {}", "重新执行 {}", exe.display()))?;
    let pid = child.id() as i32;
    let out = child.stdout.take().context(tr!(
        "the helper's stdout was not a pipe",
        "辅助进程的 stdout 不是管道"
    ))?;
    let (line_tx, lines) = crossbeam_channel::unbounded();
    let reader = thread::spawn(move || {
        for line in BufReader::new(out).lines().map_while(|l| l.ok()) {
            let _ = line_tx.send(line);
        }
    });
    let result = watch(pid, &lines);
    // Whatever the watchdog saw, the helper is killed and reaped here.
    say(
        Side::Parent,
        tr!(
            "kill({pid}, SIGKILL), then waitpid({pid})",
            "kill({pid}, SIGKILL)，然后 waitpid({pid})"
        ),
    );
    let _ = kill(Pid::from_raw(pid), Signal::SIGKILL);
    let status = child.wait().context(tr!(
        "waitpid on the deadlocked helper",
        "对死锁的辅助进程 waitpid"
    ))?;
    let _ = reader.join();
    let gone_after_kill = demo_kit::procfs::is_gone(pid);
    say(
        Side::Kernel,
        tr!(
            "helper ended: {status}; /proc/{pid} gone: {gone_after_kill}",
            "辅助进程结束：{status}；/proc/{pid} 已消失：{gone_after_kill}"
        ),
    );
    let (stalled_for, threads) = result?;
    Ok(Report {
        pid,
        stalled_for,
        threads,
        gone_after_kill,
    })
}

/// Waits for both "wants" lines, then for [`QUIET`] without any change.
fn watch(
    pid: i32,
    lines: &crossbeam_channel::Receiver<String>,
) -> Result<(Duration, Vec<TaskState>)> {
    let mut wants = 0;
    while wants < 2 {
        let line = lines.recv_timeout(Duration::from_secs(10)).context(tr!(
            "the helper did not report taking its locks within 10 s",
            "辅助进程 10 s 内没有报告拿锁的情况"
        ))?;
        wants += (line.contains(" wants ") || line.contains("还想要")) as usize;
        say(Side::Child, line);
    }
    say(
        Side::Parent,
        tr!(
            "watchdog: reading /proc/{pid}/task/*/stat every 50 ms until nothing moves for {} ms",
            "看门狗：每 50 ms 读一次 /proc/{pid}/task/*/stat，直到连续 {} ms 没有任何变化",
            QUIET.as_millis()
        ),
    );
    let (start, mut last, mut quiet_since) = (Instant::now(), snapshot(pid)?, Instant::now());
    while quiet_since.elapsed() < QUIET {
        if start.elapsed() > Duration::from_secs(10) {
            return bail_msg(tr!(
                "the helper kept making progress for 10 s: no deadlock seen",
                "辅助进程 10 s 内一直有进展：没有看到死锁"
            ));
        }
        thread::sleep(Duration::from_millis(50));
        let now = snapshot(pid)?;
        let printed = lines.try_recv().ok();
        // A runnable task ('R') may just be waiting for a busy CPU: that
        // is not "no progress" yet.
        let runnable = now.iter().any(|t| t.state == 'R');
        if now != last || printed.is_some() || runnable {
            quiet_since = Instant::now();
            last = now;
        }
    }
    say(
        Side::Parent,
        tr!(
            "watchdog: no output, no CPU time, no state change for {} ms — deadlock",
            "看门狗：{} ms 内没有输出、没有 CPU 时间、状态也没变——死锁",
            quiet_since.elapsed().as_millis()
        ),
    );
    for t in &last {
        say(
            Side::Kernel,
            tr!(
                "tid {:>7} {:<12} state {} ({}), cpu {} ticks, wchan {}",
                "tid {:>7} {:<12} 状态 {}（{}），cpu {} 个 tick，wchan {}",
                t.tid,
                t.comm,
                t.state,
                state_word(t.state),
                t.cpu_ticks,
                t.wchan
                    .as_deref()
                    .unwrap_or(&tr!("(not readable here)", "（这里读不到）"))
            ),
        );
    }
    Ok((quiet_since.elapsed(), last))
}

pub fn state_word(s: char) -> &'static str {
    match s {
        'R' => demo_kit::lang::pick("running", "运行"),
        'S' => demo_kit::lang::pick("sleeping, interruptible", "睡眠，可中断"),
        'D' => demo_kit::lang::pick("sleeping, uninterruptible", "睡眠，不可中断"),
        'Z' => demo_kit::lang::pick("zombie", "僵尸"),
        'T' | 't' => demo_kit::lang::pick("stopped", "已停止"),
        _ => demo_kit::lang::pick("other", "其他"),
    }
}

/// The fix: both threads take A before B, `rounds` times each; returns
/// how long it took, or an error if it did not finish within 10 s.
pub fn fixed_order(rounds: u32) -> Result<Duration> {
    let (a, b) = (Arc::new(Mutex::new(0u64)), Arc::new(Mutex::new(0u64)));
    let t = Instant::now();
    let workers: Vec<_> = (0..2)
        .map(|_| {
            let (a, b) = (a.clone(), b.clone());
            thread::spawn(move || {
                for _ in 0..rounds {
                    let mut ga = a.lock().unwrap_or_else(|e| e.into_inner()); // always A first
                    let mut gb = b.lock().unwrap_or_else(|e| e.into_inner()); // then B
                    *ga += 1;
                    *gb += 1;
                }
            })
        })
        .collect();
    let done = demo_kit::wait::until(Duration::from_secs(10), || {
        workers.iter().all(|w| w.is_finished()).then_some(())
    });
    if done.is_none() {
        return bail_msg(tr!(
            "the lock-ordered threads did not finish within 10 s",
            "按顺序加锁的线程 10 s 内没有结束"
        ));
    }
    for w in workers {
        let _ = w.join();
    }
    let total = *a.lock().unwrap_or_else(|e| e.into_inner());
    if total != 2 * u64::from(rounds) {
        return bail_msg(tr!(
            "expected {} increments, counted {total}",
            "应当加 {} 次，实际数到 {total}",
            2 * rounds
        ));
    }
    Ok(t.elapsed())
}
