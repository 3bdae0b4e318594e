//! Lesson 16's semaphore peak, and its measurement checked in turn.
//!
//! `sync_demo::semaphore_peak` is a claim of its own: each thread, holding
//! its permit, waits until k are inside ("fill"), then holds on while some
//! thread has not entered yet, up to `hold` ("hold"). A peak of k proves the
//! semaphore only if the measurement really brings k together, and a
//! measurement that waits out its safety bound (`FILL_WITHIN`, 10 s) or its
//! whole `hold` where nobody is left to wait for is broken too. So every
//! measurement here runs on a thread of its own and must return within
//! [`PROMPT`]: a wrong one fails in bounded time, whatever it does.

use crossbeam_channel::RecvTimeoutError;
use std::sync::{Condvar, Mutex};
use std::time::Duration;
use thread_demo::sync::Semaphore;
use thread_demo::sync_demo::{self, Gate, OneTooMany, FILL_WITHIN};

/// A correct measurement of a few threads returns in milliseconds; one that
/// waits out `FILL_WITHIN` (10 s) or a `hold` of [`LONG`] takes far longer.
const PROMPT: Duration = Duration::from_secs(2);

/// A `hold` that a test must never see waited out.
const LONG: Duration = Duration::from_secs(30);

/// `semaphore_peak(gate, k, threads, hold)`, which must return within
/// [`PROMPT`], plus `hold` per thread when the threads may hold on one
/// after another (`held_in_turn`). (On a timeout the measuring thread is
/// left behind, asleep; it ends with the test binary.)
fn peak_within(
    gate: impl Gate + Send + 'static,
    k: usize,
    threads: usize,
    hold: Duration,
    held_in_turn: bool,
) -> usize {
    let within = if held_in_turn {
        PROMPT + hold * threads as u32
    } else {
        PROMPT
    };
    let (tx, rx) = crossbeam_channel::bounded(1);
    std::thread::spawn(move || {
        let _ = tx.send(sync_demo::semaphore_peak(&gate, k, threads, hold));
    });
    match rx.recv_timeout(within) {
        Ok(peak) => peak,
        Err(RecvTimeoutError::Timeout) => panic!(
            "semaphore_peak(k = {k}, {threads} threads, hold {hold:?}) did not return within \
             {within:?}"
        ),
        Err(RecvTimeoutError::Disconnected) => panic!("semaphore_peak panicked"),
    }
}

/// The semaphore check: `Semaphore::new(k)`'s stand-in `gate`, passed
/// through by 6 threads, must have had exactly `k` inside at once.
fn check_semaphore(gate: impl Gate + Send + 'static, k: usize) {
    let peak = peak_within(gate, k, 6, Duration::from_millis(200), true);
    assert!(peak <= k, "the semaphore let {peak} in at once, limit {k}");
    assert_eq!(peak, k, "the semaphore never had {k} inside at once");
}

#[test]
fn the_semaphore_lets_exactly_k_in() {
    for k in [1, 2, 3] {
        check_semaphore(Semaphore::new(k), k);
    }
}

/// The same check must fail for a semaphore that admits one too many:
/// otherwise it proves nothing.
#[test]
#[should_panic(expected = "the semaphore let 3 in at once, limit 2")]
fn the_check_catches_a_semaphore_that_admits_one_too_many() {
    check_semaphore(OneTooMany::new(2), 2);
}

/// And for no semaphore at all: every thread walks in.
#[test]
fn the_check_catches_no_semaphore_at_all() {
    struct Open;
    impl Gate for Open {
        fn with_permit(&self, inside: &mut dyn FnMut()) {
            inside()
        }
    }
    let peak = peak_within(Open, 2, 6, LONG, false);
    assert!(peak > 2, "no limit, yet a peak of {peak}");
}

/// The fill alone brings k together: with no hold at all, each thread
/// still waits, holding its permit, until k are inside. A measurement that
/// skipped the fill would let each thread count itself in and out again
/// under the count's lock, and report 1. Five times each, so that no lucky
/// interleaving can pass for it.
#[test]
fn the_fill_brings_k_together_with_no_hold() {
    for k in [2, 3] {
        for _ in 0..5 {
            let peak = peak_within(Semaphore::new(k), k, 6, Duration::ZERO, false);
            assert_eq!(peak, k, "with no hold, {k} were never inside together");
        }
    }
}

/// "Holds its permit up to `hold` more while others wait outside": once
/// every thread has entered, nobody is outside, and nobody holds on. With
/// exactly k threads the run ends as soon as all k are in, however long
/// `hold` is.
#[test]
fn no_one_holds_on_once_every_thread_is_in() {
    for k in [1, 2, 3] {
        let peak = peak_within(Semaphore::new(k), k, k, LONG, false);
        assert_eq!(peak, k);
    }
}

/// A gate that admits `k` at a time, in batches: the first `k` threads
/// together, the rest only once all of the first have left. (At most `k`
/// inside at once: a correct gate, with a known order.)
struct Batches {
    k: usize,
    /// (tickets handed out, threads of the first batch that have left)
    state: Mutex<(usize, usize)>,
    changed: Condvar,
}

impl Batches {
    fn new(k: usize) -> Batches {
        Batches {
            k,
            state: Mutex::new((0, 0)),
            changed: Condvar::new(),
        }
    }
}

impl Gate for Batches {
    fn with_permit(&self, inside: &mut dyn FnMut()) {
        let mut s = self.state.lock().unwrap();
        let ticket = s.0;
        s.0 += 1;
        if ticket >= self.k {
            // Bounded: past FILL_WITHIN the measurement's own wait has
            // failed the test already.
            s = self
                .changed
                .wait_timeout_while(s, FILL_WITHIN, |s| s.1 < self.k)
                .unwrap()
                .0;
        }
        drop(s);
        inside();
        if ticket < self.k {
            self.state.lock().unwrap().1 += 1;
            self.changed.notify_all();
        }
    }
}

/// The last few fill up to the threads that are left, not to k: when fewer
/// than k threads remain, they are all the semaphore will ever hold at once,
/// and waiting for k would wait out `FILL_WITHIN` (10 s). Here 3 threads
/// through a gate of 2: the third enters alone, after the first two left.
/// The first two hold on for the 600 ms `hold`, since a thread is still
/// outside; the first to enter must see the second come in before the
/// second's hold ends, or it waits on for one more, which `Batches` never
/// lets in before the safety bound. (A `hold` of zero would make that
/// certain; 600 ms leaves a busy machine's scheduler plenty of time, and
/// the bound grows with the holds.)
#[test]
fn the_last_threads_fill_to_those_left_not_to_k() {
    let peak = peak_within(Batches::new(2), 2, 3, Duration::from_millis(600), true);
    assert_eq!(peak, 2);
}
