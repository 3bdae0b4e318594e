//! `cargo run -p pool-demo`: 进程池与线程池 (lesson 17). A thread pool and a
//! process pool, each submitting jobs and collecting results; a panicking
//! job and a killed worker, both reported; 同步调用 vs 异步调用; 回调函数 and
//! the thread that runs it; a pool against one thread or process per task;
//! and pool sizing. See docs/17-pools.md.

use std::process::ExitCode;

#[cfg(unix)]
mod timed;
#[cfg(unix)]
mod tour;

#[cfg(unix)]
fn main() -> ExitCode {
    // A re-executed copy of this program is a pool worker and nothing else.
    if std::env::args().nth(1).as_deref() == Some(pool_demo::HELPER_WORKER) {
        return ExitCode::from(pool_demo::worker::helper_main() as u8);
    }
    demo_kit::fail::run(tour::run)
}

#[cfg(not(unix))]
fn main() -> ExitCode {
    println!("pool-demo starts worker processes with pipes: it needs a Unix system.");
    ExitCode::SUCCESS
}
