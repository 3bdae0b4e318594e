//! The semaphore, the event and the timer of [`crate::sync`], run and
//! measured: the peak number of threads inside the semaphore, how long an
//! `Event.wait` waited for `set`, when a timer fired, and that a cancelled
//! timer never fires.

use crate::sync::{Event, Semaphore, Timer};
use demo_kit::say::{say, Side};
use demo_kit::{bail_msg, tr, Result};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread;
use std::time::{Duration, Instant};

/// Anything that lets a limited number of threads into a block at once:
/// `with sem:`. The measurement takes any of them, so a test can hand it a
/// broken one and see that it is caught.
pub trait Gate: Sync {
    /// Runs `inside` while holding a permit.
    fn with_permit(&self, inside: &mut dyn FnMut());
}

impl Gate for Semaphore {
    fn with_permit(&self, inside: &mut dyn FnMut()) {
        let _permit = self.acquire();
        inside();
    } // the permit is released here, after `inside` returned
}

/// Longest a thread waits for the semaphore to fill (a safety bound; a
/// correct semaphore fills as fast as threads start).
pub const FILL_WITHIN: Duration = Duration::from_secs(10);

/// Who is inside, counted under the measurement's own lock (not the
/// semaphore's).
#[derive(Default)]
struct Count {
    inside: usize,
    peak: usize,
    entered: usize,
    left: usize,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// `threads` threads each pass through `gate` once, which should admit at
/// most `k` at a time; returns the peak number inside at once.
///
/// Inside, holding its permit, a thread counts itself in (and the peak),
/// then works outside the semaphore's lock: it waits on the count's own
/// condition variable, first until the semaphore is full (`k` inside, or
/// every thread still running is inside), then — while some thread has not
/// entered yet — for at most `hold` more, so that a gate which admits one
/// too many has the time to let a (k+1)th thread in. Both waits end at
/// once when more than `k` are inside: a broken gate is caught as soon as
/// it lets the extra thread in. Then the thread counts itself out and
/// releases the permit.
pub fn semaphore_peak(gate: &dyn Gate, k: usize, threads: usize, hold: Duration) -> usize {
    let count = Mutex::new(Count::default());
    let changed = Condvar::new();
    thread::scope(|s| {
        for _ in 0..threads {
            s.spawn(|| {
                gate.with_permit(&mut || {
                    let mut c = lock(&count);
                    c.inside += 1;
                    c.entered += 1;
                    c.peak = c.peak.max(c.inside);
                    changed.notify_all();
                    // Fill: wait until k are inside (or all that are left).
                    let (g, _) = changed
                        .wait_timeout_while(c, FILL_WITHIN, |c| {
                            c.inside <= k && c.inside < k.min(threads - c.left)
                        })
                        .unwrap_or_else(|e| e.into_inner());
                    // Hold: give the threads still outside a chance to get in.
                    let (mut c, _) = changed
                        .wait_timeout_while(g, hold, |c| c.inside <= k && c.entered < threads)
                        .unwrap_or_else(|e| e.into_inner());
                    c.inside -= 1;
                    c.left += 1;
                    changed.notify_all();
                });
            });
        }
    });
    let peak = lock(&count).peak;
    peak
}

/// A gate that lets one thread too many in: `Semaphore::new(k + 1)` where
/// `Semaphore::new(k)` was meant. The demo shows that the measurement
/// catches it.
pub struct OneTooMany(pub Semaphore);

impl OneTooMany {
    pub fn new(k: usize) -> OneTooMany {
        OneTooMany(Semaphore::new(k + 1))
    }
}

impl Gate for OneTooMany {
    fn with_permit(&self, inside: &mut dyn FnMut()) {
        self.0.with_permit(inside)
    }
}

pub fn show() -> Result<()> {
    let (k, n) = (3, 8);
    let hold = Duration::from_millis(100);
    say(
        Side::Parent,
        tr!(
            "Semaphore::new({k}); {n} threads each do `with sem:`; inside, each waits until {k} are in, then holds its permit up to {} ms more while others wait outside", "Semaphore::new({k})；{n} 个线程各自执行 `with sem:`；进去之后，每个都等到里面有 {k} 个，再多占着许可最多 {} ms，其余的在外面等",
            hold.as_millis()
        ),
    );
    let peak = semaphore_peak(&Semaphore::new(k), k, n, hold);
    say(
        Side::Parent,
        tr!(
            "peak number inside at once: {peak} (limit {k})",
            "同时在里面的最多有：{peak} 个（上限 {k}）"
        ),
    );
    if peak != k {
        return bail_msg(tr!(
            "the semaphore let {peak} threads in at once, not {k}",
            "信号量同时放进了 {peak} 个线程，而不是 {k} 个"
        ));
    }
    let broken = semaphore_peak(&OneTooMany::new(k), k, n, hold);
    say(
        Side::Parent,
        tr!("the same count through a broken semaphore (Semaphore::new({}) in its place): peak {broken} — caught", "换成一个坏掉的信号量（用 Semaphore::new({}) 代替）再数一遍：最多 {broken} 个——被抓到了", k + 1),
    );
    if broken <= k {
        return bail_msg(tr!(
            "a semaphore that admits {} was not caught: peak {broken}",
            "一个放进 {} 个的信号量没有被抓到：最多 {broken} 个",
            k + 1
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
        tr!(
            "a thread calls event.wait(); main sleeps 100 ms, then event.set()",
            "一个线程调用 event.wait()；main 睡 100 ms，然后 event.set()"
        ),
    );
    thread::sleep(Duration::from_millis(100));
    event.set();
    let (set, waited) = waiter.join().unwrap_or((false, Duration::ZERO));
    say(
        Side::Child,
        tr!(
            "event.wait() returned {set} after {} ms",
            "{} ms 后 event.wait() 返回 {set}",
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
        tr!(
            "Timer(0.15, f).start(): f ran = {ran}, at +{} ms",
            "Timer(0.15, f).start()：f 执行了 = {ran}，在 +{} ms",
            at.as_millis()
        ),
    );
    let cancelled = Timer::start(Duration::from_millis(150), || {});
    cancelled.cancel();
    let ran = cancelled.join();
    say(
        Side::Parent,
        tr!(
            "Timer(0.15, f).start(); timer.cancel(): f ran = {ran}",
            "Timer(0.15, f).start()；timer.cancel()：f 执行了 = {ran}"
        ),
    );
    Ok(())
}
