//! `multiprocessing.Process` underneath: `fork()` plus two pipes.
//!
//! The course's `p = Process(target=task, args=(..,)); p.start()` asks the
//! operating system for a new process and returns at once. On Linux (with
//! the `fork` start method) that request is the `fork()` system call: the
//! kernel copies the calling process, and from then on two processes run the
//! same code; `fork` returns the child's pid in the parent and 0 in the child.
//! The child then runs the target and exits; `p.join()` is `waitpid()`.
//!
//! [`start`] does exactly that, with two pipes, like Python's own
//! `Process` (which keeps a "sentinel" pipe to each child):
//!
//! * a **gate**: the child blocks in `read()` on it until the parent calls
//!   [`Started::release`]. So "the parent ran on after `start()`" is not a
//!   matter of luck in our demo: the parent prints `主` *before* it lets the
//!   task run, and the child provably already exists (it has a pid);
//! * a **report** pipe: the child writes three timestamps from the shared
//!   `CLOCK_MONOTONIC` clock (alive, released, task done) before it exits,
//!   so the parent can print a real timeline instead of a story.
//!
//! The child follows the fork rules of `demo_kit::child`: output flushed
//! before `fork`, no `println!` in the child, `_exit` at the end, a panic
//! becomes exit status 101.

use demo_kit::child::{child_main, exit_code, flush_before_fork, waitpid_retrying, write_fd};
use demo_kit::report::{recv_exact, words};
use demo_kit::{Context, Result};
use nix::libc;
use nix::sys::wait::WaitStatus;
use nix::unistd::{fork, ForkResult, Pid};
use std::os::fd::{AsRawFd, OwnedFd};
use std::time::Duration;

/// Nanoseconds on `CLOCK_MONOTONIC`. The clock is system-wide, so times
/// taken in the parent and in the child can be compared directly.
pub fn now_ns() -> u64 {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a valid timespec; clock_gettime is async-signal-safe.
    unsafe { libc::clock_gettime(libc::CLOCK_MONOTONIC, &mut ts) };
    ts.tv_sec as u64 * 1_000_000_000 + ts.tv_nsec as u64
}

/// The course's method two: subclass `Process` and override `run()`.
/// In Rust a trait plays the subclass; `start()` forks and calls `run`
/// in the child, exactly as Python's `start()` ends up calling `self.run()`.
pub trait Run {
    /// The child's whole work; the return value is its exit status.
    fn run(&self) -> i32;

    /// `p.start()`: fork a child that will call `self.run()`.
    fn start(&self) -> Result<Started>
    where
        Self: Sized,
    {
        start(|| self.run())
    }
}

/// A started child, seen from the parent (what `p` is after `p.start()`).
pub struct Started {
    /// The child's process id, known as soon as `fork()` returned.
    pub pid: Pid,
    /// Parent's clock just before calling `fork()`.
    pub fork_called_ns: u64,
    /// Parent's clock right after `fork()` returned in the parent.
    pub fork_returned_ns: u64,
    gate: Option<OwnedFd>,
    report: OwnedFd,
    reaped: bool,
}

/// What the child told us through the report pipe.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ChildTimeline {
    /// The child's first clock reading after `fork()` returned 0 in it (its
    /// first line of Rust after the fork; glibc's own after-fork code ran before).
    pub alive_ns: u64,
    /// When the parent's release byte arrived and the task began.
    pub released_ns: u64,
    /// When the task returned.
    pub done_ns: u64,
}

impl ChildTimeline {
    /// The 24 bytes the child writes into the report pipe: the three times
    /// in native byte order (both ends run on this machine). No allocation:
    /// the child of a multi-threaded parent may only make plain system calls.
    pub fn to_bytes(&self) -> [u8; 24] {
        let mut record = [0u8; 24];
        let times = [self.alive_ns, self.released_ns, self.done_ns];
        for (slot, t) in record.chunks_exact_mut(8).zip(times) {
            slot.copy_from_slice(&t.to_ne_bytes());
        }
        record
    }

    /// Reads what [`ChildTimeline::to_bytes`] wrote.
    pub fn from_bytes(record: &[u8]) -> Option<ChildTimeline> {
        match words(record)[..] {
            [alive_ns, released_ns, done_ns] => Some(ChildTimeline {
                alive_ns,
                released_ns,
                done_ns,
            }),
            _ => None,
        }
    }
}

/// A joined (reaped) child.
#[derive(Debug)]
pub struct Finished {
    pub pid: Pid,
    /// What `waitpid` said, e.g. `Exited(pid, 0)`.
    pub status: WaitStatus,
    /// `None` if the child died before reporting (for example it panicked).
    pub timeline: Option<ChildTimeline>,
}

impl Finished {
    /// The exit code, like Python's `p.exitcode` (negative = killed by that signal).
    pub fn exit_code(&self) -> i32 {
        exit_code(self.status).unwrap_or(i32::MIN)
    }
}

/// The course's method one, `Process(target=task, args=..).start()`:
/// fork a child that waits at the gate, then runs `task` and `_exit`s
/// with its return value. Returns in the parent as soon as `fork()` did.
pub fn start(task: impl FnOnce() -> i32) -> Result<Started> {
    let (gate_r, gate_w) = pipe_cloexec().context("creating the start gate pipe")?;
    let mut child = start_behind(&gate_r, &gate_w, task)?;
    child.gate = Some(gate_w);
    Ok(child)
}

