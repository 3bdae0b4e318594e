//! A server's memory, descriptors and CPU time, read from `/proc/<pid>`,
//! so the figures do not depend on what the server says about itself.

use std::time::Duration;

/// One reading of a process.
#[derive(Clone, Copy, Debug, Default)]
pub struct Snapshot {
    /// Resident memory now (`VmRSS`), KiB.
    pub rss_kib: u64,
    /// Peak resident memory (`VmHWM`), KiB.
    pub hwm_kib: u64,
    /// Open descriptors (entries in `/proc/<pid>/fd`).
    pub fds: u64,
    /// Threads (`Threads` in `/proc/<pid>/status`).
    pub threads: u64,
    /// utime + stime, all threads.
    pub cpu: Duration,
}

/// Reads `/proc/<pid>/status`, `/stat` and `/fd`; `None` if it is gone.
pub fn snapshot(pid: i32) -> Option<Snapshot> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.split_whitespace().next()?.parse::<u64>().ok())
            .unwrap_or(0)
    };
    let fds = std::fs::read_dir(format!("/proc/{pid}/fd")).ok()?.count() as u64;
    Some(Snapshot {
        rss_kib: field("VmRSS:"),
        hwm_kib: field("VmHWM:"),
        fds,
        threads: field("Threads:"),
        cpu: cpu_time(pid)?,
    })
}

/// utime + stime (fields 14 and 15 of `/proc/<pid>/stat`, in clock ticks).
pub fn cpu_time(pid: i32) -> Option<Duration> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let after_comm = &stat[stat.rfind(')')? + 2..];
    let fields: Vec<&str> = after_comm.split_whitespace().collect();
    // after_comm starts at field 3 (state): utime is field 14, stime 15.
    let ticks = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
    // SAFETY: sysconf has no memory-safety preconditions.
    let hz = unsafe { nix::libc::sysconf(nix::libc::_SC_CLK_TCK) }.max(1) as u64;
    Some(Duration::from_micros(ticks * 1_000_000 / hz))
}

/// The kernel memory holding every thread's kernel stack, system-wide
/// (`KernelStack` in `/proc/meminfo`), KiB: each thread has one (16 KiB on
/// x86-64), which `VmRSS` does not show. Other processes change it too, so
/// only a large difference means something.
pub fn kernel_stack_kib() -> u64 {
    std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|m| {
            m.lines()
                .find_map(|l| l.strip_prefix("KernelStack:"))?
                .split_whitespace()
                .next()?
                .parse()
                .ok()
        })
        .unwrap_or(0)
}
