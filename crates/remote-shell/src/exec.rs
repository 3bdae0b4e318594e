//! Running one command the way a server must: in its own process group,
//! reading stdout and stderr *at the same time*, with a deadline, and
//! always reaping the child.
//!
//! The course does
//!
//! ```python
//! obj = subprocess.Popen(cmd, shell=True, stdout=PIPE, stderr=PIPE)
//! stdout_res = obj.stdout.read()    # read stdout until EOF ...
//! stderr_res = obj.stderr.read()    # ... and only then stderr
//! ```
//!
//! A pipe holds 64 KiB. A command that writes more than that to stderr
//! blocks in `write(2)` until someone reads stderr — but the server is still
//! waiting for stdout's EOF, which never comes because the command is
//! blocked. Both wait for each other forever: a deadlock. Here one `poll(2)`
//! watches both pipes (and the client's socket), and whichever has bytes is
//! read, so neither pipe can fill up while we wait on the other.
//!
//! The command runs as `sh -c CMD` in a **new process group** (`setpgid(0,
//! 0)` in the child, via `process_group(0)`), so `killpg` reaches the shell
//! *and* everything it started (`sleep`, a pipeline, a background job).
//! Whatever happens — normal exit, timeout, client gone, server stopping —
//! we `killpg` the group (after a normal exit that only kills what the
//! shell left running in the background) and `wait()` for the child:
//! nothing is left as a zombie, and nothing outlives its command.

pub use crate::groups::Groups;
pub use crate::sink::{Collect, OutputSink, Stream};
use crate::watch::{pidfd, wait_ready};
use nix::errno::Errno;
use nix::fcntl::{fcntl, FcntlArg};
use nix::sys::signal::{killpg, Signal};
use nix::sys::wait::{waitid, Id, WaitPidFlag, WaitStatus};
use nix::unistd::Pid;
use std::ffi::OsStr;
use std::io::{self, Read};
use std::os::fd::{AsFd, BorrowedFd};
use std::os::unix::ffi::OsStrExt;
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::process::{Child, ChildStderr, ChildStdout, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// How much we read from a pipe at once. We also grow each pipe from the
/// default 64 KiB to `PIPE_SIZE`: fewer, larger reads mean fewer wake-ups
/// of the command and of the server.
pub const CHUNK: usize = 256 * 1024;
const PIPE_SIZE: i32 = 1 << 20;

/// How often a waiting loop looks at the server's stop flag.
pub const TICK: Duration = Duration::from_millis(50);

/// How a command ended, as observed by the server.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Ending {
    /// It exited by itself with this status.
    Exited(i32),
    /// It was killed by a signal it did not get from us.
    Signaled(i32),
    /// Still running at the deadline: we killed its process group.
    TimedOut,
    /// The client hung up while it ran: we killed its process group.
    PeerGone,
    /// The server is shutting down: we killed its process group.
    Stopped,
    /// Writing its output failed (client not reading, output too large):
    /// we killed its process group. The text says why.
    SinkFailed(io::ErrorKind, String),
}

/// What the server observed about one command.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Outcome {
    /// The shell's pid, which is also the process group id.
    pub pid: i32,
    pub ending: Ending,
    pub stdout_bytes: u64,
    pub stderr_bytes: u64,
}

/// The limits a command runs under.
pub struct Limits<'a> {
    /// Kill the command after this long.
    pub timeout: Duration,
    /// The server's stop flag (Ctrl-C / SIGTERM).
    pub stop: &'a AtomicBool,
    /// The client's socket: if the client hangs up, kill the command.
    pub peer: Option<BorrowedFd<'a>>,
    /// Register the process group here while it runs.
    pub groups: Option<&'a Groups>,
}

