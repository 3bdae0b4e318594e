//! Test support for lesson 19 (coroutines): the smallest runtime that can
//! drive one future on the real kernel (you never need to edit this file).
//!
//! [`Reactor::register`] is what a socket future calls on `EAGAIN`: "wake
//! me when this descriptor is readable". [`block_on`] polls the future; when
//! it returns `Pending` it sleeps in `epoll_wait` until a registered
//! descriptor is ready, and calls the waker that was left for it. A future
//! that returns `Pending` without registering anything (and without waking
//! itself) could never be woken: `block_on` fails at once, saying so.

use nix::sys::epoll::{Epoll, EpollCreateFlags, EpollEvent, EpollFlags, EpollTimeout};
use std::cell::RefCell;
use std::collections::{HashMap, HashSet};
use std::future::Future;
use std::io;
use std::os::fd::{BorrowedFd, RawFd};
use std::pin::pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll, Wake, Waker};

/// One epoll instance, and the waker left for each descriptor.
pub struct Reactor {
    epoll: Epoll,
    added: RefCell<HashSet<RawFd>>,
    waiting: RefCell<HashMap<RawFd, Waker>>,
}

impl Reactor {
    pub fn new() -> io::Result<Reactor> {
        Ok(Reactor {
            epoll: Epoll::new(EpollCreateFlags::EPOLL_CLOEXEC)?,
            added: RefCell::new(HashSet::new()),
            waiting: RefCell::new(HashMap::new()),
        })
    }

    /// Wake `waker` once `fd` is readable (or closed by the peer). Call it
    /// after a `read` said `EAGAIN`, then return `Poll::Pending`.
    pub fn register(&self, fd: RawFd, waker: &Waker) -> io::Result<()> {
        // One-shot: after one report the descriptor is disarmed until the
        // next `register` (epoll_ctl(2), EPOLLONESHOT).
        let flags = EpollFlags::EPOLLIN | EpollFlags::EPOLLRDHUP | EpollFlags::EPOLLONESHOT;
        let mut event = EpollEvent::new(flags, fd as u64);
        // SAFETY: the caller's socket stays open while its future runs.
        let borrowed = unsafe { BorrowedFd::borrow_raw(fd) };
        if self.added.borrow_mut().insert(fd) {
            self.epoll.add(borrowed, event)?;
        } else {
            self.epoll.modify(borrowed, &mut event)?;
        }
        self.waiting.borrow_mut().insert(fd, waker.clone());
        Ok(())
    }

    /// Sleeps until a registered descriptor is ready; wakes its waker.
    fn wait(&self) -> io::Result<()> {
        let mut events = [EpollEvent::empty(); 16];
        let n = match self.epoll.wait(&mut events, EpollTimeout::from(10_000u16)) {
            Ok(0) => return Err(io::Error::other("nothing became readable for 10 s")),
            Ok(n) => n,
            Err(nix::errno::Errno::EINTR) => return Ok(()),
            Err(e) => return Err(e.into()),
        };
        for event in &events[..n] {
            if let Some(w) = self.waiting.borrow_mut().remove(&(event.data() as RawFd)) {
                w.wake();
            }
        }
        Ok(())
    }
}

/// A waker that only notes that it was called.
struct Flag(AtomicBool);

impl Wake for Flag {
    fn wake(self: Arc<Self>) {
        self.0.store(true, Ordering::SeqCst);
    }
}

/// How often the future was polled.
#[derive(Debug, Clone, Copy)]
pub struct Polls(pub u32);

/// Runs `future` to the end on this thread; `Err` if it returned `Pending`
/// with nothing registered and without waking itself.
pub fn block_on<F: Future>(reactor: &Reactor, future: F) -> io::Result<(F::Output, Polls)> {
    let mut future = pin!(future);
    let flag = Arc::new(Flag(AtomicBool::new(false)));
    let waker = Waker::from(flag.clone());
    let mut polls = 0;
    loop {
        polls += 1;
        flag.0.store(false, Ordering::SeqCst);
        if let Poll::Ready(out) = future.as_mut().poll(&mut Context::from_waker(&waker)) {
            return Ok((out, Polls(polls)));
        }
        if flag.0.load(Ordering::SeqCst) {
            continue; // it woke itself: poll again
        }
        if reactor.waiting.borrow().is_empty() {
            return Err(io::Error::other(
                "the future returned Pending but registered nothing with the reactor \
                 and did not wake itself: nothing would ever poll it again",
            ));
        }
        reactor.wait()?;
    }
}
