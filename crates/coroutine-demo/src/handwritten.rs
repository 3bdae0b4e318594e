//! 切换+保存状态 by hand: a producer and a consumer taking turns on one
//! thread, first with the saved state written out as an `enum` and a
//! `match`, then as `async fn`s, whose state machine the compiler writes.
//!
//! The course's Python does it with a generator: `x = yield` stops the
//! consumer *in the middle of its loop*; `g.send(i)` resumes it there.
//! What must survive between the two is where it stopped and its local
//! variables. CPython keeps them in the generator's frame, on the heap
//! (Objects/genobject.c: `gen_send_ex` pushes the value and re-enters the
//! frame). [`Consumer`] keeps exactly that, as an enum: one variant per
//! place it can stop, holding the locals live there.

use crate::runtime::{spawn, Runtime};
use std::cell::{Cell, RefCell};
use std::future::poll_fn;
use std::io;
use std::rc::Rc;
use std::task::{Poll, Waker};

/// The consumer generator's frame, by hand. Python's:
/// `def consumer(): total = 0` / `while True: x = yield; total += x`.
#[derive(Debug)]
pub enum Consumer {
    /// Created, not started: `next(g)` has not run yet.
    Created,
    /// Stopped at `x = yield`, with its locals.
    AtYield { total: u64, received: u32 },
}

impl Consumer {
    /// `next(g)`: run to the first `yield`.
    pub fn start(&mut self) {
        if let Consumer::Created = self {
            *self = Consumer::AtYield {
                total: 0,
                received: 0,
            };
        }
    }

    /// `g.send(x)`: resume at the `yield` with `x`, run the loop body, and
    /// stop at the `yield` again. Returns the running total.
    pub fn send(&mut self, x: u64) -> Option<u64> {
        match self {
            Consumer::Created => None, // Python: "can't send non-None value to a just-started generator"
            Consumer::AtYield { total, received } => {
                *total += x;
                *received += 1;
                Some(*total)
            }
        }
    }
}

/// Who did what, in order: `("produce", 0)`, `("consume", 0)`, ...
pub type Log = Vec<(&'static str, u64)>;

/// The producer drives the hand-written consumer: `n` items.
pub fn by_hand(n: u64) -> Log {
    let mut log = Vec::new();
    let mut g = Consumer::Created;
    g.start();
    for i in 0..n {
        log.push(("produce", i));
        if g.send(i).is_some() {
            log.push(("consume", i));
        }
    }
    log
}

/// A place for one item between two tasks: `put` leaves the item and waits
/// until it is taken, `take` waits while it is empty; each wakes the other.
/// One putter and one taker.
#[derive(Default)]
pub struct Handoff {
    item: Cell<Option<u64>>,
    waiting: RefCell<Option<Waker>>,
}

impl Handoff {
    /// Hands `x` over and switches away at once, like Python's `g.send(x)`;
    /// returns once the other side has taken it.
    pub async fn put(&self, x: u64) {
        let mut placed = false;
        poll_fn(|cx| {
            if placed && self.item.get().is_none() {
                return Poll::Ready(()); // taken
            }
            if !placed && self.item.get().is_none() {
                self.item.set(Some(x));
                placed = true;
                if let Some(w) = self.waiting.borrow_mut().take() {
                    w.wake(); // the taker may run now
                }
            }
            *self.waiting.borrow_mut() = Some(cx.waker().clone());
            Poll::Pending // switch away until `take` has run
        })
        .await
    }

    pub async fn take(&self) -> u64 {
        poll_fn(|cx| match self.item.take() {
            Some(x) => {
                if let Some(w) = self.waiting.borrow_mut().take() {
                    w.wake();
                }
                Poll::Ready(x)
            }
            None => {
                *self.waiting.borrow_mut() = Some(cx.waker().clone());
                Poll::Pending // empty: switch away until `put` runs
            }
        })
        .await
    }
}

/// The consumer as an `async fn`: the same loop as Python's generator.
pub async fn consumer(slot: Rc<Handoff>, n: u64, log: Rc<RefCell<Log>>) -> u64 {
    let mut total = 0;
    for _ in 0..n {
        let x = slot.take().await; // Python: x = yield
        total += x;
        log.borrow_mut().push(("consume", x));
    }
    total
}

pub async fn producer(slot: Rc<Handoff>, n: u64, log: Rc<RefCell<Log>>) {
    for i in 0..n {
        log.borrow_mut().push(("produce", i));
        slot.put(i).await; // Python: g.send(i)
    }
}

/// The `async` run, and the sizes of the state machines.
#[derive(Debug)]
pub struct AsyncRun {
    pub log: Log,
    pub total: u64,
    /// `size_of_val` of the future `consumer(..)` returns, before it runs.
    pub consumer_size: usize,
    pub producer_size: usize,
    pub hand_size: usize,
    /// What a thread's stack reserves (`pthread_attr_getstack` in a std thread).
    pub thread_stack: usize,
}

pub fn with_async(n: u64) -> io::Result<AsyncRun> {
    let slot = Rc::new(Handoff::default());
    let log = Rc::new(RefCell::new(Vec::new()));
    let c = consumer(slot.clone(), n, log.clone());
    let p = producer(slot, n, log.clone());
    let (consumer_size, producer_size) = (std::mem::size_of_val(&c), std::mem::size_of_val(&p));
    let rt = Runtime::new()?;
    let total = rt.block_on(async move {
        let c = spawn("consumer", c);
        spawn("producer", p).await;
        c.await
    })?;
    let log = log.take();
    Ok(AsyncRun {
        log,
        total,
        consumer_size,
        producer_size,
        hand_size: std::mem::size_of::<Consumer>(),
        thread_stack: thread_stack()?,
    })
}

/// The stack size a new `std::thread` gets, read from inside it.
pub fn thread_stack() -> io::Result<usize> {
    std::thread::spawn(|| {
        use nix::libc;
        // SAFETY: plain calls on this thread's own attributes.
        unsafe {
            let mut attr: libc::pthread_attr_t = std::mem::zeroed();
            if libc::pthread_getattr_np(libc::pthread_self(), &mut attr) != 0 {
                return Err(io::Error::other("pthread_getattr_np failed"));
            }
            let (mut addr, mut size) = (std::ptr::null_mut(), 0usize);
            let rc = libc::pthread_attr_getstack(&attr, &mut addr, &mut size);
            libc::pthread_attr_destroy(&mut attr);
            if rc != 0 {
                return Err(io::Error::other("pthread_attr_getstack failed"));
            }
            Ok(size)
        }
    })
    .join()
    .map_err(|_| io::Error::other("the thread panicked"))?
}
