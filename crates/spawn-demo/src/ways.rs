//! 开启进程的两种方式 — the course's two ways to start a process, on Unix:
//! each is `fork()` underneath ([`crate::process::start`]).
//!
//! * 方式一: `p = Process(target=task, args=('子进程',)); p.start()` is a
//!   closure run in the forked child;
//! * 方式二: subclass `Process` and override `run()` is a trait, [`Run`],
//!   whose `start()` forks and calls `run` in the child.
//!
//! Both then print `主` while the child exists but is held at a pipe gate,
//! open the gate, and `join()` (`waitpid`). The child reports a
//! `CLOCK_MONOTONIC` timeline, so the order of events is measured, not told.

use crate::process::{now_ns, start, Run, Started};
use demo_kit::child::child_say;
use demo_kit::lang::pick;
use demo_kit::say::{colors_enabled, say};
use demo_kit::{bail_msg, tr, Result, Side};
use nix::unistd::{getpid, getppid};
use std::time::Duration;

/// The course's `task(x)`, run in a forked child. The course sleeps 3 s;
/// we sleep 0.1 s. Narration goes through `child_say` (one raw write),
/// never `println!`, because this is a forked child.
fn task(x: &str, color: bool) -> i32 {
    let msg = tr!(
        "{x} is running (pid {}, parent {})",
        "{x}：开始运行（pid {}，父进程 {}）",
        getpid(),
        getppid()
    );
    child_say(Side::Child, msg, color);
    std::thread::sleep(Duration::from_millis(100));
    child_say(Side::Child, tr!("{x} is done", "{x}：运行结束"), color);
    0
}

/// 方式一: `p = Process(target=task, args=('子进程',)); p.start(); print('主')`.
pub fn way_one() -> Result<()> {
    let color = colors_enabled();
    say(
        Side::Parent,
        tr!(
            "p.start() -> fork(); the child will run task('子进程')",
            "p.start() -> fork()；子进程将运行 task('子进程')"
        ),
    );
    let p = start(move || task("子进程", color))?;
    print_main_then_join(p)
}

/// 方式二's `class Myprocess(Process)`: a struct with the [`Run`] trait.
struct MyProcess {
    name: String,
    color: bool,
}

impl Run for MyProcess {
    fn run(&self) -> i32 {
        task(&self.name, self.color)
    }
}

/// 方式二: `p = Myprocess('子进程1'); p.start(); print('主')`.
pub fn way_two() -> Result<()> {
    let p = MyProcess {
        name: "子进程1".to_string(),
        color: colors_enabled(),
    };
    say(
        Side::Parent,
        tr!(
            "p = Myprocess('子进程1'); p.start() -> fork(); the child calls p.run()",
            "p = Myprocess('子进程1'); p.start() -> fork()；子进程调用 p.run()"
        ),
    );
    print_main_then_join(p.start()?)
}

/// Shared by ways one and two: the parent prints 主 while the child
/// already exists but is held at the gate; then releases and joins.
fn print_main_then_join(mut p: Started) -> Result<()> {
    let (fork_called, fork_returned) = (p.fork_called_ns, p.fork_returned_ns);
    say(
        Side::Parent,
        tr!(
            "p.start() returned after {} µs: child pid {} exists, its task waits at a pipe gate",
            "p.start() {} µs 后就返回了：子进程（pid {}）已经存在，它的任务停在一个管道闸门前等着",
            (fork_returned - fork_called) / 1000,
            p.pid
        ),
    );
    let main_ns = now_ns();
    say(Side::Parent, "主");
    say(
        Side::Parent,
        tr!(
            "opening the gate (one byte into the pipe), then p.join() = waitpid()",
            "打开闸门（往管道里写一个字节），然后 p.join() = waitpid()"
        ),
    );
    p.release()?;
    let done = p.join()?;
    say(
        Side::Parent,
        tr!(
            "waitpid({}) -> {:?}; exitcode {}",
            "waitpid({}) -> {:?}；exitcode 为 {}",
            done.pid,
            done.status,
            done.exit_code()
        ),
    );
    let Some(t) = done.timeline else {
        return bail_msg(tr!(
            "child {} died before reporting its timeline",
            "子进程 {} 还没报告时间线就死了",
            done.pid
        ));
    };
    let at = |ns: u64| format!("+{} µs", ns.saturating_sub(fork_called) / 1000);
    say(Side::Kernel, tr!(
        "timeline (CLOCK_MONOTONIC, from the fork() call): fork returned in parent {}, child alive {}, \
         parent printed 主 {}, task began {}, task done {}",
        "时间线（CLOCK_MONOTONIC，从调用 fork() 算起）：父进程里 fork 返回 {}，子进程开始运行 {}，\
         父进程打印“主” {}，任务开始 {}，任务结束 {}",
        at(fork_returned), at(t.alive_ns), at(main_ns), at(t.released_ns), at(t.done_ns)
    ));
    let when = who_was_first(t.alive_ns, main_ns);
    say(
        Side::Note,
        tr!(
        "{when}; either way the parent did not wait: start() only asked the kernel for a process",
        "{when}；不管是哪种情况，父进程都没有等：start() 只是请内核创建一个进程"
    ),
    );
    Ok(())
}

/// Which ran first after `fork()`, from the child's first clock reading
/// and the parent's just before it printed 主: either can, it is up to the
/// scheduler (a loaded machine usually lets the parent go on first).
/// In the language in use.
pub fn who_was_first(child_alive_ns: u64, main_printed_ns: u64) -> &'static str {
    if child_alive_ns < main_printed_ns {
        pick(
            "the child was already running (blocked at the gate) when 主 was printed",
            "打印“主”时，子进程已经在运行了（阻塞在闸门处）",
        )
    } else {
        pick(
            "the child had not yet reached its first line after fork() when 主 was printed",
            "打印“主”时，子进程还没执行到 fork() 之后的第一行",
        )
    }
}

#[cfg(test)]
mod tests {
    use super::who_was_first;
    use demo_kit::lang::{set, Lang};

    #[test]
    fn the_note_follows_the_two_clock_readings() {
        // This test binary never asks for Chinese: English whatever the locale.
        set(Lang::En);
        assert!(who_was_first(98, 128).starts_with("the child was already running"));
        assert!(who_was_first(97, 68).starts_with("the child had not yet reached"));
    }
}
