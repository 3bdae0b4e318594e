//! `cargo run -p spawn-demo`: the course's two ways to start a process, the
//! `spawn` start method, and serial vs concurrent vs parallel — each line
//! printed from what the kernel actually did. See docs/08-spawning-processes.md.

use std::process::ExitCode;

#[cfg(unix)]
fn main() -> ExitCode {
    // Our `if __name__ == '__main__':` guard: a re-executed child (the
    // `spawn` start method) is recognised by its hidden first argument and
    // runs only its task, never the demo again.
    let argv: Vec<String> = std::env::args().skip(1).collect();
    if argv.first().map(String::as_str) == Some(spawn_demo::respawn::HIDDEN) {
        return demo_kit::fail::run(|| spawn_demo::respawn::child_entry(&argv[1..]));
    }
    demo_kit::fail::run(demo::run)
}

#[cfg(not(unix))]
fn main() -> ExitCode {
    println!("spawn-demo shows fork(), waitpid() and exec: this topic needs a Unix system (Linux, macOS, BSD).");
    ExitCode::SUCCESS
}

#[cfg(unix)]
mod speed;

#[cfg(unix)]
mod demo {
    use demo_kit::child::child_say;
    use demo_kit::cli::Args;
    use demo_kit::say::{colors_enabled, say, step};
    use demo_kit::{bail_msg, Context, Result, Side};
    use nix::unistd::{getpid, getppid};
    use spawn_demo::process::{now_ns, start, Run, Started};
    use spawn_demo::respawn;
    use std::time::{Duration, Instant};

    const HELP: &str = "\
spawn-demo — 开启进程的两种方式: how multiprocessing.Process starts a child on Unix

USAGE:
    cargo run -p spawn-demo [-- OPTIONS]

OPTIONS:
    --work-ms N   length of one CPU-bound task in the serial/concurrent/parallel
                  step, in milliseconds (default 300, 10..=5000)
    --bench       instead of the tour: median cost of fork+exit+waitpid, of our
                  start()+join(), of re-exec, and of Python's Process (fork and
                  spawn start methods) when python3 is installed
    --runs N      samples for --bench (default 200, 10..=5000)
    -h, --help    this text
