//! Bounded waiting for states the kernel announces to nobody.
//!
//! Some things a demo wants to show have no event to wait on: a socket
//! entering `TIME_WAIT` is visible only by reading `/proc/net/tcp`, a zombie
//! only by reading `/proc/<pid>/stat`. For those we poll, briefly and never
//! forever. Where a real signal exists (a `read` returning, `waitpid`
//! returning), use it instead of this.

use std::time::{Duration, Instant};

/// Calls `check` every few milliseconds until it returns `Some`, or gives up
/// after `timeout` and returns `None`.
///
/// ```
/// use std::time::Duration;
/// let mut n = 0;
/// let got = demo_kit::wait::until(Duration::from_secs(1), || { n += 1; (n == 3).then_some(n) });
/// assert_eq!(got, Some(3));
/// ```
pub fn until<T>(timeout: Duration, mut check: impl FnMut() -> Option<T>) -> Option<T> {
    let deadline = Instant::now() + timeout;
    let mut pause = Duration::from_micros(200);
    loop {
        if let Some(v) = check() {
            return Some(v);
        }
        if Instant::now() >= deadline {
            return None;
        }
        std::thread::sleep(pause);
        pause = (pause * 2).min(Duration::from_millis(20));
    }
}
