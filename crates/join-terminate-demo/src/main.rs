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
    use demo_kit::Side;
    use join_terminate_demo::{alive, join, leftovers, names, orphan, terminate};

    let mut args = demo_kit::cli::Args::parse(help::HELP);
    let exit_code = i32::from(args.value_in::<u8>("--exit-code", 0..=255, 7)?);
    let name = args
        .value::<String>("--name")?
        .unwrap_or_else(|| "子进程1".into());
    let subreaper = !args.flag("--no-subreaper");
    args.finish()?;
    if name.is_empty() {
        return demo_kit::bail_msg("--name must not be empty; see --help");
    }
    heading("Process methods and attributes (进程的方法与属性) as Unix calls");
    say(
        Side::Parent,
        format!("I am pid {} (os.getpid())", std::process::id()),
    );
    step(1, "join = waitpid: first a zombie, then reaped");
    join::zombie_then_join(exit_code)?;
    step(2, "terminate = kill(SIGTERM)");
    terminate::all_four()?;
    step(3, "is_alive = waitpid(WNOHANG), not kill(pid, 0)");
    alive::alive_probes()?;
    step(4, "os.getpid / os.getppid / current_process().name");
    names::name_the_child(&name)?;
    step(5, "an orphan: the parent exits first");
    orphan::orphan(subreaper)?;
    step(6, "nothing left behind");
    leftovers::nothing_left_behind()
}
