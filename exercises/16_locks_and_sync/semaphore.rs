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

    /// `threads` threads each enter once; inside, a thread waits (at most
    /// 100 ms) until k threads have been inside together, then 20 ms more.
    /// Returns the peak number inside at once.
    fn peak(k: usize, threads: usize) -> usize {
        let sem = Arc::new(Semaphore::new(k));
        let inside = Arc::new((Mutex::new((0usize, 0usize)), Condvar::new()));
        let handles: Vec<_> = (0..threads)
            .map(|_| {
                let (sem, inside) = (sem.clone(), inside.clone());
                std::thread::spawn(move || {
                    let _permit = sem.acquire();
                    let (m, cv) = &*inside;
                    let mut g = m.lock().unwrap();
                    g.0 += 1;
                    g.1 = g.1.max(g.0);
                    cv.notify_all();
                    let g = cv.wait_timeout_while(g, Duration::from_millis(100), |g| g.1 < k).unwrap().0;
                    // Stay inside a little longer: a semaphore that lets
                    // too many in shows it now.
                    drop(g);
                    std::thread::sleep(Duration::from_millis(20));
                    m.lock().unwrap().0 -= 1;
                })
            })
            .collect();
        for h in handles {
            h.join().unwrap();
        }
        let p = inside.0.lock().unwrap().1;
        p
    }

    #[test]
    fn at_most_k_inside_and_k_reached() {
        within(30, || {
            for k in [1, 2, 3] {
                assert_eq!(peak(k, 8), k, "Semaphore::new({k}): peak number of threads inside");
            }
        });
    }

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
