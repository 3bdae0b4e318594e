//! What `spawn` hands back, and the smallest future that switches:
//! a [`JoinHandle`] is a task's result, `Pending` until the task is done
//! (it keeps the waiting task's waker); [`yield_now`] returns `Pending`
//! once, having woken itself.

use std::cell::RefCell;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};

/// A spawned task's result: `.await` it. Inside: the result, once the task
/// is done, and the waker of the task that awaits it, while it waits.
pub struct JoinHandle<T>(Rc<RefCell<(Option<T>, Option<Waker>)>>);

/// `future` as a task: it puts its output in the handle and wakes the task
/// that waits on the handle, if any.
pub(super) fn task<F: Future>(future: F) -> (JoinHandle<F::Output>, impl Future<Output = ()>) {
    let join = Rc::new(RefCell::new((None, None)));
    (JoinHandle(join.clone()), async move {
        let output = future.await;
        let (value, waiter) = &mut *join.borrow_mut();
        *value = Some(output);
        if let Some(waiter) = waiter.take() {
            waiter.wake();
        }
    })
}

impl<T> Future for JoinHandle<T> {
    type Output = T;
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<T> {
        let (value, waiter) = &mut *self.0.borrow_mut();
        if let Some(value) = value.take() {
            return Poll::Ready(value);
        }
        *waiter = Some(cx.waker().clone());
        Poll::Pending
    }
}

/// Gives the other ready tasks a turn: `Pending` once, having woken itself
/// (asyncio's `await asyncio.sleep(0)`, gevent's `gevent.sleep(0)`).
pub async fn yield_now() {
    let mut yielded = false;
    std::future::poll_fn(move |cx| {
        if std::mem::replace(&mut yielded, true) {
            return Poll::Ready(());
        }
        cx.waker().wake_by_ref();
        Poll::Pending
    })
    .await
}
