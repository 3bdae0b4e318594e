// Exercise `daemonize` — lesson 11, daemons (守护进程):
// docs/11-daemon.md
//
// Python's `p.daemon = True` means "kill this child when the parent ends".
// A Unix daemon is the opposite: a process that outlives the one that
// started it, detached from any terminal. The classic recipe:
//   1. fork; the parent keeps going (here: it waits for a report)
//   2. in the child: `setsid()` — a new session, no controlling terminal
//   3. fork again and let the first child `_exit(0)`: the grandchild is not
//      a session leader, so it can never acquire a terminal again
//   4. the grandchild runs `daemon_body` (given; it never returns)
//   5. the parent reaps the first child (no zombie) and reads the report
//      that `daemon_body` writes into a pipe you create: one line of facts.
// Write `start_daemon`. Each child branch runs inside
// `exercises::child_main(|| ...)`; flush before each fork.

use nix::unistd::{fork, getpgrp, getpid, getsid, pipe, setsid, ForkResult, Pid};
use std::fs::File;
use std::io::{Read, Write};
use std::os::fd::OwnedFd;

/// What the daemon reported about itself.
#[derive(Debug)]
struct Facts {
    pid: Pid,
    sid: Pid,
    pgid: Pid,
}

/// Starts `daemon_body` as a daemon; returns its report.
fn start_daemon() -> nix::Result<Facts> {
    let (read_end, write_end) = pipe()?;
    exercises::flush_before_fork();
    // SAFETY: both children only run inside `child_main`, which `_exit`s.
    match unsafe { fork() }? {
        ForkResult::Child => exercises::child_main(move || {
            drop(read_end);
            if setsid().is_err() {
                return 1;
            }
            exercises::flush_before_fork();
            match unsafe { fork() } {
                Ok(ForkResult::Child) => exercises::child_main(move || daemon_body(write_end)),
                Ok(ForkResult::Parent { .. }) => 0,
                Err(_) => 2,
            }
        }),
        ForkResult::Parent { child } => {
            drop(write_end);
            nix::sys::wait::waitpid(child, None)?;
            let mut line = String::new();
            File::from(read_end)
                .read_to_string(&mut line)
                .map_err(|_| nix::Error::EIO)?;
            parse_facts(&line).ok_or(nix::Error::EIO)
        }
    }
}

/// The daemon's work (given). Reports "pid sid pgid" on `report`, closes it,
/// moves to "/", leaves the terminal's stdio for /dev/null, then idles for
/// at most 60 s (a real daemon would serve until told to stop).
fn daemon_body(report: OwnedFd) -> i32 {
    let facts = format!(
        "{} {} {}\n",
        getpid(),
        getsid(None).map_or(-1, |p| p.as_raw()),
        getpgrp()
    );
    let mut report = File::from(report);
    let _ = report.write_all(facts.as_bytes());
    drop(report); // the parent's read sees end-of-file
                  // Hold on to no directory (it could not be unmounted) and no terminal.
    let _ = std::env::set_current_dir("/");
    if let Ok(null) = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open("/dev/null")
    {
        let _ = nix::unistd::dup2_stdin(&null);
        let _ = nix::unistd::dup2_stdout(&null);
        let _ = nix::unistd::dup2_stderr(&null);
    }
    // A real daemon would serve requests here until told to stop.
    std::thread::sleep(std::time::Duration::from_secs(60));
    0
}

fn parse_facts(line: &str) -> Option<Facts> {
    let mut n = line.split_whitespace().map(|w| w.parse::<i32>().ok());
    Some(Facts {
        pid: Pid::from_raw(n.next()??),
        sid: Pid::from_raw(n.next()??),
        pgid: Pid::from_raw(n.next()??),
    })
}

// The tests are the exercise's own, kept once: see exercises/11_daemon/daemonize.rs.
// (`cargo run -p course -- verify` runs them against this solution.)
