// Exercise `semaphore` — solution. See exercises/16_locks_and_sync/semaphore.rs.

use std::sync::{Condvar, Mutex};

pub struct Semaphore {
    free: Mutex<usize>,
    changed: Condvar,
}

/// A permit held; dropping it releases it.
pub struct Permit<'a> {
    sem: &'a Semaphore,
}

impl Semaphore {
    pub fn new(k: usize) -> Semaphore {
        Semaphore { free: Mutex::new(k), changed: Condvar::new() }
    }

    /// Waits until a permit is free and takes it.
    pub fn acquire(&self) -> Permit<'_> {
        let mut free = self.free.lock().unwrap();
        while *free == 0 {
            free = self.changed.wait(free).unwrap();
        }
        *free -= 1;
        Permit { sem: self }
    }
}

impl Drop for Permit<'_> {
    fn drop(&mut self) {
        *self.sem.free.lock().unwrap() += 1;
        self.sem.changed.notify_one();
    }
}
