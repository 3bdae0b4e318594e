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
use demo_kit::{bail_msg, Context, Result};
use std::io::{BufRead, Write};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Instant;

/// The hidden subcommand: `spawn-demo __child <task> [arg]`.
pub const HIDDEN: &str = "__child";

/// 方式三, the `spawn` start method: re-execute this very program, print
/// `主`, release the child through its stdin, wait for it.
pub fn way_three() -> Result<()> {
    let exe = std::env::current_exe().context("finding our own executable")?;
    say(
        Side::Parent,
        format!(
            "Command::new({:?}).args([\"{HIDDEN}\", \"course\", \"子进程2\"]).spawn()",
            exe.file_name().unwrap_or_default(),
        ),
    );
    let t = Instant::now();
    let mut child = course_task(&exe, "子进程2")
        .spawn()
        .with_context(|| format!("re-executing {}", exe.display()))?;
    say(Side::Parent, format!(
        "spawn() returned after {} µs: child pid {} is a fresh program; it waits for a line on its stdin",
        t.elapsed().as_micros(),
        child.id()
    ));
    say(Side::Parent, "主");
    say(
        Side::Parent,
        "writing \"go\" to the child's stdin, then waiting for it (waitpid)",
    );
    release(&mut child)?;
    let status = child.wait().context("waiting for the re-executed child")?;
    say(
        Side::Parent,
        format!("child {} ended: {status}", child.id()),
    );
    say(Side::Note, "nothing of our memory went along: the task name travelled in argv, the go-ahead through a pipe (its stdin)");
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
    let mut stdin = child
        .stdin
        .take()
        .context("the child's stdin was not a pipe")?;
    stdin
        .write_all(b"go\n")
        .context("writing the start signal to the child's stdin")
}

/// Runs the no-op task in a re-executed child and waits for it: one sample
/// of the `spawn` start method's cost.
pub fn run_noop(exe: &Path) -> Result<()> {
    let status = Command::new(exe)
        .args([HIDDEN, "noop"])
        .stdin(Stdio::null())
        .status()
        .with_context(|| format!("re-executing {}", exe.display()))?;
    if !status.success() {
        return bail_msg(format!("the re-executed no-op child ended with {status}"));
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
                .context("reading the start signal from stdin")?;
            say(
                Side::Child,
                format!(
                    "{name} is running: a fresh program (pid {}, parent {}); main() ran again and found `{HIDDEN} course` in argv",
                    std::process::id(),
                    nix::unistd::getppid()
                ),
            );
            std::thread::sleep(std::time::Duration::from_millis(100));
            say(Side::Child, format!("{name} is done"));
            Ok(())
        }
        _ => bail_msg(format!(
            "`{HIDDEN}` is internal: the demo runs `{HIDDEN} noop` or `{HIDDEN} course NAME` itself"
        )),
    }
}
