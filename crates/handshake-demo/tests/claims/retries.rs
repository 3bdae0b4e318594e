//! The `retries` claim: a dropped SYN is retried on the schedule the
//! kernel's documentation gives — with `tcp_syn_linear_timeouts = 4` (the
//! default since Linux 6.5) and `tcp_syn_retries = 6`: waits of 1, 1, 1, 1,
//! 1, 2, 4 s, that is five one-second retries, then doubling.
//!
//! The schedule is checked on the kernel's own figure, the timeout it set
//! (`tcpi_rto`) after each retry, which a busy machine cannot blur; the
//! measured times only have to be no earlier than the schedule allows
//! (an observation can come late, never early).

use handshake_demo::retries::{self, schedule};
use std::time::Duration;

#[test]
fn the_default_schedule_is_five_one_second_retries_then_doubling() {
    assert_eq!(schedule(4, 6), [1, 1, 1, 1, 1, 2, 4]);
}

#[test]
fn a_dropped_syn_is_retried_on_the_kernels_schedule() {
    demo_kit::say::set_quiet(true);
    // Five retries (5 s) show the five one-second waits; "then doubling"
    // is the kernel's own timeout after the fifth, tcpi_rto = 2 s, so the
    // sixth retry (2 s more) need not be waited for.
    let r = retries::run(false, 5).unwrap();
    if r.linear_timeouts.is_none() {
        demo_kit::testing::skip("this kernel has no tcp_syn_linear_timeouts (before Linux 6.5)");
        return;
    }
    assert_eq!(
        r.retries_at.len(),
        5,
        "five retries seen: {:?}",
        r.retries_at
    );
    assert_eq!(
        r.rtos.get(5).copied().flatten(),
        Some(Duration::from_secs(2)),
        "after the fifth retry the kernel doubles its timeout: {:?}",
        r.rtos
    );
    // The kernel's own timeouts: after the SYN, and after each retry.
    for (k, rto) in r.rtos.iter().enumerate() {
        if let Some(rto) = rto {
            let want = Duration::from_secs(r.expected[k]);
            assert_eq!(*rto, want, "tcpi_rto after send {k}: {:?}", r.rtos);
        }
    }
    // Each retry came no earlier than the schedule's sum of waits.
    let mut due = 0;
    for (k, at) in r.retries_at.iter().enumerate() {
        due += r.expected[k];
        assert!(
            at.as_secs_f64() >= due as f64 - 0.05,
            "retry {} at {at:?}, before {due} s",
            k + 1
        );
    }
}
