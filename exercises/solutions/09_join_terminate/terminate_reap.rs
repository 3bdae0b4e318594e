// Exercise `terminate_reap` — lesson 09, join and terminate (join/terminate/is_alive):
// docs/09-join-terminate.md
//
// The course's `p.terminate()` "asks the OS to kill the child"; right
// after it, `p.is_alive()` can still say True: the signal is sent, the
// child has not died yet, and nobody has reaped it.
//
// Write the three methods of `Child`:
//   * `is_alive`: like Python's, ask without blocking
//     (`waitpid` with `WaitPidFlag::WNOHANG`); if the child has ended, this
//     reaps it (no zombie) and remembers how it ended in `self.ended`.
//   * `terminate`: send SIGTERM (`nix::sys::signal::kill`). Don't wait.
//   * `join`: wait until the child has ended, reap it, return how it ended.
// Once reaped, the pid is gone: never `waitpid` or `kill` it again (the
// kernel may give the number to a new process); use `self.ended` instead.

use nix::sys::signal::{kill, Signal};
use nix::sys::wait::{waitpid, WaitPidFlag, WaitStatus};
use nix::unistd::{fork, ForkResult, Pid};

/// A child process we started, like Python's `Process` object.
struct Child {
    pid: Pid,
    /// How it ended, once it was reaped: `Exited` or `Signaled`.
    ended: Option<WaitStatus>,
}

impl Child {
    /// Is the child still running? Reaps it if it has ended.
    fn is_alive(&mut self) -> bool {
        if self.ended.is_some() {
            return false;
        }
        match waitpid(self.pid, Some(WaitPidFlag::WNOHANG)) {
            Ok(WaitStatus::StillAlive) => true,
            Ok(status @ (WaitStatus::Exited(..) | WaitStatus::Signaled(..))) => {
                self.ended = Some(status);
                false
            }
            Ok(_) => true, // stopped or continued: still exists
            Err(_) => false,
        }
    }

    /// Sends SIGTERM; the child may take a moment to die.
    fn terminate(&mut self) -> nix::Result<()> {
        if self.ended.is_some() {
            return Ok(()); // already reaped: the pid is not ours any more
        }
        kill(self.pid, Signal::SIGTERM)
    }

    /// Waits for the end of the child and reaps it.
    fn join(&mut self) -> nix::Result<WaitStatus> {
        while self.ended.is_none() {
            match waitpid(self.pid, None)? {
                status @ (WaitStatus::Exited(..) | WaitStatus::Signaled(..)) => {
                    self.ended = Some(status)
                }
                _ => continue,
            }
        }
        Ok(self.ended.unwrap())
    }
}

/// Starts a child that runs `work` and exits with its result (given).
fn start(work: fn() -> i32) -> Child {
    exercises::flush_before_fork();
    // SAFETY: the child only runs `work` inside `child_main`, which `_exit`s.
    match unsafe { fork() }.expect("fork") {
        ForkResult::Child => exercises::child_main(work),
        ForkResult::Parent { child } => Child {
            pid: child,
            ended: None,
        },
    }
}

// The tests are the exercise's own, kept once: see exercises/09_join_terminate/terminate_reap.rs.
// (`cargo run -p course -- verify` runs them against this solution.)
