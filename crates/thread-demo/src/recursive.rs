//! 递归锁 (recursive lock): what happens when one thread locks twice.
//!
//! Python's `Lock` locked twice by the same thread waits for itself
//! forever; its `RLock` counts and lets the owner in again. Rust's
//! `std::sync::Mutex` is neither: a second `lock()` by the owner may
//! deadlock or panic (the documentation promises only that it will not
//! return), and `try_lock()` answers `WouldBlock`. Stable std has no
//! recursive mutex: a second `MutexGuard` would hand out two `&mut` to the
//! same data. (`std::sync::ReentrantLock`, the lock behind `stdout()`, is
//! unstable, and hands out only `&T` for that reason.) Rust's answer is to
//! pass the guard (or `&mut T`) down to the function that needs it, or to
//! restructure so the lock is taken once.

use demo_kit::say::{say, Side};
use demo_kit::tr;
use demo_kit::Result;
use std::sync::{Mutex, MutexGuard, TryLockError};
use std::time::Duration;

#[derive(Debug)]
pub struct Report {
    /// `try_lock` while this thread already holds the lock.
    pub second_try_would_block: bool,
    /// Python: `Lock().acquire(timeout=0.2)` a second time, and `RLock`'s.
    pub python: Option<(bool, bool)>,
}

/// The fix: the helper takes the guard it needs instead of locking again.
fn add_interest(balance: &mut MutexGuard<'_, i64>) {
    **balance += **balance / 10;
}

pub fn show() -> Result<Report> {
    let m = Mutex::new(100i64);
    let mut first = m.lock().unwrap_or_else(|e| e.into_inner());
    say(
        Side::Parent,
        tr!("m.lock() → got the guard", "m.lock() → 拿到了 guard"),
    );
    let second = m.try_lock();
    let second_try_would_block = matches!(second, Err(TryLockError::WouldBlock));
    say(
        Side::Parent,
        tr!(
            "m.try_lock() again in the same thread → {}",
            "同一个线程里再 m.try_lock() → {}",
            match &second {
                Err(TryLockError::WouldBlock) => tr!(
                    "Err(WouldBlock): the owner itself is refused",
                    "Err(WouldBlock)：连持有者自己也被拒绝"
                )
                .to_string(),
                other => format!("{other:?}"),
            }
        ),
    );
    drop(second);
    add_interest(&mut first);
    say(
        Side::Parent,
        tr!(
            "instead: pass the guard down — add_interest(&mut guard) → balance {}",
            "正确做法：把 guard 传下去——add_interest(&mut guard) → 余额 {}",
            *first
        ),
    );
    drop(first);

    let python = match demo_kit::python::run(PY, &[], Duration::from_secs(20))? {
        None => {
            say(
                Side::Note,
                tr!(
                    "python3 not found: the Python Lock/RLock comparison is skipped",
                    "没有找到 python3：跳过 Python 的 Lock/RLock 对比"
                ),
            );
            None
        }
        Some(out) => {
            let lock = demo_kit::python::field(&out, "lock")? == 1.0;
            let rlock = demo_kit::python::field(&out, "rlock")? == 1.0;
            say(
                Side::Parent,
                tr!(
                    "python3: Lock().acquire() twice → the second, with timeout=0.2, returned {}",
                    "python3：Lock().acquire() 两次 → 第二次（timeout=0.2）返回 {}",
                    py_bool(lock)
                ),
            );
            say(
                Side::Parent,
                tr!(
                    "python3: RLock().acquire() twice → the second returned {}",
                    "python3：RLock().acquire() 两次 → 第二次返回 {}",
                    py_bool(rlock)
                ),
            );
            Some((lock, rlock))
        }
    };
    Ok(Report {
        second_try_would_block,
        python,
    })
}

fn py_bool(b: bool) -> &'static str {
    if b {
        "True"
    } else {
        demo_kit::lang::pick(
            "False (without a timeout it would wait forever)",
            "False（不设超时的话会永远等下去）",
        )
    }
}

const PY: &str = r#"
import threading
l = threading.Lock(); l.acquire()
print("lock", int(l.acquire(timeout=0.2)))
r = threading.RLock(); r.acquire()
print("rlock", int(r.acquire(timeout=0.2)))
"#;