";

    pub fn run() -> Result<()> {
        let mut args = Args::parse(HELP);
        let bench = args.flag("--bench");
        let work_ms = args.value::<u64>("--work-ms")?.unwrap_or(300);
        let runs = args.value::<usize>("--runs")?.unwrap_or(200);
        args.finish()?;
        if !(10..=5000).contains(&work_ms) {
            return bail_msg("--work-ms must be between 10 and 5000; see --help");
        }
        if !(10..=5000).contains(&runs) {
            return bail_msg("--runs must be between 10 and 5000; see --help");
        }
        if bench {
            crate::speed::run_bench(runs)?;
        } else {
            let color = colors_enabled();
            say(
                Side::Parent,
                format!("this is the parent, pid {}", getpid()),
            );
            way_one(color)?;
            way_two(color)?;
            way_three()?;
            crate::speed::serial_concurrent_parallel(Duration::from_millis(work_ms))?;
        }
        check_no_child_left()
    }

    /// The course's `task(x)`, run in a forked child. The course sleeps 3 s;
    /// we sleep 0.1 s. Narration goes through `child_say` (one raw write),
    /// never `println!`, because this is a forked child.
    fn task(x: &str, color: bool) -> i32 {
        let msg = format!("{x} is running (pid {}, parent {})", getpid(), getppid());
        child_say(Side::Child, msg, color);
        std::thread::sleep(Duration::from_millis(100));
        child_say(Side::Child, format!("{x} is done"), color);
        0
    }

    /// 方式一: `p = Process(target=task, args=('子进程',)); p.start(); print('主')`.
    fn way_one(color: bool) -> Result<()> {
        step(
            1,
            "方式一 Process(target=task, args=('子进程',)) = fork() + a closure",
        );
        say(
            Side::Parent,
            "p.start() -> fork(); the child will run task('子进程')",
        );
        let p = start(move || task("子进程", color))?;
        print_main_then_join(p)
    }

    /// 方式二: subclass `Process` and override `run()` — a trait in Rust.
    struct MyProcess {
        name: String,
        color: bool,
    }

    impl Run for MyProcess {
        fn run(&self) -> i32 {
            task(&self.name, self.color)
        }
    }

    fn way_two(color: bool) -> Result<()> {
        step(
            2,
            "方式二 class Myprocess(Process) with run() = a trait Run { fn run(&self) }",
        );
        let p = MyProcess {
            name: "子进程1".to_string(),
            color,
        };
        say(
            Side::Parent,
            "p = Myprocess('子进程1'); p.start() -> fork(); the child calls p.run()",
        );
        print_main_then_join(p.start()?)
    }

    /// Shared by ways one and two: the parent prints 主 while the child
    /// already exists but is held at the gate; then releases and joins.
    fn print_main_then_join(mut p: Started) -> Result<()> {
        let took = p.fork_returned_ns - p.fork_called_ns;
        say(
            Side::Parent,
            format!(
                "p.start() returned after {} µs: child pid {} exists, its task waits at a pipe gate",
                took / 1000,
                p.pid
            ),
        );
        let main_ns = now_ns();
        say(Side::Parent, "主");
        say(
            Side::Parent,
            "opening the gate (one byte into the pipe), then p.join() = waitpid()",
        );
        p.release()?;
        let (fork_called, fork_returned) = (p.fork_called_ns, p.fork_returned_ns);
        let done = p.join()?;
        say(
            Side::Parent,
            format!(
                "waitpid({}) -> {:?}; exitcode {}",
                done.pid,
                done.status,
                done.exit_code()
            ),
        );
        let Some(t) = done.timeline else {
            return bail_msg(format!(
                "child {} died before reporting its timeline",
                done.pid
            ));
        };
        let at = |ns: u64| format!("+{} µs", ns.saturating_sub(fork_called) / 1000);
        say(Side::Kernel, format!(
            "timeline (CLOCK_MONOTONIC, from the fork() call): fork returned in parent {}, child alive {}, \
             parent printed 主 {}, task began {}, task done {}",
            at(fork_returned), at(t.alive_ns), at(main_ns), at(t.released_ns), at(t.done_ns)
        ));
        let when = if t.alive_ns < main_ns {
            "the child was already running (blocked at the gate) when 主 was printed"
        } else {
            "the child had not run a single instruction yet when 主 was printed"
        };
        say(Side::Note, format!("{when}; either way the parent did not wait: start() only asked the kernel for a process"));
        Ok(())
    }

    /// 方式三: the `spawn` start method — re-execute this very program.
    fn way_three() -> Result<()> {
        step(
            3,
            "the spawn start method (Windows, macOS) = re-execute this program",
        );
        let exe = std::env::current_exe().context("finding our own executable")?;
        say(
            Side::Parent,
            format!(
                "Command::new({:?}).args([\"{}\", \"course\", \"子进程2\"]).spawn()",
                exe.file_name().unwrap_or_default(),
                respawn::HIDDEN
            ),
        );
        let t = Instant::now();
        let mut child = respawn::start_course_task(&exe, "子进程2")?;
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
        respawn::release(&mut child)?;
        let status = child.wait().context("waiting for the re-executed child")?;
        say(
            Side::Parent,
            format!("child {} ended: {status}", child.id()),
        );
        say(Side::Note, "nothing of our memory went along: the task name travelled in argv, the start signal through a pipe");
        Ok(())
    }

    fn check_no_child_left() -> Result<()> {
        if spawn_demo::no_child_left() {
            say(
                Side::Kernel,
                "no child left: waitpid(-1, WNOHANG) says ECHILD — every child was reaped",
            );
            Ok(())
        } else {
            bail_msg("a child process was left behind (waitpid(-1, WNOHANG) did not say ECHILD)")
        }
    }
}
