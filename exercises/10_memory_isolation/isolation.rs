// Exercise `isolation` — lesson 10, memory isolation (进程间的内存空间是彼此隔离的):
// docs/10-memory-isolation.md
//
// The course sets `x = 100`, starts a child that does `global x; x = 0`,
// and prints x in the parent. Here `X` is even an atomic global: every
// THREAD of a process shares it. What about a child PROCESS?
//
// 1. Predict first: write your answer in `prediction` (what the parent
//    reads from X after the child stored 0 into it and ended).
// 2. Then write `experiment`: set X to 100; fork; the child stores 0 in X
//    and reports the value IT reads back through a pipe (write its 4 bytes,
//    `to_le_bytes`); the parent waits for the child, reads the report, and
//    returns (what the child saw, what the parent sees now).
// The tests check your prediction against the kernel's answer.
//
// 中文：
// 练习 `isolation`——第 10 课，进程间的内存空间是彼此隔离的。
//
// 课程先设 `x = 100`，启动一个执行 `global x; x = 0` 的子进程，再在父进程里打
// 印 x。这里的 `X` 甚至是一个原子全局变量：同一进程的所有线程都共享它。那么子
// 进程呢？
//
// 1. 先预测：把答案写进 `prediction`（子进程往 X 里存了 0 并结束之后，父进程从
//    X 读到的值）。
// 2. 再写 `experiment`：把 X 设为 100；fork；子进程往 X 里存 0，并通过管道报告
//    它自己读回的值（写出这个值的 4 个字节，`to_le_bytes`）；父进程等待子进
//    程，读取报告，然后返回（子进程看到的值，父进程此刻看到的值）。
// 测试会用内核给出的答案来核对你的预测。

use nix::sys::wait::waitpid;
use nix::unistd::{fork, pipe, ForkResult};
use std::fs::File;
use std::io::{Read, Write};
use std::sync::atomic::{AtomicI32, Ordering};

static X: AtomicI32 = AtomicI32::new(100);

/// Your prediction: the value of X in the parent after the child set it to 0.
fn prediction() -> i32 {
    todo!("your prediction: what does the parent read from X?")
}

/// Returns (X as the child sees it after storing 0, X as the parent sees it after).
fn experiment() -> nix::Result<(i32, i32)> {
    todo!("fork; the child stores 0 and reports; the parent reads X")
}

#[cfg(test)]
mod tests {
    use super::*;
    use exercises::within;

    /// The child reads back its own 0, and your `prediction` is what the parent really sees.
    /// 中文：子进程读回的是自己写的 0；你在 `prediction` 里的预测，要和父进程实际看到的值一致。
    #[test]
    fn your_prediction_matches_the_kernel() {
        within(10, || {
            let (child_saw, parent_sees) = experiment().unwrap();
            assert_eq!(child_saw, 0, "the child stored 0 and reads back its own 0");
            assert_eq!(
                prediction(),
                parent_sees,
                "your prediction vs what the parent really sees"
            );
        });
    }

    /// The parent still sees 100: the child wrote to its own copy of X (a thread, by contrast, shares it).
    /// 中文：父进程看到的仍然是 100：子进程写的是它自己那份 X（线程则不同，共享同一个变量）。
    #[test]
    fn the_parents_copy_is_untouched() {
        within(10, || {
            let (_, parent_sees) = experiment().unwrap();
            assert_eq!(parent_sees, 100, "the child wrote to its own copy of X");
            // A thread, by contrast, shares the very same global:
            static Y: AtomicI32 = AtomicI32::new(100);
            std::thread::spawn(|| Y.store(0, Ordering::SeqCst))
                .join()
                .unwrap();
            assert_eq!(Y.load(Ordering::SeqCst), 0, "threads share memory");
        });
    }
}
