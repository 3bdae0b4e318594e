// Exercise `shared_counter` — solution. See exercises/15_threads/shared_counter.rs.

use nix::unistd::{getpid, gettid};
use std::sync::{Arc, Mutex};
use std::thread;

/// Returns the final count and each thread's `(pid, tid)`.
fn count_together(threads: usize, per_thread: u64) -> (u64, Vec<(i32, i32)>) {
    let counter = Arc::new(Mutex::new(0u64));
    let handles: Vec<_> = (0..threads)
        .map(|_| {
            let counter = Arc::clone(&counter);
            thread::spawn(move || {
                for _ in 0..per_thread {
                    *counter.lock().unwrap() += 1;
                }
                (getpid().as_raw(), gettid().as_raw())
            })
        })
        .collect();
    let seen = handles.into_iter().map(|h| h.join().unwrap()).collect();
    let count = *counter.lock().unwrap();
    (count, seen)
}
