//! Lesson 16's watchdog reads each thread from `/proc/<pid>/task/<tid>/`:
//! its state, its CPU time and `wchan`. Each is checked here against a
//! thread whose state we know (proc(5)).

use std::hint::black_box;
use std::io::Read;
use std::os::unix::fs::PermissionsExt;
use std::time::Duration;
use thread_demo::deadlock::{self, read_task};

/// `clock_gettime(CLOCK_THREAD_CPUTIME_ID)`: the calling thread's CPU time.
fn thread_cpu() -> Duration {
    let mut ts = nix::libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: ts is plain data that clock_gettime fills in.
    let r = unsafe { nix::libc::clock_gettime(nix::libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    assert_eq!(r, 0);
    Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32)
}

/// A thread reading its own entry is running (`R`), and a running task
/// sleeps in no kernel function: its `wchan` reads "0" (fs/proc/base.c,
/// `proc_pid_wchan`), which the watchdog shows as none.
#[test]
fn a_running_thread_reads_as_running_with_no_wchan() {
    let (pid, tid) = (std::process::id() as i32, nix::unistd::gettid().as_raw());
    let me = read_task(pid, tid).expect("our own task entry");
    assert_eq!((me.tid, me.state), (tid, 'R'), "{me:?}");
    assert_eq!(me.wchan, None, "{me:?}");
}

/// `cpu` is utime + stime (fields 14 and 15 of `stat`, in clock ticks):
/// for a thread that spent about 100 ms of CPU, half of it in the kernel,
/// and then sleeps, it is that time in ticks. (The kernel splits a
/// thread's precise run time between user and system so that the two add
/// up to it, kernel/sched/cputime.c `cputime_adjust`; each is rounded down
/// to a tick.)
#[test]
fn cpu_ticks_are_user_plus_system_time() {
    let (report, stop) = (
        crossbeam_channel::bounded(1),
        crossbeam_channel::bounded::<()>(1),
    );
    let (report_tx, report_rx) = report;
    let (stop_tx, stop_rx) = stop;
    let worker = std::thread::spawn(move || {
        let mut zero = std::fs::File::open("/dev/zero").unwrap();
        let mut buf = vec![0u8; 256 << 10];
        // Turns of 5 ms of CPU each: system time (the kernel clears our
        // buffer), then user time (counting primes).
        let mut turn = Duration::ZERO;
        while turn < Duration::from_millis(100) {
            turn += Duration::from_millis(5);
            while thread_cpu() < turn {
                zero.read_exact(&mut buf).unwrap();
            }
            turn += Duration::from_millis(5);
            while thread_cpu() < turn {
                black_box(thread_demo::gil::count_primes(black_box(2_000)));
            }
        }
        report_tx
            .send((nix::unistd::gettid().as_raw(), thread_cpu()))
            .unwrap();
        let _ = stop_rx.recv_timeout(Duration::from_secs(10)); // asleep, CPU time fixed
    });
    let (tid, cpu) = report_rx.recv_timeout(Duration::from_secs(10)).unwrap();
    // SAFETY: sysconf only reads a configuration value.
    let hz = unsafe { nix::libc::sysconf(nix::libc::_SC_CLK_TCK) } as f64;
    let ticks = (cpu.as_secs_f64() * hz) as u64;
    let task = read_task(std::process::id() as i32, tid).expect("the worker's task entry");
    stop_tx.send(()).unwrap();
    worker.join().unwrap();
    assert!(
        task.cpu_ticks + 2 >= ticks && task.cpu_ticks <= ticks + 1,
        "{task:?}: {cpu:?} of CPU is {ticks} ticks at {hz} Hz"
    );
}

/// The states the watchdog names, as proc(5) defines them.
#[test]
fn state_words_are_proc5s() {
    demo_kit::lang::set(demo_kit::lang::Lang::En);
    for (state, word) in [
        ('R', "running"),
        ('S', "sleeping, interruptible"),
        ('D', "sleeping, uninterruptible"),
        ('Z', "zombie"),
        ('T', "stopped"),
        ('t', "stopped"),
        ('X', "other"),
    ] {
        assert_eq!(deadlock::state_word(state), word, "state {state}");
    }
}

/// The fix runs: 2 threads × 20 000 rounds take some time, however little.
#[test]
fn one_lock_order_never_deadlocks() {
    let took = deadlock::fixed_order(20_000).unwrap();
    assert!(took > Duration::ZERO);
}

/// The daemon-thread check can see a last line: a helper whose thread did
/// finish (here a shell script standing in for the demo, printing the
/// thread's last line in either language) is reported as such.
#[test]
fn the_daemon_check_sees_a_last_line_that_was_printed() {
    use thread_demo::daemon_thread::{show, LAST_LINE, LAST_LINE_ZH};
    let dir = std::env::temp_dir().join(format!(
        "thread-demo-last-line-{}-{}",
        nix::unistd::getuid(),
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir(&dir).unwrap();
    for (name, last) in [("en.sh", LAST_LINE), ("zh.sh", LAST_LINE_ZH)] {
        let script = dir.join(name);
        std::fs::write(&script, format!("#!/bin/sh\necho '[thread] {last}'\n")).unwrap();
        std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
        let report = run_busy_retrying(|| show(&script));
        assert!(report.last_line_printed, "{name}: {report:?}");
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

/// `f()` (which runs a script we just wrote), tried again for up to 2 s
/// while it fails with ETXTBSY: another test's fork in the instant our
/// script was open for writing holds a copy of that descriptor until its
/// exec (execve(2)); nothing tells us when, so we look again every 10 ms.
fn run_busy_retrying<T>(mut f: impl FnMut() -> demo_kit::Result<T>) -> T {
    let deadline = std::time::Instant::now() + Duration::from_secs(2);
    loop {
        match f() {
            Err(e)
                if format!("{e:#}").contains("Text file busy")
                    && std::time::Instant::now() < deadline =>
            {
                std::thread::sleep(Duration::from_millis(10))
            }
            result => return result.unwrap(),
        }
    }
}
