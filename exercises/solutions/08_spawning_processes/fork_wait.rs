// Exercise `fork_wait` — lesson 08, spawning processes (开启进程):
// docs/08-spawning-processes.md
//
// Python's `p.start()` asks the OS for a new process; `p.join()` waits for
// it. Underneath on Linux: `fork()` and `waitpid()`.
//
// Write `start_all`: start one child per entry of `codes`, ALL before
// waiting for any (they run at the same time); child `i` just exits with
// status `codes[i]`. Then write `join`: wait for one child and return its
// exit status. A child that has ended but was not waited for is a zombie
// (僵尸进程): the tests check that none is left.
//
// Fork rules (see `exercises::child_main`): call
// `exercises::flush_before_fork()` before `fork()`, and in the child branch
// run `exercises::child_main(|| code)`, which ends the child with `_exit`.

use nix::sys::wait::{waitpid, WaitStatus};
use nix::unistd::{fork, ForkResult, Pid};

/// Starts one child per code; each exits with its code. Returns their pids.
fn start_all(codes: &[i32]) -> nix::Result<Vec<Pid>> {
    let mut pids = Vec::new();
    for &code in codes {
        exercises::flush_before_fork();
        // SAFETY: the child only runs `child_main`, which calls `_exit`.
        match unsafe { fork() }? {
            ForkResult::Child => exercises::child_main(|| code),
            ForkResult::Parent { child } => pids.push(child),
        }
    }
    Ok(pids)
}

/// Waits for the child `pid` to end and returns its exit status.
fn join(pid: Pid) -> nix::Result<i32> {
    loop {
        match waitpid(pid, None)? {
            WaitStatus::Exited(_, code) => return Ok(code),
            // Killed by a signal: report it the way a shell does (128 + signal).
            WaitStatus::Signaled(_, signal, _) => return Ok(128 + signal as i32),
            _ => continue, // stopped/continued: not the end yet
        }
    }
}

// The tests are the exercise's own, kept once: see exercises/08_spawning_processes/fork_wait.rs.
// (`cargo run -p course -- verify` runs them against this solution.)
