//! `thread-demo`: 线程 (threads), lessons 15 and 16.
//!
//! * [`start`]: the two ways to start a thread, and why a thread has the
//!   process's pid but a thread id (tid) of its own;
//! * [`share`]: the notes' `x = 100 → x = 0` with a thread: memory is shared,
//!   and Rust asks for a lock or an atomic to write it;
//! * [`cost`] and [`gil`]: what a thread costs against a process, and the
//!   GIL (全局解释器锁) measured: CPU-bound speed-ups in Rust and Python;
//! * [`plot`]: the GIL table as a picture (`--bench --svg DIR`);
//! * [`daemon_thread`]: a detached thread dies with its process;
//! * [`deadlock`]: two threads, two locks, opposite order; seen from `/proc`;
//! * [`recursive`]: locking a `Mutex` twice in one thread (Python's RLock);
//! * [`sync`]: a semaphore, an event and a timer, each from `Mutex` + `Condvar`;
//! * [`queues`]: thread queues: FIFO, LIFO and priority.
//!
//! Linux only (`gettid`, `/proc/<pid>/task`); `main` says so elsewhere.
#![cfg(target_os = "linux")]

pub mod cost;
pub mod daemon_thread;
pub mod deadlock;
pub mod gil;
pub mod plot;
pub mod queues;
pub mod recursive;
pub mod share;
pub mod start;
pub mod sync;
pub mod sync_demo;

/// Hidden first arguments: the demo re-executes itself as a helper process
/// for the scenarios that must happen in a process of their own.
pub const HELPER_DEADLOCK: &str = "__deadlock";
pub const HELPER_DAEMON: &str = "__daemon";
pub const HELPER_NOOP: &str = "__noop";

/// Our `if __name__ == '__main__':` guard: when the first argument names a
/// helper, this copy of the program runs only that scenario (and returns its
/// exit code), never the tour.
pub fn helper_role() -> Option<std::process::ExitCode> {
    use std::process::ExitCode;
    match std::env::args().nth(1).as_deref() {
        Some(HELPER_DEADLOCK) => Some(ExitCode::from(deadlock::helper_main() as u8)),
        Some(HELPER_DAEMON) => Some(ExitCode::from(daemon_thread::helper_main() as u8)),
        Some(HELPER_NOOP) => Some(ExitCode::SUCCESS),
        _ => None,
    }
}

/// The CPUs this process may use: `available_parallelism` honours the
/// affinity mask (`taskset`) and a cgroup CPU quota.
pub fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}