/// Run `sh -c CMD`, feeding its output to `sink` as it is produced, and
/// reap it. Errors are only for failing to start it.
pub fn run(cmd: &[u8], limits: &Limits, sink: &mut dyn OutputSink) -> io::Result<Outcome> {
    let mut child = Command::new("/bin/sh")
        .arg("-c")
        .arg(OsStr::from_bytes(cmd))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(0) // setpgid(0, 0) in the child: its own group
        .spawn()?;
    let pid = child.id() as i32;
    for fd in [
        child.stdout.as_ref().map(|p| p.as_fd()),
        child.stderr.as_ref().map(|p| p.as_fd()),
    ]
    .into_iter()
    .flatten()
    {
        // Best effort: an unprivileged user may be limited to a smaller size.
        let _ = fcntl(fd, FcntlArg::F_SETPIPE_SZ(PIPE_SIZE));
    }
    if let Some(groups) = limits.groups {
        groups.insert(pid);
    }
    let mut counts = (0u64, 0u64);
    let stopped_early = pump(&mut child, limits, sink, &mut counts).err();
    // kill(-pgid, SIGKILL), whatever happened: on a timeout, a lost client
    // or a stop, this kills the shell and all it started; after a normal
    // exit it kills what the shell left behind in its group (e.g. `sleep 60
    // >/dev/null &`, which no longer holds our pipes), so no command
    // outlives its reply. The shell is not reaped yet (`pump` only looks
    // with WNOWAIT), so its pid, which is the group id, cannot have been
    // reused by an unrelated process.
    let _ = killpg(Pid::from_raw(pid), Signal::SIGKILL);
    // Close our ends of the pipes, then reap. After SIGKILL this returns
    // at once; after a normal exit the status is already there.
    drop(child.stdout.take());
    drop(child.stderr.take());
    if let Some(groups) = limits.groups {
        groups.remove(pid);
    }
    let status = child.wait()?;
    let ending = match stopped_early {
        // A stopping server shuts the sockets down, which looks like a
        // client leaving: name the real reason.
        Some(_) if limits.stop.load(Ordering::SeqCst) => Ending::Stopped,
        Some(ending) => ending,
        None => match status.code() {
            Some(code) => Ending::Exited(code),
            None => Ending::Signaled(status.signal().unwrap_or(0)),
        },
    };
    Ok(Outcome {
        pid,
        ending,
        stdout_bytes: counts.0,
        stderr_bytes: counts.1,
    })
}

/// Move output from the pipes to the sink until both pipes are closed and
/// the child has exited (`Ok(())`, the child left unreaped), or until a
/// reason to kill it (`Err(ending)`).
fn pump(
    child: &mut Child,
    limits: &Limits,
    sink: &mut dyn OutputSink,
    counts: &mut (u64, u64),
) -> Result<(), Ending> {
    let deadline = Instant::now() + limits.timeout;
    let mut stdout: Option<ChildStdout> = child.stdout.take();
    let mut stderr: Option<ChildStderr> = child.stderr.take();
    let mut buf = vec![0u8; CHUNK];
    let exit_fd = pidfd(child.id() as i32);
    loop {
        if limits.stop.load(Ordering::SeqCst) {
            return Err(Ending::Stopped);
        }
        let now = Instant::now();
        if now >= deadline {
            return Err(Ending::TimedOut);
        }
        if stdout.is_none() && stderr.is_none() {
            // Both pipes closed: the command is done writing. Usually it
            // has exited too; if it lingers, keep honouring the deadline.
            // WNOWAIT: look without reaping (the caller reaps, after killpg).
            let flags = WaitPidFlag::WEXITED | WaitPidFlag::WNOHANG | WaitPidFlag::WNOWAIT;
            match waitid(Id::Pid(Pid::from_raw(child.id() as i32)), flags) {
                Ok(WaitStatus::StillAlive) | Err(Errno::EINTR) => {}
                Ok(_) => return Ok(()),
                Err(e) => return Err(Ending::SinkFailed(io::Error::from(e).kind(), e.to_string())),
            }
        }
        let mut wait = TICK.min(deadline - now);
        let mut exited = None;
        if stdout.is_none() && stderr.is_none() {
            // Pipes closed: wait for the exit itself. A pidfd becomes
            // readable when the process ends; without one, look again soon.
            match &exit_fd {
                Some(fd) => exited = Some(fd.as_fd()),
                None => wait = wait.min(Duration::from_millis(1)),
            }
        }
        let ready = wait_ready(stdout.as_ref(), stderr.as_ref(), limits.peer, exited, wait)?;
        if ready.0 {
            read_into(&mut stdout, Stream::Stdout, &mut buf, sink, &mut counts.0)?;
        }
        if ready.1 {
            read_into(&mut stderr, Stream::Stderr, &mut buf, sink, &mut counts.1)?;
        }
    }
}

/// Read what one pipe has (poll said it would not block) and hand it to
/// the sink; EOF closes our end.
fn read_into<P: Read + AsFd>(
    pipe: &mut Option<P>,
    stream: Stream,
    buf: &mut [u8],
    sink: &mut dyn OutputSink,
    count: &mut u64,
) -> Result<(), Ending> {
    let Some(p) = pipe.as_mut() else {
        return Ok(());
    };
    // A sink may move the bytes itself, without passing through `buf`.
    let moved = match sink.splice_from(stream, p.as_fd()) {
        Some(result) => result,
        None => p.read(buf).and_then(|n| {
            if n > 0 {
                sink.output(stream, &buf[..n])?;
            }
            Ok(n)
        }),
    };
    match moved {
        Ok(0) => *pipe = None, // EOF: every writer closed its end
        Ok(n) => *count += n as u64,
        Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
        Err(e) => return Err(Ending::SinkFailed(e.kind(), e.to_string())),
    }
    Ok(())
}
