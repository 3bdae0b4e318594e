//! The server's figures as `/proc` shows them (`procstat`).

use super::*;

// ------------------------------------------------------------- /proc

/// `snapshot` reads the process's own entry: its descriptors, threads and
/// memory as `/proc/<pid>` shows them.
#[test]
fn a_snapshot_is_the_processs_proc_entry() {
    let h = Holder::start();
    let s = c10k::procstat::snapshot(h.pid()).expect("sh's /proc entry");
    let status = std::fs::read_to_string(format!("/proc/{}/status", h.pid())).unwrap();
    let kib = |name: &str| -> u64 {
        let line = status.lines().find(|l| l.starts_with(name)).unwrap();
        line.split_whitespace().nth(1).unwrap().parse().unwrap()
    };
    assert_eq!(s.fds, h.fds() as u64, "{s:?}");
    assert_eq!(s.threads, 1, "{s:?}");
    assert_eq!(
        (s.rss_kib, s.hwm_kib),
        (kib("VmRSS:"), kib("VmHWM:")),
        "{s:?}"
    );
    assert!(s.rss_kib > 0);
    assert!(c10k::procstat::snapshot(i32::MAX).is_none(), "no such pid");
}

/// `cpu_time` is utime + stime in clock ticks (`sysconf(_SC_CLK_TCK)`),
/// read here between two readings of our own.
#[test]
fn cpu_time_is_user_plus_system_time() {
    // Some of each, so a sum, a difference and a product differ.
    let spin = Instant::now();
    while {
        let (u, s) = own_ticks();
        u < 3 || s < 1
    } {
        std::hint::black_box((0..std::hint::black_box(10_000u64)).sum::<u64>());
        assert!(
            spin.elapsed() < Duration::from_secs(3),
            "3 ticks of user and 1 of system time"
        );
    }
    // SAFETY: sysconf has no memory-safety preconditions.
    let hz = unsafe { nix::libc::sysconf(nix::libc::_SC_CLK_TCK) } as u64;
    let (u0, s0) = own_ticks();
    let cpu = c10k::procstat::cpu_time(std::process::id() as i32).expect("our own /proc/self/stat");
    let (u1, s1) = own_ticks();
    let us = |ticks: u64| Duration::from_micros(ticks * 1_000_000 / hz);
    assert!(
        us(u0 + s0) <= cpu && cpu <= us(u1 + s1),
        "{cpu:?}: ticks {u0}+{s0} .. {u1}+{s1} at {hz} Hz"
    );
}

/// `KernelStack` in /proc/meminfo: at least this thread's stack (16 KiB
/// on x86-64, and more than 1 KiB anywhere).
#[test]
fn the_kernel_stacks_are_read_from_meminfo() {
    let k = c10k::procstat::kernel_stack_kib();
    assert!(k >= 8, "KernelStack {k} KiB");
}
