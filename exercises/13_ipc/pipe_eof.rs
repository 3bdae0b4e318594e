// Exercise `pipe_eof` — lesson 13, IPC (进程间通信, IPC机制):
// docs/13-ipc.md
//
// A pipe is the simplest channel between two processes: what the child
// writes into one end, the parent reads from the other. The parent reads
// "until end-of-file" — and a pipe reports end-of-file only when EVERY
// copy of its write end is closed. After `fork()` there are two copies.
//
// `collect_from_child` hangs: with 3 lines the parent never sees
// end-of-file; with 100 000 lines (more than the pipe's 64 KiB buffer)
// parent and child wait for each other forever. Two spots are marked BUG
// (in the shipped exercise); fix both. No threads, no timeouts: only the
// order of the steps and who closes what. (In Rust, a file descriptor is
// closed when its owner is dropped: at the end of its scope, or earlier
// with `drop(..)`.)
//
// 中文：
// 练习 `pipe_eof`——第 13 课，IPC机制（进程间通信）。
//
// 管道是两个进程之间最简单的通道：子进程往一端写的东西，父进程从另一端读出来。
// 父进程“读到文件结束（EOF）为止”——而只有当管道写端的每一份副本都关闭了，管道
// 才会报告文件结束。`fork()` 之后，写端有两份副本。
//
// `collect_from_child` 会卡住：3 行时，父进程永远等不到文件结束；100 000 行时
// （超过管道 64 KiB 的缓冲区），父子进程互相等待，永远等下去。有两处标着 BUG
// （在发布的练习里）；两处都要修好。不用线程，不用超时：只调整步骤的顺序，以及
// 谁关闭什么。（在 Rust 里，文件描述符在它的所有者被丢弃时关闭：要么在作用域结
// 束时，要么更早，用 `drop(..)`。）

use nix::sys::wait::{waitpid, WaitStatus};
use nix::unistd::{fork, pipe, ForkResult};
use std::fs::File;
use std::io::{self, Read, Write};

/// Forks a child that writes `lines` lines into a pipe; returns what the
/// parent read until end-of-file, and the child's exit status.
fn collect_from_child(lines: usize) -> io::Result<(String, i32)> {
    let (read_end, write_end) = pipe()?;
    exercises::flush_before_fork();
    // SAFETY: the child only runs `child_main`, which `_exit`s.
    match unsafe { fork() }? {
        ForkResult::Child => exercises::child_main(|| {
            drop(read_end);
            let mut out = io::BufWriter::new(File::from(write_end));
            for i in 0..lines {
                if writeln!(out, "line {i}").is_err() {
                    return 1;
                }
            }
            if out.flush().is_err() {
                return 1;
            }
            0
        }),
        ForkResult::Parent { child } => {
            // BUG: the parent waits for the child before reading anything.
            let code = match waitpid(child, None)? {
                WaitStatus::Exited(_, code) => code,
                other => panic!("child ended oddly: {other:?}"),
            };
            // BUG: the parent reads "until end-of-file" here. Who still holds
            // a write end of this pipe?
            let mut text = String::new();
            File::from(read_end).read_to_string(&mut text)?;
            Ok((text, code))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use exercises::within;

    /// The parent reads the child's three lines, then end-of-file, and the child exits 0.
    /// 中文：父进程读到子进程写的三行，然后读到文件结束（EOF），子进程退出码为 0。
    #[test]
    fn three_lines_then_end_of_file() {
        within(2, || {
            let (text, code) = collect_from_child(3).unwrap();
            assert_eq!(text, "line 0\nline 1\nline 2\n");
            assert_eq!(code, 0);
        });
    }

    /// A child that writes nothing gives the parent end-of-file at once.
    /// 中文：子进程什么也不写，父进程立刻读到文件结束（EOF）。
    #[test]
    fn nothing_to_say_is_an_immediate_end_of_file() {
        within(2, || {
            let (text, code) = collect_from_child(0).unwrap();
            assert_eq!(text, "");
            assert_eq!(code, 0);
        });
    }

    /// 100,000 lines, more than the pipe's 64 KiB buffer, all arrive without parent and child waiting for each other.
    /// 中文：十万行数据超过了管道 64 KiB 的缓冲区，也要全部收到，父子进程不会互相等待而卡死。
    #[test]
    fn more_than_a_pipe_can_hold() {
        within(2, || {
            let (text, code) = collect_from_child(100_000).unwrap();
            assert_eq!(text.lines().count(), 100_000, "every line arrives");
            assert!(text.len() > 64 * 1024, "more than the pipe's 64 KiB buffer");
            assert_eq!(text.lines().last(), Some("line 99999"));
            assert_eq!(code, 0);
        });
    }
}
