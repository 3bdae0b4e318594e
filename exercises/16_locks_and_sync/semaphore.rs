// Exercise `semaphore` — lesson 16, locks and synchronisation (信号量):
// docs/16-locks-and-sync.md
//
// Python's `threading.Semaphore(k)` lets at most k threads into a block at
// once (`with sem:`). Build one from a `Mutex` and a `Condvar`:
//
// * the mutex guards the number of free permits;
// * `acquire` waits on the condvar WHILE no permit is free (in a loop:
//   `Condvar::wait` may wake up for no reason), then takes one and returns
//   a `Permit`;
// * dropping the `Permit` gives the permit back and wakes one waiter
//   (`notify_one`) — that is `sem.release()`, done for you by `Drop`.
//
// The tests start many threads and measure the peak number inside at once:
// it must be exactly k, never more.
//
// 中文：
// 练习 `semaphore`——第 16 课，锁与同步（信号量）。
//
// Python 的 `threading.Semaphore(k)` 同一时刻最多放 k 个线程进入一段代码
// （`with sem:`）。用一个 `Mutex` 和一个 `Condvar` 做一个出来：
//
// * 互斥锁保护空闲许可的数量；
// * `acquire` 在没有空闲许可时在条件变量上等待（要放在循环里：`Condvar::wait`
//   可能无缘无故地醒来），然后拿走一个许可，返回一个 `Permit`；
// * 丢弃 `Permit` 就把许可还回去，并唤醒一个等待者（`notify_one`）——这就是
//   `sem.release()`，由 `Drop` 替你完成。
//
// 测试会启动许多线程，测量同一时刻在里面的线程数的峰值：必须恰好是 k，绝不能更
// 多。

use std::sync::{Condvar, Mutex};

pub struct Semaphore {
    free: Mutex<usize>,
    changed: Condvar,
}

/// A permit held; dropping it releases it.
pub struct Permit<'a> {
    sem: &'a Semaphore,
}

impl Semaphore {
    pub fn new(k: usize) -> Semaphore {
        Semaphore { free: Mutex::new(k), changed: Condvar::new() }
    }

    /// Waits until a permit is free and takes it.
    pub fn acquire(&self) -> Permit<'_> {
        todo!("wait while no permit is free, then take one")
    }
}

impl Drop for Permit<'_> {
    fn drop(&mut self) {
        let _ = self.sem;
        todo!("give the permit back and wake one waiting thread")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use exercises::within;
    use std::sync::Arc;
    use std::time::Duration;

    /// `threads` threads each pass through the semaphore once. Inside,
    /// holding its permit, a thread counts itself in, waits until k are
    /// inside (or all that are left), then keeps its permit up to 100 ms
    /// more while others still wait outside: a semaphore that lets one too
    /// many in shows it then, and every wait ends at once. Returns the peak
    /// number inside at once.
    fn peak(k: usize, threads: usize) -> usize {
        let sem = Semaphore::new(k);
        let count = Mutex::new((0usize, 0usize, 0usize, 0usize)); // (inside, peak, entered, left)
        let changed = Condvar::new();
        std::thread::scope(|s| {
            for _ in 0..threads {
                s.spawn(|| {
                    let _permit = sem.acquire();
                    let mut c = count.lock().unwrap();
                    c.0 += 1;
                    c.2 += 1;
                    c.1 = c.1.max(c.0);
                    changed.notify_all();
                    let full = |c: &mut (usize, usize, usize, usize)| c.0 > k || c.0 >= k.min(threads - c.3);
                    let c = changed.wait_timeout_while(c, Duration::from_secs(10), |c| !full(c)).unwrap().0;
                    let mut c = changed
                        .wait_timeout_while(c, Duration::from_millis(100), |c| c.0 <= k && c.2 < threads)
                        .unwrap()
                        .0;
                    c.0 -= 1;
                    c.3 += 1;
                    changed.notify_all();
                });
            }
        });
        let p = count.lock().unwrap().1;
        p
    }

    /// With k permits, at most k threads are inside at once, and k are reached.
    /// 中文：有 k 个许可时，同时在里面的线程最多 k 个，而且确实能达到 k 个。
    #[test]
    fn at_most_k_inside_and_k_reached() {
        within(30, || {
            for k in [1, 2, 3] {
                assert_eq!(peak(k, 8), k, "Semaphore::new({k}): peak number of threads inside");
            }
        });
    }

    /// A dropped permit comes back: taking both permits a hundred times never blocks.
    /// 中文：许可释放后会归还：连续一百次拿走两个许可，都不会阻塞。
    #[test]
    fn permits_come_back() {
        within(10, || {
            let sem = Semaphore::new(2);
            for _ in 0..100 {
                let a = sem.acquire();
                let b = sem.acquire();
                drop((a, b));
            }
        });
    }

    /// `acquire` waits while no permit is free, and a release wakes it.
    /// 中文：没有空闲许可时 `acquire` 会等待，有许可释放时它被唤醒。
    #[test]
    fn a_waiter_is_woken_by_a_release() {
        within(10, || {
            let sem = Arc::new(Semaphore::new(1));
            let held = sem.acquire();
            let s2 = sem.clone();
            let waiter = std::thread::spawn(move || {
                let _p = s2.acquire();
            });
            std::thread::sleep(Duration::from_millis(50));
            assert!(!waiter.is_finished(), "acquire must wait while no permit is free");
            drop(held);
            waiter.join().unwrap();
        });
    }
}
