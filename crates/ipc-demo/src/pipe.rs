//! A pipe between parent and child, and the classic bug: forgetting to close
//! the write end.
//!
//! `pipe(2)` gives two descriptors: bytes written to the write end come out
//! of the read end, in order. After `fork()` *both* processes hold *both*
//! ends. A reader sees end-of-file (`read` returns 0) only when **every**
//! copy of the write end is closed — the kernel cannot know that the parent
//! does not intend to write. So the reader must close its own copy of the
//! write end, or it waits forever for data that can never come. Python's
//! `multiprocessing.Pipe(duplex=False)` has exactly the same rule: the parent
//! must `w.close()` before `r.recv()` can raise `EOFError`.
//!
//! The demo waits with `poll(2)` and a timeout, so the "forever" becomes a
//! bounded, visible "nothing happened for 500 ms".

use crate::CHILD_TIMEOUT;
use demo_kit::child::{child_say, exit_code, fork_child, keep_only_fds, reap_or_kill, write_fd};
use demo_kit::say::{colors_enabled, say, show_bytes};
use demo_kit::{tr, Context, Result, Side};
use nix::poll::{poll, PollFd, PollFlags, PollTimeout};
use nix::unistd::{getpid, pipe, read};
use std::os::fd::{AsFd, AsRawFd, OwnedFd};
use std::time::{Duration, Instant};

/// What one parent/child pipe run observed.
#[derive(Debug)]
pub struct PipeRun {
    pub child: i32,
    /// Did the parent close its copy of the write end before reading?
    pub parent_closed_write_end: bool,
    /// The child's exit code; the child has exited *before* the parent reads.
    pub child_exit: Option<i32>,
    /// Everything the parent read.
    pub received: Vec<u8>,
    /// Did `read` return 0 (end-of-file) within the timeout?
    pub eof: bool,
    /// How long the parent waited after the last byte for EOF.
    pub waited: Duration,
    /// Bug case only: did EOF arrive once the parent finally closed its
    /// write end? (`None` in the correct case.)
    pub eof_after_late_close: Option<bool>,
}

/// The child writes three lines into the pipe and exits; the parent reaps
/// it, then reads until EOF or until nothing happens for `timeout`.
pub fn run(close_write_end: bool, timeout: Duration) -> Result<PipeRun> {
    if close_write_end {
        say(
            Side::Parent,
            tr!(
                "pipe(), fork(), then close(write end): I only read",
                "pipe()，fork()，然后关闭写端（close）：我只负责读"
            ),
        );
    } else {
        say(
            Side::Parent,
            tr!(
                "pipe(), fork() — and I keep my copy of the write end open (the bug)",
                "pipe()，fork()——而我一直开着自己那份写端（这就是 bug）"
            ),
        );
    }
    let (read_end, write_end) = pipe().context(tr!("creating a pipe", "创建管道"))?;
    let color = colors_enabled();
    let child = fork_child(|| {
        // The child only writes: it keeps the write end and nothing else.
        keep_only_fds(&[write_end.as_raw_fd()]);
        let me = getpid();
        for i in 1..=3 {
            write_fd(
                write_end.as_raw_fd(),
                format!("line {i} from child {me}\n").as_bytes(),
            );
        }
        child_say(
            Side::Child,
            tr!(
                "pid {me}: wrote 3 lines into the pipe, exiting (all my descriptors close)",
                "pid {me}：往管道里写了 3 行，退出（我的所有描述符都关闭了）"
            ),
            color,
        );
        0
    })?;
    // The parent only reads, so the correct program closes its write end now.
    let mut write_end = Some(write_end);
    if close_write_end {
        drop(write_end.take());
    }
    // Reap the child first, to make the point: the writer is *gone*.
    let child_exit = exit_code(reap_or_kill(child, CHILD_TIMEOUT)?);
    say(
        Side::Parent,
        tr!(
            "reaped child {child} (exit code {child_exit:?}): the writer is gone",
            "已回收子进程 {child}（退出码 {child_exit:?}）：写的一方不在了"
        ),
    );

    let mut received = Vec::new();
    let (eof, waited) = read_until_eof(&read_end, timeout, &mut received)?;
    say(
        Side::Parent,
        tr!(
            "read {} bytes: {}",
            "读到 {} 个字节：{}",
            received.len(),
            show_bytes(&received)
        ),
    );
    if eof {
        say(
            Side::Kernel,
            tr!(
                "read() returned 0 = end-of-file after {waited:.1?}: no write end is open anywhere",
                "{waited:.1?} 后 read() 返回 0 = 文件结束（EOF）：任何地方都没有打开的写端了"
            ),
        );
    } else {
        say(
            Side::Kernel,
            tr!(
                "no end-of-file after waiting {waited:.1?}: a write end is still open — my own",
                "等了 {waited:.1?} 也没有文件结束（EOF）：还有一个写端开着——就是我自己的"
            ),
        );
        say(
            Side::Note,
            tr!(
                "without the timeout, `for line in pipe` / r.recv() would block here forever",
                "要是没有超时，`for line in pipe` / r.recv() 会永远阻塞在这里"
            ),
        );
    }
    let eof_after_late_close = match write_end.take() {
        Some(w) => {
            drop(w); // the fix, applied late
            let late = read_until_eof(&read_end, timeout, &mut received)?.0;
            say(
                Side::Parent,
                tr!(
                    "closing my write end now... end-of-file: {late}",
                    "现在关闭我的写端……文件结束（EOF）：{late}"
                ),
            );
            Some(late)
        }
        None => None,
    };
    Ok(PipeRun {
        child: child.as_raw(),
        parent_closed_write_end: close_write_end,
        child_exit,
        received,
        eof,
        waited,
        eof_after_late_close,
    })
}

/// Reads until `read` returns 0 (EOF: true) or `poll` reports nothing for
/// `timeout` (false). Returns how long it waited after the last data.
fn read_until_eof(fd: &OwnedFd, timeout: Duration, out: &mut Vec<u8>) -> Result<(bool, Duration)> {
    let ms = u16::try_from(timeout.as_millis()).unwrap_or(u16::MAX);
    let mut buf = [0u8; 4096];
    loop {
        let since = Instant::now();
        let mut fds = [PollFd::new(fd.as_fd(), PollFlags::POLLIN)];
        let ready = poll(&mut fds, PollTimeout::from(ms))
            .context(tr!("poll on the pipe", "在管道上 poll"))?;
        if ready == 0 {
            return Ok((false, since.elapsed()));
        }
        match read(fd, &mut buf).context(tr!("reading the pipe", "读管道"))? {
            0 => return Ok((true, since.elapsed())),
            n => out.extend_from_slice(&buf[..n]),
        }
    }
}
