//! `pool-demo`: 进程池与线程池 (process and thread pools), lesson 17.
//!
//! * [`handle`]: what `submit` returns — Python's `Future`: `result()`
//!   blocks, with an optional timeout; a panic or a dead worker is an error;
//! * [`thread_pool`]: N threads fed from one crossbeam channel;
//! * [`process_pool`]: N worker processes fed through pipes, each job a
//!   message of the `framing` crate (length prefix + JSON header); a worker
//!   killed by a signal is replaced and its job reported failed;
//! * [`worker`]: the worker process's side;
//! * [`compare`]: 同步调用 vs 异步调用, pool vs one per task, pool sizing.
#![cfg(unix)]

pub mod compare;
pub mod handle;
pub mod process_pool;
pub mod thread_pool;
pub mod worker;

pub use handle::{Handle, JobError};

/// The hidden first argument that makes this program a pool worker.
pub const HELPER_WORKER: &str = "__worker";

/// The CPUs this process may use: `available_parallelism` honours the
/// affinity mask (`taskset`) and a cgroup CPU quota.
pub fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// The CPU-bound job of the course's pools: count primes below `limit`
/// (never inlined; the same task as lesson 15's GIL experiment).
pub use demo_kit::work::count_primes;
