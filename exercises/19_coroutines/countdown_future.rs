// Exercise `countdown_future` — lesson 19, coroutines (协程: 切换+保存状态):
// docs/19-coroutines.md
//
// An `async fn` is compiled into a state machine that implements `Future`.
// Write one by hand. `Countdown { left: n, polls: 0 }` must return
// `Poll::Pending` n times and then `Poll::Ready(polls)`, where `polls` is
// how many times it was polled in all (n + 1).
//
// Write `poll`:
//   1. count this poll in `self.polls`;
//   2. if `left` is 0, return `Poll::Ready(self.polls)`;
//   3. otherwise take one off `left`, WAKE YOURSELF with
//      `cx.waker().wake_by_ref()`, and return `Poll::Pending`.
// Step 3's wake is the rule every future must keep: whoever returns
// `Pending` must make sure someone will call the waker, or the executor
// never polls it again. Here nothing else will, so the future does it.
// The tests poll it by hand and count the wakes, then run it on a small
// executor that polls a task only when its waker was called.
//
// 中文：
// 练习 `countdown_future`——第 19 课，协程（切换+保存状态）。
//
// `async fn` 会被编译成一个实现了 `Future` 的状态机。这次我们亲手写一个。
// `Countdown { left: n, polls: 0 }` 要先返回 n 次 `Poll::Pending`，然后返回
// `Poll::Ready(polls)`，其中 `polls` 是它一共被 poll 的次数（n + 1）。
//
// 写出 `poll`：
//   1. 在 `self.polls` 里记下这一次 poll；
//   2. 如果 `left` 是 0，返回 `Poll::Ready(self.polls)`；
//   3. 否则把 `left` 减一，用 `cx.waker().wake_by_ref()` 唤醒自己，再返回
//      `Poll::Pending`。
// 第 3 步的唤醒是每个 future 都必须遵守的规矩：谁返回 `Pending`，谁就得保证之后
// 有人调用 waker，否则执行器再也不会 poll 它。这里没有别人会唤醒它，只能自己来。
// 测试先手工 poll 它并数唤醒次数，再把它放到一个小执行器上跑：那个执行器只在
// waker 被调用过之后才会再次 poll 任务。

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

/// Counts down `left` polls, then is ready with the number of polls.
#[derive(Debug)]
pub struct Countdown {
    pub left: u32,
    pub polls: u32,
}

impl Future for Countdown {
    type Output = u32;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<u32> {
        // Count the poll; Ready if nothing is left; else one less, wake, Pending.
        todo!("count the poll, then Ready(polls) or: left -= 1, wake yourself, Pending")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use exercises::within;
    use std::collections::VecDeque;
    use std::sync::atomic::{AtomicU32, Ordering};
    use std::sync::{Arc, Mutex};
    use std::task::{Wake, Waker};

    /// A waker that counts its calls.
    struct Counter(AtomicU32);
    impl Wake for Counter {
        fn wake(self: Arc<Self>) {
            self.0.fetch_add(1, Ordering::SeqCst);
        }
    }

    /// `Countdown` of 3 is `Pending` three times, waking itself each time, then `Ready(4)` with no wake.
    /// 中文：3 的 `Countdown` 连续三次返回 `Pending`，每次都唤醒自己，然后返回 `Ready(4)`，这次不再唤醒。
    #[test]
    fn pending_three_times_each_with_a_wake_then_ready() {
        within(10, || {
            let counter = Arc::new(Counter(AtomicU32::new(0)));
            let waker = Waker::from(counter.clone());
            let mut cx = Context::from_waker(&waker);
            let mut c = Countdown { left: 3, polls: 0 };
            for i in 1..=3 {
                assert_eq!(Pin::new(&mut c).poll(&mut cx), Poll::Pending, "poll {i}");
                assert_eq!(
                    counter.0.load(Ordering::SeqCst),
                    i,
                    "poll {i} must wake once"
                );
            }
            assert_eq!(Pin::new(&mut c).poll(&mut cx), Poll::Ready(4));
            assert_eq!(counter.0.load(Ordering::SeqCst), 3, "Ready needs no wake");
        });
    }

    /// `Countdown` of 0 is `Ready(1)` at the first poll, with no wake.
    /// 中文：0 的 `Countdown` 第一次 poll 就返回 `Ready(1)`，不唤醒。
    #[test]
    fn zero_is_ready_at_once() {
        within(10, || {
            let counter = Arc::new(Counter(AtomicU32::new(0)));
            let waker = Waker::from(counter.clone());
            let mut c = Countdown { left: 0, polls: 0 };
            let first = Pin::new(&mut c).poll(&mut Context::from_waker(&waker));
            assert_eq!(first, Poll::Ready(1));
            assert_eq!(counter.0.load(Ordering::SeqCst), 0);
        });
    }

    /// An executor that polls a task only when its waker put it in the queue.
    struct Queue(Mutex<VecDeque<usize>>, usize);
    impl Wake for Queue {
        fn wake(self: Arc<Self>) {
            self.0.lock().unwrap().push_back(self.1);
        }
    }

    /// An executor that polls only woken tasks runs a `Countdown` of 1000 to the end: every `Pending` wakes.
    /// 中文：只 poll 被唤醒任务的执行器能把 1000 的 `Countdown` 运行到底：每次返回 `Pending` 都唤醒了自己。
    #[test]
    fn an_executor_that_polls_only_woken_tasks_runs_it_to_the_end() {
        within(10, || {
            let queue = Arc::new(Queue(Mutex::new(VecDeque::from([0])), 0));
            let waker = Waker::from(queue.clone());
            let mut c = Countdown {
                left: 1000,
                polls: 0,
            };
            let mut result = None;
            loop {
                let next = queue.0.lock().unwrap().pop_front(); // the lock ends here
                if next.is_none() {
                    break;
                }
                if let Poll::Ready(n) = Pin::new(&mut c).poll(&mut Context::from_waker(&waker)) {
                    result = Some(n);
                }
            }
            assert_eq!(
                result,
                Some(1001),
                "the queue ran dry: a Pending without a wake?"
            );
        });
    }
}
