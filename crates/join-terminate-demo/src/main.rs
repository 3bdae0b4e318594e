//! `cargo run -p join-terminate-demo`: the course's process methods
//! (join, terminate, is_alive, os.getpid, os.getppid, current_process().name)
//! as the Unix calls underneath, plus an orphan — narrated from what the
//! kernel actually reported.

use std::process::ExitCode;

const HELP: &str = "\
join-terminate-demo — what Python's Process methods do in the kernel

USAGE: cargo run -p join-terminate-demo [-- OPTIONS]

Steps: 1 join = waitpid (a zombie, then reaped) · 2 terminate = kill(SIGTERM)
(obeyed, handled, refused, ignored; SIGKILL) · 3 is_alive = waitpid(WNOHANG)
vs kill(pid, 0) · 4 getpid/getppid and the process name (prctl) · 5 an orphan
re-parented · 6 check that no child is left.

OPTIONS:
  --exit-code N    exit code of the child that becomes a zombie (0-255, default 7)
  --name NAME      name for the child (default 子进程1; the kernel keeps 15 bytes)
  --no-subreaper   step 5 without PR_SET_CHILD_SUBREAPER: let the kernel pick
                   the orphan's new parent (init or a subreaper above us)
  -h, --help       this text

Linux-only parts: /proc, waitid(WNOWAIT), prctl. Other Unixes run step 2 only.";

fn main() -> ExitCode {
    demo_kit::fail::run(run)
}

#[cfg(not(unix))]
fn run() -> demo_kit::Result<()> {
    let _ = demo_kit::cli::Args::parse(HELP);
    demo_kit::say::say(
        demo_kit::Side::Note,
        "this topic needs Unix (fork, waitpid, kill); on Windows Python's \
         multiprocessing uses CreateProcess instead. Nothing to show here.",
    );
    Ok(())
}

#[cfg(unix)]
fn run() -> demo_kit::Result<()> {
    steps::run()
}

#[cfg(unix)]
mod steps;
