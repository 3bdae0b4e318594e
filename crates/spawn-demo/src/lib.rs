//! `spawn-demo`: 开启进程的两种方式 (the two ways to start a process) and
//! what Python's `multiprocessing` does underneath them.
//!
//! * [`ways`]: the course's two ways, narrated (steps 1 and 2);
//! * [`process`]: `Process(target=task, args=..).start()` is `fork()` plus a
//!   closure run in the child; subclassing `Process` with `run()` is the
//!   [`process::Run`] trait, started the same way; `join()` is `waitpid()`.
//! * [`respawn`]: Python's `spawn` start method — re-execute our own
//!   program with a hidden argument naming the task (step 3).
//! * [`speed`]: step 4, narrated, and [`speed_bench`]: `--bench`,
//!   narrated; [`timing`]: serial vs
//!   concurrent vs parallel, measured with two CPU-bound children running
//!   [`work`]'s task.
//! * [`bench`]: the cost of each way of starting a child, against Python.
//!
//! Linux only, like the whole course (demo-kit stops a build elsewhere).

pub mod bench;
pub mod process;
pub mod respawn;
pub mod speed;
pub mod speed_bench;
pub mod timing;
pub mod ways;
pub mod work;
