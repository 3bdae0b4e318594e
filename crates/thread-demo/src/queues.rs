//! 线程 queue: Python's `queue.Queue`, `LifoQueue` and `PriorityQueue`.
//!
//! Lesson 14's queue carried items between *processes* (through a pipe and
//! a lock). Between threads a queue is just memory plus a lock:
//! crossbeam-channel's `bounded(n)` is `queue.Queue(n)` (a full queue
//! blocks `put`), `unbounded()` is `queue.Queue()`. Python's two other
//! orders are one small type here: a store under a `Mutex` and a `Condvar`
//! that `get` sleeps on while the store is empty.

use demo_kit::say::{say, Side};
use demo_kit::tr;
use demo_kit::Result;
use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::sync::{Condvar, Mutex};
use std::time::Duration;

/// Where a [`Queue`] keeps its items; the order is the store's.
pub trait Store<T>: Default {
    fn push(&mut self, item: T);
    fn pop(&mut self) -> Option<T>;
    fn is_empty(&self) -> bool;
}

/// LIFO: a `Vec` pops the last item pushed (`queue.LifoQueue`).
impl<T> Store<T> for Vec<T> {
    fn push(&mut self, item: T) {
        Vec::push(self, item)
    }
    fn pop(&mut self) -> Option<T> {
        Vec::pop(self)
    }
    fn is_empty(&self) -> bool {
        Vec::is_empty(self)
    }
}

/// Priority: smallest first, like `queue.PriorityQueue` (a min-heap).
impl<T: Ord> Store<T> for BinaryHeap<Reverse<T>> {
    fn push(&mut self, item: T) {
        BinaryHeap::push(self, Reverse(item))
    }
    fn pop(&mut self) -> Option<T> {
        BinaryHeap::pop(self).map(|Reverse(t)| t)
    }
    fn is_empty(&self) -> bool {
        BinaryHeap::is_empty(self)
    }
}

/// An unbounded blocking queue whose order is its store's.
pub struct Queue<T, S: Store<T>> {
    items: Mutex<S>,
    not_empty: Condvar,
    _t: std::marker::PhantomData<fn(T) -> T>,
}

pub type LifoQueue<T> = Queue<T, Vec<T>>;
pub type PriorityQueue<T> = Queue<T, BinaryHeap<Reverse<T>>>;

impl<T, S: Store<T>> Default for Queue<T, S> {
    fn default() -> Self {
        Queue {
            items: Mutex::new(S::default()),
            not_empty: Condvar::new(),
            _t: std::marker::PhantomData,
        }
    }
}

impl<T, S: Store<T>> Queue<T, S> {
    pub fn put(&self, item: T) {
        self.items
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(item);
        self.not_empty.notify_one();
    }
    /// `q.get(timeout=..)`: `None` if nothing arrived in time.
    pub fn get(&self, timeout: Duration) -> Option<T> {
        let items = self.items.lock().unwrap_or_else(|e| e.into_inner());
        let (mut items, _) = self
            .not_empty
            .wait_timeout_while(items, timeout, |s| s.is_empty())
            .unwrap_or_else(|e| e.into_inner());
        items.pop()
    }
}

/// What each queue gave back for the same puts.
#[derive(Debug, PartialEq, Eq)]
pub struct Report {
    pub fifo: Vec<i32>,
    pub lifo: Vec<i32>,
    pub priority: Vec<(i32, String)>,
    pub bounded_full: bool,
}

pub fn show() -> Result<Report> {
    let (tx, rx) = crossbeam_channel::bounded(3);
    for i in 1..=3 {
        let _ = tx.send(i);
    }
    let bounded_full = tx.try_send(4).is_err();
    say(
        Side::Parent,
        tr!(
            "bounded(3) = queue.Queue(3): put 1,2,3; a 4th try_send → {}",
            "bounded(3) = queue.Queue(3)：put 1,2,3；第 4 次 try_send → {}",
            if bounded_full { "Full" } else { "accepted" }
        ),
    );
    let fifo: Vec<i32> = rx.try_iter().collect();
    say(
        Side::Parent,
        tr!(
            "get, get, get → {fifo:?} (first in, first out)",
            "连着 get 三次 → {fifo:?}（先进先出）"
        ),
    );
    let (utx, urx) = crossbeam_channel::unbounded();
    for i in 0..10_000 {
        let _ = utx.send(i);
    }
    say(
        Side::Parent,
        tr!(
            "unbounded() = queue.Queue(): 10000 puts never block; {} waiting",
            "unbounded() = queue.Queue()：put 10000 次也不会阻塞；{} 个在等着",
            urx.len()
        ),
    );

    let lifo_q = LifoQueue::default();
    for i in 1..=3 {
        lifo_q.put(i);
    }
    let lifo: Vec<i32> = (0..3).filter_map(|_| lifo_q.get(Duration::ZERO)).collect();
    say(
        Side::Parent,
        tr!(
            "LifoQueue: put 1,2,3 → get ×3 → {lifo:?} (last in, first out)",
            "LifoQueue：put 1,2,3 → get ×3 → {lifo:?}（后进先出）"
        ),
    );

    let pq = PriorityQueue::default();
    for (p, what) in [(20, "b"), (10, "a"), (30, "c")] {
        pq.put((p, what.to_string()));
    }
    let priority: Vec<(i32, String)> = (0..3).filter_map(|_| pq.get(Duration::ZERO)).collect();
    say(
        Side::Parent,
        tr!(
            "PriorityQueue: put (20,b),(10,a),(30,c) → {priority:?} (smallest first)",
            "PriorityQueue：put (20,b),(10,a),(30,c) → {priority:?}（最小的先出）"
        ),
    );
    let waited = std::time::Instant::now();
    let none = pq.get(Duration::from_millis(100));
    say(
        Side::Parent,
        tr!(
            "get(timeout=0.1) on the empty queue → {none:?} after {} ms",
            "在空队列上 get(timeout=0.1) → {} ms 后得到 {none:?}",
            waited.elapsed().as_millis()
        ),
    );
    Ok(Report {
        fifo,
        lifo,
        priority,
        bounded_full,
    })
}
