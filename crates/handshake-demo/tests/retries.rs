//! The `retries` claim: a dropped SYN is retried on the schedule the
//! kernel's timer code gives — with `tcp_syn_linear_timeouts = 4` (the
//! default since Linux 6.5), five retries one second apart, then 2 s.
//! Timing is measured on the real kernel: allowed 0.3 s of lateness for a
//! busy machine, never earliness.

use handshake_demo::retries::{self, schedule};

#[test]
fn the_default_schedule_is_five_one_second_retries_then_doubling() {
    assert_eq!(schedule(4, 6), [1, 1, 1, 1, 1, 2]);
}

#[test]
fn a_dropped_syn_is_retried_on_the_kernels_schedule() {
    demo_kit::say::set_quiet(true);
    let r = retries::run(false, 6).unwrap();
    if r.linear_timeouts.is_none() {
        println!("skipped: this kernel has no tcp_syn_linear_timeouts (before Linux 6.5)");
        return;
    }
    let gaps = r.gaps();
    assert_eq!(gaps.len(), r.expected.len(), "measured {gaps:?}");
    for (gap, want) in gaps.iter().zip(&r.expected) {
        let secs = gap.as_secs_f64();
        assert!(
            secs >= *want as f64 - 0.05 && secs < *want as f64 + 0.3,
            "waited {secs:.3} s where the kernel's schedule says {want} s: {gaps:?}"
        );
    }
}
