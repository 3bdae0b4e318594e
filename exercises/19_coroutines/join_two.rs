// Exercise `join_two` — lesson 19, coroutines (协程: 遇到IO自动切换):
// docs/19-coroutines.md
//
// A runtime lets many tasks make progress on one thread by polling each in
// turn. One future can do the same for two of its own: `join(a, b)` is
// ready with both outputs once both are done, and until then it lets both
// go on: while `a` waits, `b` runs. (asyncio's `gather`, tokio's `join!`.)
//
// Write `poll` for `Join` (`let this = &mut *self;` gives you its fields):
//   1. if `a` is not done yet (`a_out` is `None`), poll it with the same
//      `cx`; if it is `Ready(v)`, keep `v` in `a_out`;
//   2. the same for `b`, EVEN IF `a` said `Pending`: `b` must run meanwhile;
//   3. once both outputs are there, return `Poll::Ready((a, b))`, taking
//      them out of their `Option`s; else return `Poll::Pending`.
// Never poll a future again once it was `Ready`: an `async` block panics
// ("`async fn` resumed after completion"). You wake nobody yourself: `a`
// and `b` got `cx`'s waker, and they call it when they can go on.
// The tests run joins on a small executor that polls only when woken: two
// futures that need each other (each waits for the other's message), and
// one that is ready at once next to one that needs several polls.
//
// 中文：
// 练习 `join_two`——第 19 课，协程（遇到IO自动切换）。
//
// 运行时轮流 poll 每个任务，让许多任务在一个线程上都能往下走。一个 future
// 也可以对它自己的两个 future 这么做：`join(a, b)` 等两个都完成后，返回两个
// 结果；在那之前，两个都要能往下走——`a` 在等的时候，`b` 照样运行。（asyncio
// 的 `gather`、tokio 的 `join!` 都是这个意思。）
//
// 写出 `Join` 的 `poll`（用 `let this = &mut *self;` 拿到它的字段）：
//   1. 如果 `a` 还没完成（`a_out` 是 `None`），就用同一个 `cx` poll 它；
//      返回 `Ready(v)` 的话，把 `v` 存进 `a_out`；
//   2. 对 `b` 也这样做，**即使 `a` 刚返回了 `Pending`**：`b` 必须同时往下走；
//   3. 两个结果都有了，就把它们从各自的 `Option` 里取出来，返回
//      `Poll::Ready((a, b))`；否则返回 `Poll::Pending`。
// 一个 future 返回 `Ready` 之后，就不能再 poll 它：`async` 块会 panic
// （“`async fn` resumed after completion”）。你自己不用唤醒谁：`a` 和 `b`
// 拿到的是 `cx` 里的 waker，它们能往下走时自会调用它。
// 测试在一个只在被唤醒后才 poll 的小执行器上运行 join：两个互相等待对方消息的
// future；还有一个立刻就绪的 future 配一个要 poll 好几次的 future。

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

/// Two futures run side by side; ready with both outputs.
pub struct Join<A: Future, B: Future> {
    pub a: Pin<Box<A>>,
    pub b: Pin<Box<B>>,
    pub a_out: Option<A::Output>,
    pub b_out: Option<B::Output>,
}

/// `a` and `b` side by side: `join(a, b).await` is `(a's output, b's output)`.
pub fn join<A: Future, B: Future>(a: A, b: B) -> Join<A, B> {
    Join {
        a: Box::pin(a),
        b: Box::pin(b),
        a_out: None,
        b_out: None,
    }
}

// `Join` is `Unpin` (its futures are boxed) when the outputs are.
impl<A: Future, B: Future> Future for Join<A, B>
where
    A::Output: Unpin,
    B::Output: Unpin,
{
    type Output = (A::Output, B::Output);

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        // a unless done; b unless done, even if a was Pending; Ready once both are.
        todo!("poll each future not done yet; Ready((a, b)) once both outputs are there")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use exercises::reactor::{block_on, Reactor};
    use exercises::within;
    use std::cell::Cell;
    use std::future::poll_fn;
    use std::rc::Rc;
    use std::task::Waker;

    /// A one-letter mailbox between two futures on one thread.
    #[derive(Default)]
    struct Mailbox {
        letter: Cell<Option<u32>>,
        waiter: Cell<Option<Waker>>,
    }

    impl Mailbox {
        fn send(&self, letter: u32) {
            self.letter.set(Some(letter));
            if let Some(w) = self.waiter.take() {
                w.wake();
            }
        }
        async fn receive(&self) -> u32 {
            poll_fn(|cx| match self.letter.take() {
                Some(letter) => Poll::Ready(letter),
                None => {
                    self.waiter.set(Some(cx.waker().clone()));
                    Poll::Pending
                }
            })
            .await
        }
    }

    /// `Pending` `n` times, waking itself each time, then `Ready(n)`.
    async fn after_polls(n: u32) -> u32 {
        let mut left = n;
        poll_fn(|cx| {
            if left == 0 {
                return Poll::Ready(n);
            }
            left -= 1;
            cx.waker().wake_by_ref();
            Poll::Pending
        })
        .await
    }

    /// Two futures that each wait for the other's letter both finish: `b` runs while `a` waits.
    /// 中文：两个互相等待对方来信的 future 都能完成：`a` 在等的时候，`b` 照样运行。
    #[test]
    fn both_run_while_the_other_waits() {
        within(10, || {
            let (to_a, to_b) = (Rc::new(Mailbox::default()), Rc::new(Mailbox::default()));
            let (a_in, b_out) = (to_a.clone(), to_b.clone());
            let a = async move {
                let x = a_in.receive().await; // b's letter
                b_out.send(x + 1);
                x
            };
            let b = async move {
                to_a.send(1);
                to_b.receive().await // a's answer
            };
            let reactor = Reactor::new().unwrap();
            match block_on(&reactor, join(a, b)) {
                Ok((out, _)) => assert_eq!(out, (1, 2), "(a's output, b's output)"),
                Err(e) => panic!("{e}: was b polled while a was Pending?"),
            }
        });
    }

    /// A future ready at once and one that needs 5 polls: each is polled until `Ready`, never after.
    /// 中文：一个立刻就绪、一个要 poll 5 次：每个都 poll 到 `Ready` 为止，之后不再 poll。
    #[test]
    fn each_is_polled_until_ready_and_never_after() {
        within(10, || {
            let reactor = Reactor::new().unwrap();
            let (out, polls) = block_on(&reactor, join(async { 7 }, after_polls(5))).unwrap();
            assert_eq!(out, (7, 5));
            assert_eq!(polls.0, 6, "Ready at the slower one's last poll");
            let (out, _) = block_on(&reactor, join(after_polls(3), async { "b" })).unwrap();
            assert_eq!(out, (3, "b"));
        });
    }

    /// Joins nest: a join of a join and a future gives all three outputs.
    /// 中文：join 可以嵌套：一个 join 再和一个 future 做 join，得到全部三个结果。
    #[test]
    fn joins_nest() {
        within(10, || {
            let reactor = Reactor::new().unwrap();
            let inner = join(after_polls(2), after_polls(4));
            let (out, _) = block_on(&reactor, join(inner, after_polls(1))).unwrap();
            assert_eq!(out, ((2, 4), 1));
        });
    }
}
