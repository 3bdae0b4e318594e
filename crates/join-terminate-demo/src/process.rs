//! Python's `multiprocessing.Process` object, reduced to the system calls
//! underneath it.
//!
//! A `Process` in the course is a handle the parent keeps for one child.
//! Every method the course lists is one Unix call:
//!
//! | Python               | here                  | Unix call                         |
//! |----------------------|-----------------------|-----------------------------------|
//! | `p.start()`          | [`Child::start`]      | `fork()`                          |
//! | `p.join()`           | [`Child::join`]       | `waitpid(pid, 0)`                 |
//! | `p.is_alive()`       | [`Child::is_alive`]   | `waitpid(pid, WNOHANG)`           |
//! | `p.terminate()`      | [`Child::terminate`]  | `kill(pid, SIGTERM)`              |
//! | `p.kill()`           | [`Child::kill`]       | `kill(pid, SIGKILL)`              |
//! | `p.exitcode`         | [`Child::exitcode`]   | decoded wait status               |
//! | `p.pid`              | [`Child::pid`]        | the value `fork()` returned       |

use demo_kit::child::{child_main, exit_code, flush_before_fork, waitpid_retrying};
use demo_kit::{tr, Context, Result};
use nix::sys::signal::{kill, Signal};
use nix::sys::wait::{waitpid, WaitPidFlag, WaitStatus};
use nix::unistd::{fork, ForkResult, Pid};
use std::time::Duration;

/// How long the parent waits for a child's answer before giving up. Generous:
/// the tests run on a loaded 2-core machine.
pub const TIMEOUT: Duration = Duration::from_secs(20);

/// One child process and what the parent knows about it.
///
/// If the handle is dropped before the child was reaped (an error path), the
/// child is killed with `SIGKILL` and reaped, so no demo ever leaves a zombie.
#[derive(Debug)]
pub struct Child {
    pid: Pid,
    /// The wait status once the child has been reaped (Python caches
    /// `returncode` the same way: a pid can be waited for only once).
    status: Option<WaitStatus>,
}

impl Child {
    /// `p.start()`: `fork()`. The child runs `work` and `_exit`s with the code
    /// it returns (101 if it panics); the parent gets the handle at once and
    /// runs on — `start` does not wait for the child to do anything.
    ///
    /// `work` runs in a forked copy of a possibly multi-threaded process: it
    /// must follow the fork rules of [`demo_kit::child`] (no `println!`).
    pub fn start(work: impl FnOnce() -> i32) -> Result<Child> {
        flush_before_fork();
        // SAFETY: the child branch only runs `work` inside `child_main`,
        // which never returns (it ends with `_exit`).
        let forked = unsafe { fork() }.with_context(|| {
            tr!(
                "fork() failed (too many processes? see `ulimit -u`)",
                "fork() 失败（进程太多了？看看 `ulimit -u`）"
            )
        })?;
        match forked {
            ForkResult::Parent { child } => Ok(Child {
                pid: child,
                status: None,
            }),
            ForkResult::Child => child_main(work),
        }
    }

    /// `p.pid`.
    pub fn pid(&self) -> Pid {
        self.pid
    }

    /// `p.join()`: `waitpid(pid, 0)` blocks until the child has exited, then
    /// *reaps* it — the kernel frees the zombie and hands over its status.
    pub fn join(&mut self) -> Result<WaitStatus> {
        if let Some(status) = self.status {
            return Ok(status);
        }
        let status = waitpid_retrying(self.pid).context("join")?;
        self.status = Some(status);
        Ok(status)
    }

    /// `p.is_alive()`: `waitpid(pid, WNOHANG)` asks "has it exited?" without
    /// blocking. If it has, that same call reaps it (Python's `is_alive` does
    /// exactly this, through `Popen.poll`), so a zombie is never "alive".
    pub fn is_alive(&mut self) -> Result<bool> {
        if self.status.is_some() {
            return Ok(false);
        }
        match waitpid(self.pid, Some(WaitPidFlag::WNOHANG))
            .with_context(|| format!("waitpid({}, WNOHANG) (is_alive)", self.pid))?
        {
            WaitStatus::StillAlive => Ok(true),
            status => {
                self.status = Some(status);
                Ok(false)
            }
        }
    }

    /// `p.terminate()`: `kill(pid, SIGTERM)`. Only *asks*: the child may catch
    /// or ignore it. Like Python, does nothing once the child is reaped (its
    /// pid may already belong to someone else).
    pub fn terminate(&self) -> Result<()> {
        self.signal(Signal::SIGTERM)
    }

    /// `p.kill()`: `kill(pid, SIGKILL)`, the signal no process can refuse.
    pub fn kill(&self) -> Result<()> {
        self.signal(Signal::SIGKILL)
    }

    fn signal(&self, sig: Signal) -> Result<()> {
        if self.status.is_none() {
            kill(self.pid, sig).with_context(|| format!("kill({}, {sig})", self.pid))?;
        }
        Ok(())
    }

    /// The status once reaped (`None` while not reaped).
    pub fn status(&self) -> Option<WaitStatus> {
        self.status
    }

    /// `p.exitcode`: `None` while not reaped, the exit code, or minus the
    /// signal number that killed it (`-15` for `SIGTERM`).
    pub fn exitcode(&self) -> Option<i32> {
        self.status.and_then(exit_code)
    }
}

impl Drop for Child {
    fn drop(&mut self) {
        if self.status.is_none() {
            let _ = kill(self.pid, Signal::SIGKILL);
            let _ = waitpid_retrying(self.pid);
        }
    }
}

/// A wait status in plain words, e.g. `Exited(7)` or `Signaled(SIGTERM)`.
pub fn describe(status: WaitStatus) -> String {
    match status {
        WaitStatus::Exited(_, code) => format!("Exited({code})"),
        WaitStatus::Signaled(_, sig, core) => {
            format!(
                "Signaled({sig}){}",
                if core { " (core dumped)" } else { "" }
            )
        }
        WaitStatus::StillAlive => "StillAlive".to_string(),
        other => format!("{other:?}"),
    }
}

/// Python's `p.exitcode` as Python prints it (`None` before the child is
/// reaped).
pub fn py(code: Option<i32>) -> String {
    code.map_or("None".to_string(), |c| c.to_string())
}
