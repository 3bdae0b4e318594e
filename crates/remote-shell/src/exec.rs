//! Running one command the way a server must: under a keeper, in its own
//! process group, reading stdout and stderr *at the same time*, with a
//! deadline, and always reaping everything it started.
//!
//! The course does
//!
//! ```python
//! obj = subprocess.Popen(cmd, shell=True, stdout=PIPE, stderr=PIPE)
//! stdout_res = obj.stdout.read()    # read stdout until EOF ...
//! stderr_res = obj.stderr.read()    # ... and only then stderr
//! ```
//!
//! A pipe holds 16 pages by default (64 KiB with 4 KiB pages, pipe(7)). A
//! command that writes more than that to stderr blocks in `write(2)` until
//! someone reads stderr — but the server is still waiting for stdout's EOF,
//! which never comes because the command is blocked. Both wait for each other forever: a deadlock. Here one `poll(2)`
//! watches both pipes (and the client's socket), and whichever has bytes is
//! read, so neither pipe can fill up while we wait on the other.
//!
//! The command runs as `sh -c CMD` under a **keeper** (see [`crate::keeper`]),
//! a small forked process, one per connection, that is a child subreaper:
//! whatever the command starts, even in a new session (`setsid`) or by
//! double-forking, stays below the keeper. When the shell exits, or when we
//! tell the keeper to stop (timeout, client gone, server stopping), the
//! keeper SIGKILLs the shell's process group and then every process left
//! below it, reaps them all, and only then sends its report. When the
//! report arrives, nothing the command started is left, and nothing is a
//! zombie.

use crate::keeper::Keeper;
pub use crate::running::Running;
pub use crate::sink::{Collect, OutputSink, Stream};
use crate::watch::wait_ready;
use nix::fcntl::{fcntl, FcntlArg};
use std::fs::File;
use std::io::{self, Read};
use std::os::fd::{AsFd, BorrowedFd};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// How much we read from a pipe at once. We also grow each pipe from the
/// default 16 pages (64 KiB with 4 KiB pages) to `PIPE_SIZE`: fewer, larger reads mean fewer wake-ups
/// of the command and of the server.
pub const CHUNK: usize = 256 * 1024;
const PIPE_SIZE: i32 = 1 << 20;

/// Coalescing, like Nagle's algorithm for a pipe. A command such as `head`
/// writes 4 KiB at a time; read each piece as soon as it lands and the
/// server wakes, reads and sends a frame for every 4-12 KiB (17,000 frames
/// for 200 MB), and fights the command for the pipe's lock. So after a
/// read of at least `COALESCE_FROM` bytes that emptied the pipe (less than
/// `CHUNK`), we wait `COALESCE` before reading again: the pipe fills, and
/// the next read takes a whole `CHUNK`. Small output (a prompt, a line of
/// `ping`) is never delayed: it is under `COALESCE_FROM`. Measured by
/// `examples/bench.rs`: 200 MB framed took 0.26-0.30 s without, 0.18-0.20 s
/// with.
const COALESCE_FROM: usize = 4096;
const COALESCE: Duration = Duration::from_micros(250);

/// How often a waiting loop looks at the server's stop flag.
pub const TICK: Duration = Duration::from_millis(50);

/// How a command ended, as observed by the server.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Ending {
    /// It exited by itself with this status.
    Exited(i32),
    /// It was killed by a signal it did not get from us.
    Signaled(i32),
    /// Still running at the deadline: the keeper killed it all.
    TimedOut,
    /// The client hung up while it ran: the keeper killed it all.
    PeerGone,
    /// The server is shutting down: the keeper killed it all.
    Stopped,
    /// Writing its output failed (client not reading, output too large):
    /// the keeper killed it all. The text says why.
    SinkFailed(io::ErrorKind, String),
}

/// What the server observed about one command.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Outcome {
    /// The shell's pid, which is also its process group id.
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
    /// Register the command's keeper here while it runs.
    pub running: Option<&'a Running>,
}

/// Run `sh -c CMD` under a keeper of its own, feeding its output to
/// `sink` as it is produced, and reap it all. Errors are only for failing
/// to start it. (A server keeps one keeper per connection: [`run_kept`].)
pub fn run(cmd: &[u8], limits: &Limits, sink: &mut dyn OutputSink) -> io::Result<Outcome> {
    run_kept(&mut None, cmd, limits, sink)
}