/// Two children behind ONE gate, released at the same instant by
/// [`Gate::open`]: closing the gate's only write end is an end of file that
/// wakes every reader of the pipe at once (fs/pipe.c: pipe_release wakes
/// all waiters), where two `release()` calls are two system calls, and a
/// busy machine may run the first child for a whole time slice before the
/// parent makes the second.
pub fn start_together(task: impl FnOnce() -> i32 + Copy) -> Result<(Gate, [Started; 2])> {
    let (gate_r, gate_w) = pipe_cloexec().context("creating the start gate pipe")?;
    let a = start_behind(&gate_r, &gate_w, task)?;
    let b = start_behind(&gate_r, &gate_w, task)?;
    Ok((Gate(gate_w), [a, b]))
}

/// The write end of a gate shared by several children.
pub struct Gate(OwnedFd);

impl Gate {
    /// Opens the gate for every child behind it at once. The end of file
    /// comes when no process holds the write end any more: a child that
    /// another thread forked meanwhile holds a copy (fork(2)) until it
    /// exits or execs, which only a multi-threaded program (a test) meets.
    pub fn open(self) {
        drop(self.0);
    }
}

/// Forks a child that waits at the gate `gate_r` (whose write end the
/// parent keeps in `gate_w`), then runs `task`.
fn start_behind(gate_r: &OwnedFd, gate_w: &OwnedFd, task: impl FnOnce() -> i32) -> Result<Started> {
    let (report_r, report_w) = pipe_cloexec().context("creating the report pipe")?;
    flush_before_fork();
    let fork_called_ns = now_ns();
    // SAFETY: the child only makes async-signal-safe calls (read, write,
    // close, clock_gettime, _exit) plus whatever `task` does under the same
    // rules.
    match unsafe { fork() }.context("fork() failed (too many processes? see `ulimit -u`)")? {
        ForkResult::Child => child_main(move || {
            let alive_ns = now_ns();
            // Close the parent's ends, so a dead parent means EOF on the gate.
            // SAFETY: closing this process's copy of the gate's write end.
            unsafe { libc::close(gate_w.as_raw_fd()) };
            drop(report_r);
            wait_at_gate(gate_r);
            let released_ns = now_ns();
            let code = task();
            let timeline = ChildTimeline {
                alive_ns,
                released_ns,
                done_ns: now_ns(),
            };
            write_fd(report_w.as_raw_fd(), &timeline.to_bytes());
            code
        }),
        ForkResult::Parent { child } => {
            let fork_returned_ns = now_ns();
            drop(report_w);
            Ok(Started {
                pid: child,
                fork_called_ns,
                fork_returned_ns,
                gate: None,
                report: report_r,
                reaped: false,
            })
        }
    }
}

impl Started {
    /// Opens the gate: writes one byte, which the child's `read()` returns.
    pub fn release(&mut self) -> Result<()> {
        if let Some(gate) = self.gate.take() {
            nix::unistd::write(&gate, b"g")
                .with_context(|| format!("releasing child {} through its gate pipe", self.pid))?;
        }
        Ok(())
    }

    /// `p.join()`: releases the child if needed, then `waitpid()` — the
    /// parent sleeps in the kernel until the child has exited and is reaped.
    /// Our end of the gate is closed either way, so a child still at the
    /// gate is never left waiting for a byte.
    pub fn join(mut self) -> Result<Finished> {
        self.release()?;
        drop(self.gate.take());
        let status = waitpid_retrying(self.pid)?;
        self.reaped = true;
        // The child has exited, so everything it wrote is in the pipe now,
        // followed by end-of-file: a child that died before reporting (a
        // panic) simply has no timeline.
        let record = recv_exact(&self.report, 24, Duration::from_secs(5), "its timeline").ok();
        let timeline = record.as_deref().and_then(ChildTimeline::from_bytes);
        Ok(Finished {
            pid: self.pid,
            status,
            timeline,
        })
    }
}

impl Drop for Started {
    /// A started child is always reaped, even if the parent bails out early
    /// (an error path): it is killed first, so that this never waits for a
    /// task that might run for seconds — or hang.
    fn drop(&mut self) {
        if !self.reaped {
            let _ = nix::sys::signal::kill(self.pid, nix::sys::signal::Signal::SIGKILL);
            let _ = waitpid_retrying(self.pid);
        }
    }
}

/// Blocks in `read()` until the parent writes a byte or closes the gate.
fn wait_at_gate(gate: &OwnedFd) {
    let mut byte = [0u8; 1];
    loop {
        // SAFETY: reading into a live one-byte buffer.
        let n = unsafe { libc::read(gate.as_raw_fd(), byte.as_mut_ptr().cast(), 1) };
        if n < 0 && std::io::Error::last_os_error().kind() == std::io::ErrorKind::Interrupted {
            continue;
        }
        return;
    }
}

/// A pipe whose ends are closed on `exec`, so a program started by another
/// thread (e.g. a parallel test) does not keep our pipe open. `pipe2`
/// sets the flag atomically (pipe(2)); `pipe` + `fcntl` would leave a short
/// window in which another thread's `exec` could inherit it.
pub fn pipe_cloexec() -> Result<(OwnedFd, OwnedFd)> {
    nix::unistd::pipe2(nix::fcntl::OFlag::O_CLOEXEC).context("pipe2(O_CLOEXEC) failed")
}
