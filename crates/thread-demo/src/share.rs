//! 线程之间数据共享: the notes' lesson-10 program again, with a thread.
//!
//! ```python
//! x = 100
//! def task():
//!     global x
//!     x = 0
//! t = Thread(target=task); t.start(); t.join()
//! print(x)   # 0 — with Process it printed 100
//! ```
//!
//! A thread runs in its parent's address space, so its write is the main
//! thread's write. Rust lets a thread touch shared memory only in a way it
//! can prove free of data races. Handing a thread a plain borrow is refused
//! at compile time, because the thread may outlive the variable:
//!
//! ```compile_fail
//! let mut x = 100;
//! let t = std::thread::spawn(|| x = 0);
//! t.join().unwrap();
//! println!("{x}");
//! ```
//!
//! (rustc: "error\[E0373\]: closure may outlive the current function, but it
//! borrows `x`, which is owned by the current function"; the lesson quotes
//! it in full.) Even where the thread cannot outlive `x` (a scoped thread),
//! two threads writing the same plain variable — a data race — is refused:
//!
//! ```compile_fail
//! let mut count = 0;
//! std::thread::scope(|s| {
//!     s.spawn(|| count += 1);
//!     s.spawn(|| count += 1);
//! });
//! ```
//!
//! (rustc: "error\[E0499\]: cannot borrow `count` as mutable more than once
//! at a time".) What it accepts instead is below, each run for real.

use demo_kit::say::{say, Side};
use demo_kit::{tr, Error, Result};
use std::sync::atomic::{AtomicI32, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;

/// `x` as the main thread saw it after `join`, for each way of writing it.
#[derive(Debug, PartialEq, Eq)]
pub struct Report {
    pub mutex: i32,
    pub atomic: i32,
    pub scoped: i32,
    pub moved_copy: i32,
}

fn joined<T>(h: thread::JoinHandle<T>) -> Result<T> {
    h.join().map_err(|_| Error::msg("the thread panicked"))
}

pub fn x_becomes_zero() -> Result<Report> {
    say(
        Side::Parent,
        tr!(
            "x = 100 in an Arc<Mutex<i32>>; the thread does *x.lock() = 0",
            "x = 100 放在 Arc<Mutex<i32>> 里；线程执行 *x.lock() = 0"
        ),
    );
    let x = Arc::new(Mutex::new(100));
    let shared = Arc::clone(&x);
    joined(thread::spawn(move || {
        *shared.lock().unwrap_or_else(|e| e.into_inner()) = 0
    }))?;
    let mutex = *x.lock().unwrap_or_else(|e| e.into_inner());
    say(
        Side::Parent,
        tr!(
            "after join, main reads x = {mutex}",
            "join 之后，main 读到 x = {mutex}"
        ),
    );

    say(
        Side::Parent,
        tr!(
            "x = 100 in an AtomicI32; the thread does x.store(0)",
            "x = 100 放在 AtomicI32 里；线程执行 x.store(0)"
        ),
    );
    static X: AtomicI32 = AtomicI32::new(100);
    joined(thread::spawn(|| X.store(0, Ordering::SeqCst)))?;
    let atomic = X.load(Ordering::SeqCst);
    say(
        Side::Parent,
        tr!(
            "after join, main reads x = {atomic}",
            "join 之后，main 读到 x = {atomic}"
        ),
    );

    say(
        Side::Parent,
        tr!("a plain `let mut x = 100` lent to a scoped thread: thread::scope(|s| s.spawn(|| x = 0))", "普通的 `let mut x = 100` 借给一个作用域线程：thread::scope(|s| s.spawn(|| x = 0))"),
    );
    let mut plain = 100;
    thread::scope(|s| {
        s.spawn(|| plain = 0);
    });
    say(
        Side::Parent,
        tr!(
            "after the scope, main reads x = {plain}  (the scope proves the thread ended first)",
            "作用域结束后，main 读到 x = {plain}（作用域保证线程已经先结束了）"
        ),
    );

    say(
        Side::Parent,
        tr!(
            "and `move || {{ x = 0 }}` on an i32: the closure takes its own copy of x",
            "再看 i32 上的 `move || {{ x = 0 }}`：闭包拿走的是 x 的一份副本"
        ),
    );
    let mut copy = 100;
    #[allow(unused_assignments)]
    joined(thread::spawn(move || {
        copy = 0;
        copy
    }))?;
    say(
        Side::Parent,
        tr!(
            "after join, main reads x = {copy}  (a copy, like the forked child's in lesson 10)",
            "join 之后，main 读到 x = {copy}（是副本，就像第 10 课里 fork 出的子进程那样）"
        ),
    );
    say(Side::Note, tr!("one address space: the thread's write is the main thread's memory — unlike lesson 10's processes", "同一个地址空间：线程写的就是主线程的内存——这和第 10 课的进程不同"));
    Ok(Report {
        mutex,
        atomic,
        scoped: plain,
        moved_copy: copy,
    })
}
