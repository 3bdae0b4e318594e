//! Lesson 16's other waits, timed: `event.wait(timeout)` and a queue's
//! `get(timeout)` sleep while there is nothing to wait for yet, up to their
//! timeout, and return at once when there is. (A wait that never sleeps, or
//! one that always sleeps out its timeout, gives the same answers; only the
//! clock tells them apart.)

use std::time::{Duration, Instant};
use thread_demo::queues::{LifoQueue, PriorityQueue, Queue, Store};
use thread_demo::sync::Event;

/// A wait that returns "at once" does so in microseconds; 2 s is far from
/// that and far below the 5 s timeouts it is given.
const PROMPT: Duration = Duration::from_secs(2);

/// The timeout a wait with nothing to wait for must sleep out.
const SHORT: Duration = Duration::from_millis(50);

#[test]
fn an_events_wait_sleeps_until_set_and_no_longer() {
    let e = Event::new();
    let t = Instant::now();
    assert!(!e.wait(SHORT), "not set: times out");
    assert!(t.elapsed() >= SHORT, "returned after {:?}", t.elapsed());
    e.set();
    let t = Instant::now();
    assert!(e.wait(Duration::from_secs(5)), "set: true");
    assert!(t.elapsed() < PROMPT, "a set event waited {:?}", t.elapsed());
}

/// `get(timeout)` on an empty queue sleeps out its timeout; with an item in
/// it, it returns the item at once.
fn get_waits_only_while_empty<S: Store<i32>>(q: Queue<i32, S>) {
    let t = Instant::now();
    assert_eq!(q.get(SHORT), None);
    assert!(t.elapsed() >= SHORT, "returned after {:?}", t.elapsed());
    q.put(7);
    let t = Instant::now();
    assert_eq!(q.get(Duration::from_secs(5)), Some(7));
    assert!(t.elapsed() < PROMPT, "an item waited {:?}", t.elapsed());
}

#[test]
fn a_lifo_queues_get_waits_only_while_it_is_empty() {
    get_waits_only_while_empty(LifoQueue::default());
}

#[test]
fn a_priority_queues_get_waits_only_while_it_is_empty() {
    get_waits_only_while_empty(PriorityQueue::default());
}
