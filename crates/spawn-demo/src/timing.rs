//! 串行 / 并发 / 并行 (serial / concurrent / parallel), measured.
//!
//! The course defines: serial = one task runs to the end before the next
//! starts; concurrent = tasks *look* simultaneous, which one core achieves
//! by switching (切换 + 保存状态); parallel = tasks truly run at the same
//! time, which needs several cores. We run two CPU-bound tasks, each in its
//! own forked child, three ways:
//!
//! * **serial**: start A, join A, start B, join B — wall time ≈ 2 tasks;
//! * **concurrent on one core**: both children pinned to the same CPU with
//!   `sched_setaffinity` (Linux), started together — their lifetimes
//!   overlap, each takes ≈ 2 tasks because the scheduler alternates them,
//!   wall time ≈ 2 tasks;
//! * **parallel**: both started together, no pinning — on ≥ 2 free cores,
//!   wall time ≈ 1 task.
//!
//! Every child reports when its task began and ended (see
//! [`crate::process`]), so the overlap is measured, not assumed. The task
//! and its length are [`crate::work`]'s.

use crate::process::{start, start_together, Finished};
use crate::work::burn;
use demo_kit::{bail_msg, Result};
use std::hint::black_box;
use std::time::{Duration, Instant};

/// One way of running the two tasks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    Serial,
    /// Concurrent, both children pinned to this CPU.
    OneCore(usize),
    Parallel,
}

/// What one run of two tasks measured.
#[derive(Debug)]
pub struct TwoTasks {
    pub mode: Mode,
    /// Parent's wall time from the first `start` to the last `join`.
    pub wall: Duration,
    /// When the first task was released (origin of the timelines).
    pub origin_ns: u64,
    pub children: [Finished; 2],
}

impl TwoTasks {
    /// Each task's (begin, end) relative to `origin_ns`, from the child's own clock readings.
    pub fn spans(&self) -> Option<[(Duration, Duration); 2]> {
        let span = |f: &Finished| {
            let t = f.timeline?;
            Some((
                Duration::from_nanos(t.released_ns.saturating_sub(self.origin_ns)),
                Duration::from_nanos(t.done_ns.saturating_sub(self.origin_ns)),
            ))
        };
        Some([span(&self.children[0])?, span(&self.children[1])?])
    }

    /// True if the two tasks were running during a common stretch of time.
    pub fn overlapped(&self) -> Option<bool> {
        let [(a0, a1), (b0, b1)] = self.spans()?;
        Some(a0 < b1 && b0 < a1)
    }
}

/// Runs two tasks of `rounds` each in two children, the way `mode` says.
pub fn run_two(mode: Mode, rounds: u64) -> Result<TwoTasks> {
    let task = move || {
        if let Mode::OneCore(cpu) = mode {
            if !pin_to_cpu(cpu) {
                return 3; // reported to the parent as exit status 3
            }
        }
        black_box(burn(rounds));
        0
    };
    let t0 = Instant::now();
    let (a, b) = match mode {
        Mode::Serial => {
            let mut a = start(task)?;
            a.release()?;
            let a = a.join()?;
            let mut b = start(task)?;
            b.release()?;
            (a, b.join()?)
        }
        Mode::OneCore(_) | Mode::Parallel => {
            // One gate for both: released by one close(), not two writes.
            let (gate, [a, b]) = start_together(task)?;
            gate.open();
            (a.join()?, b.join()?)
        }
    };
    let wall = t0.elapsed();
    for child in [&a, &b] {
        match child.exit_code() {
            0 => {}
            3 => {
                return bail_msg(format!(
                    "child {} could not pin itself to CPU: sched_setaffinity failed",
                    child.pid
                ))
            }
            _ => return bail_msg(format!("child {} ended with {:?}", child.pid, child.status)),
        }
    }
    let origin_ns = [&a, &b]
        .iter()
        .filter_map(|f| f.timeline.map(|t| t.released_ns))
        .min()
        .unwrap_or(0);
    Ok(TwoTasks {
        mode,
        wall,
        origin_ns,
        children: [a, b],
    })
}

/// The number of CPUs this process may use (affinity and cgroup limits included).
pub fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// A CPU this process is allowed to run on (the first in its affinity mask).
pub fn some_allowed_cpu() -> Option<usize> {
    use nix::libc;
    // SAFETY: cpu_set_t is plain data; sched_getaffinity fills it.
    unsafe {
        let mut set: libc::cpu_set_t = std::mem::zeroed();
        if libc::sched_getaffinity(0, std::mem::size_of::<libc::cpu_set_t>(), &mut set) != 0 {
            return None;
        }
        (0..libc::CPU_SETSIZE as usize).find(|&cpu| libc::CPU_ISSET(cpu, &set))
    }
}

/// Pins the calling process to one CPU. A plain system call, so it is safe
/// in a forked child.
fn pin_to_cpu(cpu: usize) -> bool {
    use nix::libc;
    // SAFETY: cpu_set_t is plain data; sched_setaffinity only reads it.
    unsafe {
        let mut set: libc::cpu_set_t = std::mem::zeroed();
        libc::CPU_SET(cpu, &mut set);
        libc::sched_setaffinity(0, std::mem::size_of::<libc::cpu_set_t>(), &set) == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::process::ChildTimeline;
    use nix::sys::wait::WaitStatus;
    use nix::unistd::Pid;

    /// Two finished tasks that ran from `a.0` to `a.1` and from `b.0` to
    /// `b.1` ns after an origin of 1000 ns.
    fn two(a: (u64, u64), b: (u64, u64)) -> TwoTasks {
        let child = |(begin, end): (u64, u64)| Finished {
            pid: Pid::from_raw(1),
            status: WaitStatus::Exited(Pid::from_raw(1), 0),
            timeline: Some(ChildTimeline {
                alive_ns: 1000,
                released_ns: 1000 + begin,
                done_ns: 1000 + end,
            }),
        };
        TwoTasks {
            mode: Mode::Parallel,
            wall: Duration::ZERO,
            origin_ns: 1000,
            children: [child(a), child(b)],
        }
    }

    #[test]
    fn spans_are_measured_from_the_origin() {
        let run = two((0, 10), (5, 20));
        let ns = Duration::from_nanos;
        assert_eq!(run.spans(), Some([(ns(0), ns(10)), (ns(5), ns(20))]));
    }

    #[test]
    fn overlap_means_a_common_stretch_of_time() {
        assert_eq!(two((0, 10), (5, 20)).overlapped(), Some(true));
        assert_eq!(two((5, 20), (0, 10)).overlapped(), Some(true));
        assert_eq!(two((0, 20), (5, 10)).overlapped(), Some(true));
        // One ends the instant the other begins: one after the other.
        assert_eq!(two((0, 10), (10, 20)).overlapped(), Some(false));
        assert_eq!(two((10, 20), (0, 10)).overlapped(), Some(false));
        assert_eq!(two((0, 10), (11, 20)).overlapped(), Some(false));
    }

    #[test]
    fn without_a_timeline_nothing_is_said() {
        let mut run = two((0, 10), (5, 20));
        run.children[1].timeline = None;
        assert_eq!(run.spans(), None);
        assert_eq!(run.overlapped(), None);
    }
}
