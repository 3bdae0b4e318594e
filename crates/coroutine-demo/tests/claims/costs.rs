//! The costs the demo prints, each against what it says: a time per
//! switch is its share of the time measured around the call, and the
//! stackful coroutines' stacks are 256 KiB each, unmapped after use.

use coroutine_demo::switch;
use std::time::Duration;

/// `f`'s time per switch, and the time measured around the whole call.
fn per_switch_and_around(f: impl FnOnce() -> Duration) -> (Duration, Duration) {
    let t = std::time::Instant::now();
    let per = f();
    (per, t.elapsed())
}

#[test]
fn each_rows_time_is_its_share_of_the_time_measured_around_it() {
    // A time per switch is the time of `switches` switches divided by
    // their number: more than zero, and together no more than the whole
    // call took (which adds only the set-up: a fork, a thread, a stack).
    let n = 2_000;
    let rows: [(&str, u64, (Duration, Duration)); 3] = [
        (
            "process",
            2 * n,
            per_switch_and_around(|| switch::processes(n).unwrap()),
        ),
        (
            "thread",
            2 * n,
            per_switch_and_around(|| switch::threads(n).unwrap()),
        ),
        (
            "future",
            2 * 10 * n,
            per_switch_and_around(|| switch::futures(10 * n).unwrap().0),
        ),
    ];
    for (what, switches, (per, around)) in rows {
        assert!(per > Duration::ZERO, "{what}: {per:?}");
        assert!(
            per * switches as u32 <= around,
            "{what}: {per:?} x {switches} > {around:?}"
        );
    }
    #[cfg(all(target_arch = "x86_64", target_env = "gnu"))]
    {
        let (per, around) = per_switch_and_around(|| switch::stackful(10 * n).unwrap());
        assert!(per > Duration::ZERO, "swapcontext: {per:?}");
        assert!(per * (2 * 10 * n) as u32 <= around, "{per:?} > {around:?}");
    }
}

#[cfg(all(target_arch = "x86_64", target_env = "gnu"))]
#[test]
fn the_stacks_are_256_kib_each_and_given_back() {
    // The demo says "(mmap, 256 KiB each)".
    let r = coroutine_demo::stackful::run(1, true).unwrap();
    for (lo, hi) in r.stacks {
        assert_eq!(hi - lo, 256 * 1024, "{r:?}");
    }
    // Each run maps two stacks, a guard page below each: after 500 runs,
    // 1000 mappings of exactly 256 KiB, read-write, if they were not
    // unmapped. (Not the address space's size: other tests' threads come
    // and go meanwhile, each with a malloc arena of 64 MiB.)
    let stacks_mapped = || {
        let maps = std::fs::read_to_string("/proc/self/maps").unwrap();
        maps.lines()
            .filter(|l| {
                let mut f = l.split_whitespace();
                let (range, perms) = (f.next().unwrap(), f.next().unwrap());
                let (lo, hi) = range.split_once('-').unwrap();
                let size =
                    usize::from_str_radix(hi, 16).unwrap() - usize::from_str_radix(lo, 16).unwrap();
                size == 256 * 1024 && perms == "rw-p"
            })
            .count()
    };
    let before = stacks_mapped();
    for _ in 0..500 {
        coroutine_demo::stackful::run(1, false).unwrap();
    }
    let after = stacks_mapped();
    assert!(
        after < before + 100,
        "{before} stack mappings, then {after}"
    );
}
