// Exercise `park_block_on` — lesson 19, coroutines (协程: who switches, who waits):
// docs/19-coroutines.md
//
// `block_on(future)` runs one future to the end on the calling thread. It
// polls; on `Poll::Pending` it must WAIT, without burning the CPU, until the
// future's waker is called, and then poll again.
//
// Write `block_on` with a waker that parks and unparks the thread:
//   1. pin the future (`std::pin::pin!`);
//   2. make a waker from `Arc<ThreadWaker>`: `ThreadWaker` holds the
//      calling thread (`std::thread::current()`), and its `wake` calls
//      `unpark()` on it (implement `std::task::Wake`);
//   3. loop: poll with a `Context` made from that waker; on `Ready(v)`
//      return v; on `Pending`, `std::thread::park()`.
// `park` may return without an `unpark` (a spurious wake-up): polling once
// more is harmless, a future must allow it. An `unpark` that comes before
// the `park` is not lost: the next `park` returns at once.
// The tests complete futures from other threads, and check that the
// waiting thread sleeps (few polls, little CPU) instead of spinning.
//
// 中文：
// 练习 `park_block_on`——第 19 课，协程（谁来切换，谁在等待）。
//
// `block_on(future)` 在调用它的线程上把一个 future 跑到结束：先 poll；遇到
// `Poll::Pending` 就必须“等”——不能空转烧 CPU——直到这个 future 的 waker 被调用，
// 然后再 poll。
//
// 用一个“挂起 / 唤醒线程”的 waker 写出 `block_on`：
//   1. 把 future 固定住（`std::pin::pin!`）；
//   2. 用 `Arc<ThreadWaker>` 做一个 waker：`ThreadWaker` 保存调用者线程
//      （`std::thread::current()`），它的 `wake` 对这个线程调用 `unpark()`
//      （为它实现 `std::task::Wake`）；
//   3. 循环：用这个 waker 做出的 `Context` 去 poll；`Ready(v)` 就返回 v；
//      `Pending` 就 `std::thread::park()`。
// `park` 可能在没有 `unpark` 的情况下返回（虚假唤醒）：多 poll 一次没有坏处，
// future 本来就必须允许这样。在 `park` 之前到来的 `unpark` 也不会丢：下一次
// `park` 会立即返回。
// 测试让其他线程去完成 future，并检查等待的线程确实睡着了（poll 次数少、几乎
// 不占 CPU），而不是在空转。

use std::future::Future;
use std::sync::Arc;
use std::task::{Context, Poll, Wake, Waker};
use std::thread::Thread;

/// Wakes the thread that waits in `block_on`.
pub struct ThreadWaker(pub Thread);

impl Wake for ThreadWaker {
    fn wake(self: Arc<Self>) {
        todo!("unpark the waiting thread")
    }
}

/// Runs `future` to the end on this thread, sleeping while it is `Pending`.
pub fn block_on<F: Future>(future: F) -> F::Output {
    // pin!, a Waker from Arc<ThreadWaker>, then: poll; Ready -> return; Pending -> park.
    todo!("poll, and park the thread while the future is Pending")
}

#[cfg(test)]
mod tests {
    use super::*;
    use exercises::within;
    use std::pin::Pin;
    use std::sync::atomic::{AtomicU32, Ordering};
    use std::sync::Mutex;
    use std::time::{Duration, Instant};

    /// A one-shot slot another thread fills; counts its polls.
    #[derive(Default)]
    struct Shared {
        value: Option<u64>,
        waker: Option<Waker>,
    }
    struct Receive(Arc<Mutex<Shared>>, Arc<AtomicU32>);
    impl Future for Receive {
        type Output = u64;
        fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<u64> {
            self.1.fetch_add(1, Ordering::SeqCst);
            let mut s = self.0.lock().unwrap();
            match s.value.take() {
                Some(v) => Poll::Ready(v),
                None => {
                    s.waker = Some(cx.waker().clone());
                    Poll::Pending
                }
            }
        }
    }
    fn send_later(shared: Arc<Mutex<Shared>>, v: u64, after: Duration) {
        std::thread::spawn(move || {
            std::thread::sleep(after);
            let mut s = shared.lock().unwrap();
            s.value = Some(v);
            if let Some(w) = s.waker.take() {
                w.wake();
            }
        });
    }

    /// A future that is ready at once gives its value.
    /// 中文：一开始就就绪的 future，直接得到它的值。
    #[test]
    fn a_ready_future_returns_at_once() {
        within(10, || assert_eq!(block_on(async { 6 * 7 }), 42));
    }

    /// `block_on` parks until another thread wakes it 200 ms later, polling only a few times: no spinning.
    /// 中文：`block_on` 挂起线程，直到 200 毫秒后另一个线程唤醒它，其间只 poll 几次，没有空转。
    #[test]
    fn it_sleeps_until_another_thread_wakes_it() {
        within(10, || {
            let shared = Arc::new(Mutex::new(Shared::default()));
            let polls = Arc::new(AtomicU32::new(0));
            send_later(shared.clone(), 7, Duration::from_millis(200));
            let started = Instant::now();
            assert_eq!(block_on(Receive(shared, polls.clone())), 7);
            assert!(started.elapsed() >= Duration::from_millis(150));
            let n = polls.load(Ordering::SeqCst);
            assert!(
                n <= 5,
                "polled {n} times in 200 ms: is it spinning instead of parking?"
            );
        });
    }

    /// Two hundred futures woken at once, one after another, each give their value: an early wake is not lost.
    /// 中文：两百个 future 依次运行，都立即被唤醒，各自得到值：提前到来的唤醒不会丢。
    #[test]
    fn many_futures_one_after_another() {
        within(10, || {
            for i in 0..200 {
                let shared = Arc::new(Mutex::new(Shared::default()));
                send_later(shared.clone(), i, Duration::ZERO);
                assert_eq!(block_on(Receive(shared, Arc::new(AtomicU32::new(0)))), i);
            }
        });
    }
}