/// [`run`] under the connection's keeper in `slot`, started if there is
/// none yet (or the last one is gone).
pub fn run_kept(
    slot: &mut Option<Keeper>,
    cmd: &[u8],
    limits: &Limits,
    sink: &mut dyn OutputSink,
) -> io::Result<Outcome> {
    let (keeper, (stdout, stderr)) = launch(slot, cmd)?;
    for pipe in [&stdout, &stderr] {
        // Best effort: an unprivileged user may be limited to a smaller size.
        let _ = fcntl(pipe.as_fd(), FcntlArg::F_SETPIPE_SZ(PIPE_SIZE));
    }
    if let Some(running) = limits.running {
        running.insert(keeper.pid, keeper.stop_handle());
    }
    let mut counts = (0u64, 0u64);
    let stopped_early = pump(keeper, stdout, stderr, limits, sink, &mut counts).err();
    if stopped_early.is_some() {
        // Timeout, lost client, stop: the keeper SIGKILLs the shell's
        // group, then every process left below it, round by round.
        keeper.stop();
    }
    // (After a normal exit the keeper has already done the same for what
    // the shell left running, e.g. `setsid sleep 60 &`.)
    // The report comes once the keeper has reaped everything.
    let report = keeper.report();
    if let Some(running) = limits.running {
        running.remove(keeper.pid);
    }
    if report.is_err() {
        *slot = None; // a keeper that failed us: reap it, start afresh next time
    }
    let report = report?;
    let (pid, st) = (report.shell, report.status);
    let ending = match stopped_early {
        // A stopping server shuts the sockets down, which looks like a
        // client leaving: name the real reason.
        Some(_) if limits.stop.load(Ordering::SeqCst) => Ending::Stopped,
        Some(ending) => ending,
        None if nix::libc::WIFEXITED(st) => Ending::Exited(nix::libc::WEXITSTATUS(st)),
        None => Ending::Signaled(nix::libc::WTERMSIG(st)),
    };
    Ok(Outcome {
        pid,
        ending,
        stdout_bytes: counts.0,
        stderr_bytes: counts.1,
    })
}

/// Hand the command to the keeper in `slot`, starting one if there is
/// none. A keeper that is gone (e.g. told to quit by a stopping server) is
/// replaced once; a command it refuses (a NUL byte) is not retried.
fn launch<'k>(
    slot: &'k mut Option<Keeper>,
    cmd: &[u8],
) -> io::Result<(&'k mut Keeper, (File, File))> {
    let tried = slot.as_mut().map(|keeper| keeper.launch(cmd));
    let pipes = match tried {
        Some(Ok(pipes)) => pipes,
        Some(Err(e)) if e.kind() == io::ErrorKind::InvalidInput => return Err(e),
        _ => slot.insert(Keeper::start()?).launch(cmd)?,
    };
    let keeper = slot.as_mut().ok_or_else(|| io::Error::other("no keeper"))?;
    Ok((keeper, pipes))
}

/// Move output from the pipes to the sink until both pipes are closed and
/// the keeper's report is waiting (`Ok(())`), or until a reason to stop
/// the command (`Err(ending)`).
fn pump(
    keeper: &Keeper,
    stdout: File,
    stderr: File,
    limits: &Limits,
    sink: &mut dyn OutputSink,
    counts: &mut (u64, u64),
) -> Result<(), Ending> {
    let deadline = Instant::now() + limits.timeout;
    let (mut stdout, mut stderr) = (Some(stdout), Some(stderr));
    let mut buf = vec![0u8; CHUNK];
    loop {
        if limits.stop.load(Ordering::SeqCst) {
            return Err(Ending::Stopped);
        }
        let now = Instant::now();
        if now >= deadline {
            return Err(Ending::TimedOut);
        }
        // Both pipes closed: the command is done writing. Now wait for the
        // keeper's report (it comes when the shell has exited and all it
        // left is reaped), still honouring the deadline.
        let report = (stdout.is_none() && stderr.is_none()).then(|| keeper.report_fd());
        let (out_fd, err_fd) = (
            stdout.as_ref().map(File::as_fd),
            stderr.as_ref().map(File::as_fd),
        );
        let wait = TICK.min(deadline - now);
        let ready = match wait_ready(out_fd, err_fd, limits.peer, report, wait) {
            Ok(r) => r,
            Err(e) => return Err(Ending::SinkFailed(e.kind(), e.to_string())),
        };
        if ready.peer_gone {
            return Err(Ending::PeerGone);
        }
        if ready.ended {
            return Ok(());
        }
        if ready.stdout {
            read_into(&mut stdout, Stream::Stdout, &mut buf, sink, &mut counts.0)?;
        }
        if ready.stderr {
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
        Ok(n) => {
            *count += n as u64;
            if (COALESCE_FROM..CHUNK).contains(&n) {
                // A big read that emptied the pipe: the command is
                // streaming. Let it fill the pipe a little before the next
                // read, so the next chunk (and frame) is large.
                std::thread::sleep(COALESCE);
            }
        }
        Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
        Err(e) => return Err(Ending::SinkFailed(e.kind(), e.to_string())),
    }
    Ok(())
}
