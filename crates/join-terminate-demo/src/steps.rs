//! The demo's steps, in the order of the course's list of methods. Each
//! step calls the library (which runs real processes) and narrates the
//! facts it returns — nothing here is a canned result.

use demo_kit::cli::Args;
use demo_kit::say::{heading, say, step};
use demo_kit::{Error, Result, Side};
use join_terminate_demo::process::describe;
use join_terminate_demo::terminate::{terminate, Disposition, TerminateReport};

/// The command line (only step 2 runs outside Linux, using none of it).
#[cfg_attr(not(target_os = "linux"), allow(dead_code))]
struct Options {
    exit_code: i32,
    name: String,
    subreaper: bool,
}

pub fn run() -> Result<()> {
    let mut args = Args::parse(super::HELP);
    let exit_code = args.value::<u8>("--exit-code")?.unwrap_or(7) as i32;
    let name = args
        .value::<String>("--name")?
        .unwrap_or_else(|| "子进程1".to_string());
    let subreaper = !args.flag("--no-subreaper");
    args.finish()?;
    if name.is_empty() {
        return Err(Error::msg("--name must not be empty; see --help"));
    }
    let opts = Options {
        exit_code,
        name,
        subreaper,
    };
    heading("Process methods and attributes (进程的方法与属性) as Unix calls");
    say(
        Side::Parent,
        format!("I am pid {} (os.getpid())", nix::unistd::getpid()),
    );
    linux::all(&opts)
}

/// Python's `p.exitcode` as Python prints it.
fn py(code: Option<i32>) -> String {
    code.map_or("None".to_string(), |c| c.to_string())
}

/// Step 2, plain POSIX.
fn terminate_step() -> Result<()> {
    for d in [
        Disposition::Default,
        Disposition::CleanupThenDie,
        Disposition::CatchAndCarryOn,
        Disposition::Ignore,
    ] {
        narrate_terminate(&terminate(d)?);
    }
    Ok(())
}

fn narrate_terminate(r: &TerminateReport) {
    let who = match r.disposition {
        Disposition::Default => "a child with the default action for SIGTERM",
        Disposition::CleanupThenDie => "a child whose SIGTERM handler cleans up, then re-raises",
        Disposition::CatchAndCarryOn => "a child whose SIGTERM handler just returns",
        Disposition::Ignore => "a child that ignores SIGTERM (SIG_IGN)",
    };
    say(Side::Parent, format!("pid {}: {who}", r.pid));
    if let Some(true) = r.ignored_per_proc {
        say(
            Side::Kernel,
            "/proc/<pid>/status SigIgn has bit 15 set: SIGTERM is ignored",
        );
    }
    say(
        Side::Parent,
        "p.terminate() → kill(pid, SIGTERM): returned at once",
    );
    if r.handler_ran {
        say(
            Side::Child,
            "(through the pipe) my SIGTERM handler is running",
        );
    }
    let alive = if r.alive_right_after { "True" } else { "False" };
    match r.disposition {
        Disposition::Default if r.alive_right_after => say(
            Side::Note,
            format!("observed: p.is_alive() right after kill() = {alive} — kill() only marked the signal pending; the child dies when the kernel next runs it"),
        ),
        Disposition::Default => say(
            Side::Note,
            format!("observed: p.is_alive() right after kill() = {alive} — on this machine the child had already run and died (that call also reaped it)"),
        ),
        Disposition::CleanupThenDie => say(
            Side::Note,
            format!("observed: p.is_alive() = {alive} while the handler runs — \"how long it takes is up to the OS\", and here up to the child's cleanup"),
        ),
        _ => say(
            Side::Note,
            format!("observed: it answered a ping sent after SIGTERM → it survived; p.is_alive() = {alive}"),
        ),
    }
    if r.sent_sigkill {
        say(
            Side::Parent,
            "p.kill() → kill(pid, SIGKILL): cannot be caught, blocked or ignored",
        );
    }
    say(
        Side::Parent,
        format!(
            "p.join() → waitpid = {}; Python's p.exitcode = {}; {:.1} ms from SIGTERM to reaped",
            describe(r.status),
            py(r.exitcode),
            r.elapsed.as_secs_f64() * 1e3
        ),
    );
}

#[cfg(not(target_os = "linux"))]
mod linux {
    use super::*;
    pub fn all(_: &Options) -> Result<()> {
        say(
            Side::Note,
            "steps 1, 3, 4 and 5 are Linux-only here (/proc, waitid(WNOWAIT), prctl); running step 2",
        );
        step(2, "terminate = kill(SIGTERM)");
        terminate_step()
    }
}

#[cfg(target_os = "linux")]
mod linux;
