//! Medians of repeated timings, the way every benchmark in the course
//! reports a cost.
//!
//! One slow run (a page-cache miss, another program taking the core) moves
//! a mean but not a median, so a demo times the same thing a bounded
//! number of times and reports the median.

use std::time::{Duration, Instant};

/// Median of a set of samples (the upper middle one for an even count;
/// zero for no samples). Sorts `samples` in place.
///
/// ```
/// use std::time::Duration;
/// let ms = Duration::from_millis;
/// assert_eq!(demo_kit::measure::median(&mut [ms(9), ms(1), ms(5)]), ms(5));
/// assert_eq!(demo_kit::measure::median(&mut [ms(4), ms(1), ms(3), ms(2)]), ms(3));
/// assert_eq!(demo_kit::measure::median(&mut []), Duration::ZERO);
/// ```
pub fn median(samples: &mut [Duration]) -> Duration {
    samples.sort();
    samples.get(samples.len() / 2).copied().unwrap_or_default()
}

/// Times `runs` calls of `once` and returns the median; the first error
/// ends the measurement.
///
/// ```
/// let mut calls = 0;
/// let took = demo_kit::measure::time_median(5, || {
///     calls += 1;
///     Ok(())
/// })
/// .unwrap();
/// assert_eq!(calls, 5);
/// assert!(took < std::time::Duration::from_secs(1));
/// ```
pub fn time_median(
    runs: usize,
    mut once: impl FnMut() -> crate::Result<()>,
) -> crate::Result<Duration> {
    let mut samples = Vec::with_capacity(runs);
    for _ in 0..runs {
        let t = Instant::now();
        once()?;
        samples.push(t.elapsed());
    }
    Ok(median(&mut samples))
}
