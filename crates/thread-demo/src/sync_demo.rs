//! The semaphore, the event and the timer of [`crate::sync`], run and
//! measured: the peak number of threads inside the semaphore, how long an
//! `Event.wait` waited for `set`, when a timer fired, and that a cancelled
//! timer never fires.

use crate::sync::{Event, Semaphore, Timer};
use demo_kit::say::{say, Side};
use demo_kit::{bail_msg, Result};
use std::sync::{Arc, Condvar, Mutex};
use std::thread;
use std::time::{Duration, Instant};

/// `threads` threads each enter a `Semaphore::new(k)` once. Inside, a
/// thread waits (at most `hold`) until `k` threads are inside, so if the
/// semaphore lets `k` in, the peak is exactly `k` on any number of cores.
/// Returns the peak number of threads seen inside at once.
pub fn semaphore_peak(k: usize, threads: usize, hold: Duration) -> usize {
    let sem = Arc::new(Semaphore::new(k));
    let inside = Arc::new((Mutex::new((0usize, 0usize)), Condvar::new())); // (now, peak)
    let workers: Vec<_> = (0..threads)
        .map(|_| {
            let (sem, inside) = (sem.clone(), inside.clone());
            thread::spawn(move || {
                let _permit = sem.acquire();
                let (m, cv) = &*inside;
                let mut g = m.lock().unwrap_or_else(|e| e.into_inner());
                g.0 += 1;
                g.1 = g.1.max(g.0);
                cv.notify_all();
                let (mut g, _) = cv
                    .wait_timeout_while(g, hold, |g| g.0 < k && g.1 < k)
                    .unwrap_or_else(|e| e.into_inner());
                g.0 -= 1;
            })
        })
        .collect();
    for w in workers {
        let _ = w.join();
    }
    let peak = inside.0.lock().unwrap_or_else(|e| e.into_inner()).1;
    peak
}

pub fn show() -> Result<()> {
    let (k, n) = (3, 8);
    say(
        Side::Parent,
        format!(
            "Semaphore::new({k}); {n} threads each do `with sem:` and count how many are inside"
        ),
    );
    let peak = semaphore_peak(k, n, Duration::from_millis(200));
    say(
        Side::Parent,
        format!("peak concurrency measured inside the semaphore: {peak} (limit {k})"),
    );
    if peak > k {
        return bail_msg(format!(
            "the semaphore let {peak} threads in, more than {k}"
        ));
    }

    let event = Arc::new(Event::new());
    let waiter = {
        let event = event.clone();
        thread::spawn(move || {
            let t = Instant::now();
            let set = event.wait(Duration::from_secs(5));
            (set, t.elapsed())
        })
    };
    say(
        Side::Parent,
        "a thread calls event.wait(); main sleeps 100 ms, then event.set()",
    );
    thread::sleep(Duration::from_millis(100));
    event.set();
    let (set, waited) = waiter.join().unwrap_or((false, Duration::ZERO));
    say(
        Side::Child,
        format!(
            "event.wait() returned {set} after {} ms",
            waited.as_millis()
        ),
    );

    let t = Instant::now();
    let (fired_at_tx, fired_at) = crossbeam_channel::bounded(1);
    let timer = Timer::start(Duration::from_millis(150), move || {
        let _ = fired_at_tx.send(t.elapsed());
    });
    let ran = timer.join();
    let at = fired_at.try_recv().unwrap_or_default();
    say(
        Side::Parent,
        format!(
            "Timer(0.15, f).start(): f ran = {ran}, at +{} ms",
            at.as_millis()
        ),
    );
    let cancelled = Timer::start(Duration::from_millis(150), || {});
    cancelled.cancel();
    let ran = cancelled.join();
    say(
        Side::Parent,
        format!("Timer(0.15, f).start(); timer.cancel(): f ran = {ran}"),
    );
    Ok(())
}
