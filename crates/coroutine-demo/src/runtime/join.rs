//! What `spawn` hands back, and the smallest future that switches:
//! a [`JoinHandle`] is a task's result, `Pending` until the task is done
//! (it keeps the waiting task's waker); [`yield_now`] returns `Pending`
//! once, having woken itself.

use std::cell::RefCell;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};

pub(super) struct Join<T> {
    pub(super) value: Option<T>,
    pub(super) waiter: Option<Waker>,
}

/// A spawned task's result: `.await` it.
pub struct JoinHandle<T>(pub(super) Rc<RefCell<Join<T>>>);

impl<T> JoinHandle<T> {
    pub(super) fn take(&self) -> Option<T> {
        self.0.borrow_mut().value.take()
    }
}

impl<T> Future for JoinHandle<T> {
    type Output = T;
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<T> {
        let mut s = self.0.borrow_mut();
        match s.value.take() {
            Some(v) => Poll::Ready(v),
            None => {
                s.waiter = Some(cx.waker().clone());
                Poll::Pending
            }
        }
    }
}

/// Gives the other ready tasks a turn: `Pending` once, having woken itself
/// (asyncio's `await asyncio.sleep(0)`, gevent's `gevent.sleep(0)`).
pub async fn yield_now() {
    let mut yielded = false;
    std::future::poll_fn(move |cx| {
        if yielded {
            return Poll::Ready(());
        }
        yielded = true;
        cx.waker().wake_by_ref();
        Poll::Pending
    })
    .await
}
