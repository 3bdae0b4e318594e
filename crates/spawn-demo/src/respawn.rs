//! The third way: Python's `spawn` start method, done by re-executing
//! ourselves.
//!
//! Windows has no `fork()`; Python's `multiprocessing` there (and on macOS
//! by default since 3.8) starts a *fresh* interpreter, which imports the
//! main module again and then runs the target. That is why the course's
//! code needs `if __name__ == '__main__':` — without the guard, the fresh
//! child would run `p.start()` again and again.
//!
//! We do the same with `std::process::Command`: run our own executable
//! again (`fork` + `execve` inside the standard library, or `posix_spawn`),
//! with a hidden first argument [`HIDDEN`] naming the task. `main()` looks
//! at that argument first — our `if __name__ == '__main__'` guard — and runs
//! only the task. Nothing is inherited from the parent's memory: whatever
//! the child needs must travel in argv, the environment or a pipe (here
//! stdin serves as the start gate, as the gate pipe does for `fork`).

use demo_kit::say::{say, Side};
use demo_kit::{bail_msg, tr, Context, Result};
use std::io::{BufRead, Write};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Instant;

/// The hidden subcommand: `spawn-demo __child <task> [arg]`.
pub const HIDDEN: &str = "__child";

/// 方式三, the `spawn` start method: re-execute this very program, print
/// `主`, release the child through its stdin, wait for it.
pub fn way_three() -> Result<()> {
    let exe = std::env::current_exe()
        .with_context(|| tr!("finding our own executable", "找不到本程序自己的可执行文件"))?;
    say(
        Side::Parent,
        format!(
            "Command::new({:?}).args([\"{HIDDEN}\", \"course\", \"子进程2\"]).spawn()",
            exe.file_name().unwrap_or_default(),
        ),
    );
    let t = Instant::now();
    // The fresh program speaks our language: it never parses --lang.
    let mut child = demo_kit::lang::pass_to(&mut course_task(&exe, "子进程2"))
        .spawn()
        .with_context(|| tr!("re-executing {}", "重新执行 {} 失败", exe.display()))?;
    say(Side::Parent, tr!(
        "spawn() returned after {} µs: child pid {} is a fresh program; it waits for a line on its stdin",
        "spawn() {} µs 后就返回了：子进程（pid {}）是一个全新的程序，它在等 stdin 上的一行输入",
        t.elapsed().as_micros(),
        child.id()
    ));
    say(Side::Parent, "主");
    say(
        Side::Parent,
        tr!(
            "writing \"go\" to the child's stdin, then waiting for it (waitpid)",
            "往子进程的 stdin 写入 \"go\"，然后等它结束（waitpid）"
        ),
    );
    release(&mut child)?;
    let status = child.wait().with_context(|| {
        tr!(
            "waiting for the re-executed child",
            "等待重新执行的子进程失败"
        )
    })?;
    say(
        Side::Parent,
        tr!(
            "child {} ended: {status}",
            "子进程 {} 结束：{status}",
            child.id()
        ),
    );
    say(Side::Note, tr!(
        "nothing of our memory went along: the task name travelled in argv, the go-ahead through a pipe (its stdin)",
        "我们的内存一点也没带过去：任务名是通过 argv 传过去的，开始信号走的是管道（子进程的 stdin）"
    ));
    Ok(())
}

/// The command `exe __child course <name>`, with stdin as a pipe (the
/// gate). `exe` is `std::env::current_exe()` in the demo and
/// `env!("CARGO_BIN_EXE_spawn-demo")` in tests.
pub fn course_task(exe: &Path, name: &str) -> Command {
    let mut command = Command::new(exe);
    command.args([HIDDEN, "course", name]).stdin(Stdio::piped());
    command
}

/// Releases a re-executed child: writes `go` to its stdin and closes it.
pub fn release(child: &mut Child) -> Result<()> {
    let mut stdin = child.stdin.take().with_context(|| {
        tr!(
            "the child's stdin was not a pipe",
            "子进程的 stdin 不是管道"
        )
    })?;
    stdin.write_all(b"go\n").with_context(|| {
        tr!(
            "writing the start signal to the child's stdin",
            "往子进程的 stdin 写开始信号失败"
        )
    })
}

/// Runs the no-op task in a re-executed child and waits for it: one sample
/// of the `spawn` start method's cost.
pub fn run_noop(exe: &Path) -> Result<()> {
    let status = Command::new(exe)
        .args([HIDDEN, "noop"])
        .stdin(Stdio::null())
        .status()
        .with_context(|| tr!("re-executing {}", "重新执行 {} 失败", exe.display()))?;
    if !status.success() {
        return bail_msg(tr!(
            "the re-executed no-op child ended with {status}",
            "重新执行的空任务子进程以 {status} 结束"
        ));
    }
    Ok(())
}

/// The child side: called by `main` when argv[1] is [`HIDDEN`]. This is a
/// fresh program, not a forked copy, so ordinary printing is fine here.
pub fn child_entry(args: &[String]) -> Result<()> {
    match args {
        [task] if task == "noop" => Ok(()),
        [task, name] if task == "course" => {
            // The start gate: block until the parent writes a line (or closes stdin).
            let mut line = String::new();
            std::io::stdin()
                .lock()
                .read_line(&mut line)
                .with_context(|| tr!("reading the start signal from stdin", "从 stdin 读开始信号失败"))?;
            say(
                Side::Child,
                tr!(
                    "{name} is running: a fresh program (pid {}, parent {}); main() ran again and found `{HIDDEN} course` in argv",
                    "{name}：开始运行，这是一个全新的程序（pid {}，父进程 {}）；main() 又运行了一遍，在 argv 里发现了 `{HIDDEN} course`",
                    std::process::id(),
                    nix::unistd::getppid()
                ),
            );
            std::thread::sleep(std::time::Duration::from_millis(100));
            say(Side::Child, tr!("{name} is done", "{name}：运行结束"));
            Ok(())
        }
        _ => bail_msg(tr!(
            "`{HIDDEN}` is internal: the demo runs `{HIDDEN} noop` or `{HIDDEN} course NAME` itself",
            "`{HIDDEN}` 是内部用的：演示程序自己会运行 `{HIDDEN} noop` 或 `{HIDDEN} course NAME`"
        )),
    }
}
