//! 信号量 (semaphore), 事件 (Event) and 定时器 (Timer), each built from a
//! `Mutex` and a `Condvar` (or a channel) in a few lines.
//!
//! All three are the same pattern: some shared state under a mutex, and a
//! condition variable to sleep on until the state is what we wait for.
//! `Condvar::wait` releases the mutex while asleep and takes it back on
//! waking, and a wake-up may be spurious, so every wait is a `while` loop
//! that re-checks the state.

use crossbeam_channel::{after, bounded, select, Sender};
use std::sync::{Condvar, Mutex, MutexGuard};
use std::thread::{self, JoinHandle};
use std::time::Duration;

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// `threading.Semaphore(k)`: at most `k` holders at a time.
pub struct Semaphore {
    free: Mutex<usize>,
    changed: Condvar,
}

/// Holding a permit; dropping it gives the permit back (`sem.release()`).
pub struct Permit<'a>(&'a Semaphore);

impl Semaphore {
    pub fn new(k: usize) -> Semaphore {
        Semaphore {
            free: Mutex::new(k),
            changed: Condvar::new(),
        }
    }
    /// `with sem:` — waits until a permit is free.
    pub fn acquire(&self) -> Permit<'_> {
        let mut free = lock(&self.free);
        while *free == 0 {
            free = self.changed.wait(free).unwrap_or_else(|e| e.into_inner());
        }
        *free -= 1;
        Permit(self)
    }
}

impl Drop for Permit<'_> {
    fn drop(&mut self) {
        *lock(&self.0.free) += 1;
        self.0.changed.notify_one();
    }
}

/// `threading.Event`: a flag threads can wait for.
#[derive(Default)]
pub struct Event {
    flag: Mutex<bool>,
    changed: Condvar,
}

impl Event {
    pub fn new() -> Event {
        Event::default()
    }
    pub fn set(&self) {
        *lock(&self.flag) = true;
        self.changed.notify_all();
    }
    pub fn clear(&self) {
        *lock(&self.flag) = false;
    }
    pub fn is_set(&self) -> bool {
        *lock(&self.flag)
    }
    /// `event.wait(timeout)`: true if the flag was set in time.
    pub fn wait(&self, timeout: Duration) -> bool {
        let flag = lock(&self.flag);
        let (flag, _) = self
            .changed
            .wait_timeout_while(flag, timeout, |set| !*set)
            .unwrap_or_else(|e| e.into_inner());
        *flag
    }
}

/// `threading.Timer(delay, f)`: runs `f` once after `delay` on its own
/// thread, unless cancelled first.
pub struct Timer {
    cancel: Sender<()>,
    thread: JoinHandle<bool>,
}

impl Timer {
    pub fn start(delay: Duration, f: impl FnOnce() + Send + 'static) -> Timer {
        let (cancel, cancelled) = bounded(1);
        let thread = thread::spawn(move || {
            select! {
                recv(after(delay)) -> _ => { f(); true }
                recv(cancelled) -> _ => false,
            }
        });
        Timer { cancel, thread }
    }
    /// `timer.cancel()`: the function will not run (if it has not yet).
    pub fn cancel(&self) {
        let _ = self.cancel.try_send(());
    }
    /// Waits for the timer thread; true if the function ran.
    pub fn join(self) -> bool {
        self.thread.join().unwrap_or(false)
    }
}
