// Solution of `join_two` (lesson 19). The tests are the exercise's own:
// see exercises/19_coroutines/join_two.rs.

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
        let this = &mut *self;
        if this.a_out.is_none() {
            if let Poll::Ready(v) = this.a.as_mut().poll(cx) {
                this.a_out = Some(v);
            }
        }
        // Even if `a` is Pending: `b` runs meanwhile.
        if this.b_out.is_none() {
            if let Poll::Ready(v) = this.b.as_mut().poll(cx) {
                this.b_out = Some(v);
            }
        }
        if this.a_out.is_none() || this.b_out.is_none() {
            return Poll::Pending; // not both yet: their wakers will call us again
        }
        Poll::Ready((this.a_out.take().unwrap(), this.b_out.take().unwrap()))
    }
}
