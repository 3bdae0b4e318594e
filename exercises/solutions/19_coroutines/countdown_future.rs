// Solution of `countdown_future` (lesson 19). The tests are the exercise's
// own: see exercises/19_coroutines/countdown_future.rs.

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
        self.polls += 1;
        if self.left == 0 {
            return Poll::Ready(self.polls);
        }
        self.left -= 1;
        // Nobody else will wake us: do it, or the executor never polls again.
        cx.waker().wake_by_ref();
        Poll::Pending
    }
}
