//! `cargo run -p join-terminate-demo`: 进程的方法与属性, the course's list of a
//! process's methods, as the Unix calls underneath.
//!
//! The story follows the course's list. `join` is `waitpid`, and what it
//! collects is a zombie (step 1). `terminate` is `kill(SIGTERM)`, a request
//! the child may obey, handle, refuse or ignore — `SIGKILL` it cannot
//! (step 2). `is_alive` is `waitpid(WNOHANG)`, not `kill(pid, 0)` (step 3).
//! `os.getpid`/`os.getppid` are the kernel's numbers, while
//! `current_process().name` is invisible to it (step 4). A child whose
//! parent exits first is re-parented (step 5). Nothing is left (step 6).
//! Each step is one scenario file making the calls and narrating them.

use std::process::ExitCode;

mod help;

fn main() -> ExitCode {
    demo_kit::fail::run(run)
}

fn run() -> demo_kit::Result<()> {
    use demo_kit::say::{heading, say, step};
    use demo_kit::{tr, Side};
    use join_terminate_demo::{alive, join, leftovers, names, orphan, terminate};

    let mut args = demo_kit::cli::Args::parse((help::HELP, help::HELP_ZH));
    let exit_code = i32::from(args.value_in::<u8>("--exit-code", 0..=255, 7)?);
    let name = args
        .value::<String>("--name")?
        .unwrap_or_else(|| "子进程1".into());
    let subreaper = !args.flag("--no-subreaper");
    args.finish()?;
    if name.is_empty() {
        return demo_kit::bail_msg(tr!(
            "--name must not be empty; see --help",
            "--name 不能为空；见 --help"
        ));
    }
    heading(tr!(
        "Process methods and attributes (进程的方法与属性) as Unix calls",
        "进程的方法与属性：背后是哪些 Unix 系统调用"
    ));
    say(
        Side::Parent,
        tr!(
            "I am pid {} (os.getpid())",
            "我的 pid 是 {}（os.getpid()）",
            std::process::id()
        ),
    );
    step(
        1,
        tr!(
            "join = waitpid: first a zombie, then reaped",
            "join = waitpid：先成为僵尸进程，再被回收"
        ),
    );
    join::zombie_then_join(exit_code)?;
    step(
        2,
        tr!(
            "terminate = kill(SIGTERM)",
            "terminate = kill(SIGTERM)：发信号，请子进程退出"
        ),
    );
    terminate::all_four()?;
    step(
        3,
        tr!(
            "is_alive = waitpid(WNOHANG), not kill(pid, 0)",
            "is_alive = waitpid(WNOHANG)，而不是 kill(pid, 0)"
        ),
    );
    alive::alive_probes()?;
    step(
        4,
        tr!(
            "os.getpid / os.getppid / current_process().name",
            "os.getpid / os.getppid / current_process().name：进程号与进程名"
        ),
    );
    names::name_the_child(&name)?;
    step(
        5,
        tr!(
            "an orphan: the parent exits first",
            "孤儿进程：父进程先退出"
        ),
    );
    orphan::orphan(subreaper)?;
    step(6, tr!("nothing left behind", "没有落下任何进程"));
    leftovers::nothing_left_behind()
}
