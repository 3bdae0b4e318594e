//! 线程池 (thread pool): `ThreadPoolExecutor(n)` on a crossbeam channel.
//!
//! N threads are started once and each loops on one shared channel of
//! jobs: `recv` a job, run it, repeat. `submit` only sends a boxed closure
//! into the channel and returns a [`Handle`] at once (异步调用). The job
//! runs under `catch_unwind`, so a panicking job becomes an error in its
//! handle and the worker thread goes on to the next job. Dropping the
//! channel's sender ends every worker's `recv` loop: that is `shutdown`.

use crate::handle::{Handle, JobError};
use crossbeam_channel::{bounded, unbounded, Sender};
use demo_kit::{tr, Context, Result};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::thread::{self, JoinHandle};

type Job = Box<dyn FnOnce() + Send + 'static>;

pub struct ThreadPool {
    jobs: Option<Sender<Job>>,
    workers: Vec<JoinHandle<()>>,
}

/// The message of a panic payload (`panic!("...")` carries a `&str` or a `String`).
pub fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    match (
        payload.downcast_ref::<&str>(),
        payload.downcast_ref::<String>(),
    ) {
        (Some(s), _) => s.to_string(),
        (_, Some(s)) => s.clone(),
        _ => tr!("(a panic without a message)", "（一个没有消息的 panic）"),
    }
}

impl ThreadPool {
    /// Starts `n` worker threads named `name-0`, `name-1`, ...
    pub fn new(n: usize, name: &str) -> Result<ThreadPool> {
        let (jobs, queue) = unbounded::<Job>();
        let mut workers = Vec::with_capacity(n);
        for i in 0..n.max(1) {
            let queue = queue.clone();
            let worker = thread::Builder::new()
                .name(format!("{name}-{i}"))
                .spawn(move || {
                    for job in queue.iter() {
                        job();
                    }
                })
                .context(tr!(
                    "starting a pool thread (too many threads?)",
                    "启动池里的线程（线程太多了？）"
                ))?;
            workers.push(worker);
        }
        Ok(ThreadPool {
            jobs: Some(jobs),
            workers,
        })
    }

    /// `pool.submit(f)`: queues `f` and returns its handle at once.
    pub fn submit<T, F>(&self, f: F) -> Handle<T>
    where
        T: Send + 'static,
        F: FnOnce() -> T + Send + 'static,
    {
        self.submit_with_callback(f, |_| {})
    }

    /// `pool.submit(f).add_done_callback(cb)`: `cb` runs on the worker
    /// thread that ran `f`, right after it finished, before the handle sees
    /// the result.
    pub fn submit_with_callback<T, F, C>(&self, f: F, callback: C) -> Handle<T>
    where
        T: Send + 'static,
        F: FnOnce() -> T + Send + 'static,
        C: FnOnce(&Result<T, JobError>) + Send + 'static,
    {
        let (tx, rx) = bounded(1);
        let job: Job = Box::new(move || {
            let outcome = catch_unwind(AssertUnwindSafe(f))
                .map_err(|p| JobError::Panicked(panic_message(p.as_ref())));
            // A panicking callback must not take the worker down either.
            let _ = catch_unwind(AssertUnwindSafe(|| callback(&outcome)));
            let _ = tx.send(outcome);
        });
        if let Some(jobs) = &self.jobs {
            // If every worker is gone the job is dropped with its sender,
            // and the handle reports `Lost`.
            let _ = jobs.send(job);
        }
        Handle { rx }
    }

    /// `pool.map(f, items)`: submits all, then collects in input order.
    pub fn map<A, T, F>(&self, f: F, items: impl IntoIterator<Item = A>) -> Vec<Result<T, JobError>>
    where
        A: Send + 'static,
        T: Send + 'static,
        F: Fn(A) -> T + Send + Sync + 'static,
    {
        let f = std::sync::Arc::new(f);
        let handles: Vec<_> = items
            .into_iter()
            .map(|a| {
                let f = f.clone();
                self.submit(move || f(a))
            })
            .collect();
        handles.iter().map(|h| h.result(None)).collect()
    }

    /// The worker threads' names, for narration.
    pub fn size(&self) -> usize {
        self.workers.len()
    }

    /// `pool.shutdown(wait)`: no new jobs; queued jobs still run. With
    /// `wait`, returns after every worker thread has ended.
    pub fn shutdown(mut self, wait: bool) {
        self.jobs = None;
        let workers = std::mem::take(&mut self.workers);
        if wait {
            for w in workers {
                let _ = w.join();
            }
        }
    }
}

impl Drop for ThreadPool {
    /// Like leaving Python's `with ThreadPoolExecutor() as pool:` block.
    fn drop(&mut self) {
        self.jobs = None;
        for w in std::mem::take(&mut self.workers) {
            let _ = w.join();
        }
    }
}
