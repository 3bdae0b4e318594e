//! Lesson 15's measurements, measured against the kernel's own clocks:
//! the CPU time the GIL table divides by, the cores it prints beside it,
//! its two ratios, and what a thread costs against a process.

use nix::sched::{sched_getaffinity, sched_setaffinity, CpuSet};
use nix::sys::resource::{getrusage, UsageWho};
use nix::sys::wait::WaitStatus;
use nix::unistd::Pid;
use std::hint::black_box;
use std::io::Read;
use std::time::Duration;
use thread_demo::{cores, cost, gil};

const EXE: &str = env!("CARGO_BIN_EXE_thread-demo");

/// `clock_gettime(clock)`: the kernel's CPU-time clocks, in full precision.
fn clock(clock: nix::libc::clockid_t) -> Duration {
    let mut ts = nix::libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: ts is plain data that clock_gettime fills in.
    assert_eq!(unsafe { nix::libc::clock_gettime(clock, &mut ts) }, 0);
    Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32)
}

/// The definitions the tour prints under the table: speed-up = serial
/// time / parallel time; cores busy = CPU time / wall time.
#[test]
fn speed_up_and_cores_busy_are_the_ratios_the_note_gives() {
    let t = gil::Times {
        serial: Duration::from_secs(3),
        threads: Duration::from_secs(2),
        processes: Duration::from_millis(1500),
        threads_cpu: Duration::from_secs(1),
        processes_cpu: Duration::from_secs(3),
    };
    assert_eq!(t.threads_speedup(), 1.5);
    assert_eq!(t.processes_speedup(), 2.0);
    assert_eq!(t.threads_busy(), 0.5);
    assert_eq!(t.processes_busy(), 2.0);
}

/// `self_cpu()` (getrusage(RUSAGE_SELF): user + system time) is the
/// process's CPU clock (clock_gettime(CLOCK_PROCESS_CPUTIME_ID)): the
/// kernel scales the sampled user/system split so that the two add up to
/// the precise run time (kernel/sched/cputime.c, `cputime_adjust`). Only a
/// thread running on another core at that instant may have up to a
/// scheduler tick not yet counted; 2 cores, 2 ticks of at most 10 ms.
#[test]
fn self_cpu_is_user_plus_system_time() {
    // Kernel time first, so that user − system is far from user + system:
    // reading /dev/zero is the kernel clearing our buffer.
    let mut zero = std::fs::File::open("/dev/zero").unwrap();
    let mut buf = vec![0u8; 1 << 20];
    let system = || {
        let t = getrusage(UsageWho::RUSAGE_SELF).unwrap().system_time();
        Duration::new(t.tv_sec() as u64, t.tv_usec() as u32 * 1000)
    };
    let start = std::time::Instant::now();
    while system() < Duration::from_millis(50) && start.elapsed() < Duration::from_secs(5) {
        zero.read_exact(&mut buf).unwrap();
    }
    assert!(system() >= Duration::from_millis(50), "{:?}", system());
    let before = clock(nix::libc::CLOCK_PROCESS_CPUTIME_ID);
    let measured = gil::self_cpu();
    let after = clock(nix::libc::CLOCK_PROCESS_CPUTIME_ID);
    let slack = Duration::from_millis(20);
    assert!(
        measured + slack >= before && measured <= after,
        "self_cpu {measured:?}, CPU clock {before:?} .. {after:?}"
    );
}

/// `children_cpu()` (getrusage(RUSAGE_CHILDREN)) grows by at least the CPU
/// time of a child we reap. (Other tests reap children too, so it may grow
/// more.)
#[test]
fn children_cpu_counts_a_reaped_childs_cpu_time() {
    const BURN: Duration = Duration::from_millis(30);
    let before = gil::children_cpu();
    let child = demo_kit::child::fork_child(|| {
        // Bounded: 30 ms of CPU, or 5 s of wall time on a starved core.
        let wall = clock(nix::libc::CLOCK_MONOTONIC);
        while clock(nix::libc::CLOCK_PROCESS_CPUTIME_ID) < BURN {
            black_box(gil::count_primes(black_box(2_000)));
            if clock(nix::libc::CLOCK_MONOTONIC) - wall > Duration::from_secs(5) {
                return 1;
            }
        }
        0
    })
    .unwrap();
    let status = demo_kit::child::reap_or_kill(child, Duration::from_secs(10)).unwrap();
    assert_eq!(status, WaitStatus::Exited(child, 0));
    let grew = gil::children_cpu().saturating_sub(before);
    assert!(grew >= BURN - Duration::from_millis(1), "grew by {grew:?}");
}

/// `cores()` is the number of CPUs this thread may run on: one under a
/// one-CPU affinity mask (`taskset -c 0`), all of the mask otherwise (when
/// no cgroup CPU quota lowers it).
#[test]
fn cores_follows_the_affinity_mask() {
    let me = Pid::from_raw(0); // the calling thread (sched_setaffinity(2))
    let mask = sched_getaffinity(me).unwrap();
    let allowed: Vec<usize> = (0..CpuSet::count())
        .filter(|&c| mask.is_set(c).unwrap_or(false))
        .collect();
    let n = cores();
    assert!(n >= 1 && n <= allowed.len(), "{n} of {allowed:?}");
    // cgroup v2's cpu.max is "max 100000" without a quota.
    let quota = std::fs::read_to_string("/proc/self/cgroup")
        .ok()
        .and_then(|c| Some(c.lines().find(|l| l.starts_with("0::"))?[3..].to_string()))
        .and_then(|path| std::fs::read_to_string(format!("/sys/fs/cgroup{path}/cpu.max")).ok());
    if quota.as_deref().is_none_or(|q| q.starts_with("max")) {
        assert_eq!(n, allowed.len(), "no CPU quota: all of {allowed:?}");
    }
    let mut one = CpuSet::new();
    one.set(allowed[0]).unwrap();
    sched_setaffinity(me, &one).unwrap();
    let on_one = cores();
    sched_setaffinity(me, &mask).unwrap();
    assert_eq!(on_one, 1, "on CPU {} alone", allowed[0]);
}

/// Lesson 15's cost table is measured: starting and waiting for a no-op
/// thread, a forked child and a re-executed one each takes time. (Their
/// order is printed, never asserted: on a busy machine a thread's
/// spawn + join waits for a free core, and a mutation run here measured a
/// median of 55 ms for a thread against 0.75 ms for a re-exec.)
#[test]
fn each_way_to_start_something_takes_time() {
    let thread = cost::thread_spawn_join(11).unwrap();
    let fork = cost::fork_waitpid(11).unwrap();
    let reexec = cost::reexec(std::path::Path::new(EXE), 11).unwrap();
    assert!(
        thread > Duration::ZERO && fork > Duration::ZERO && reexec > Duration::ZERO,
        "thread {thread:?}, fork {fork:?}, re-exec {reexec:?}"
    );
}
