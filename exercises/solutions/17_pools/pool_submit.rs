// Exercise `pool_submit` — solution. See exercises/17_pools/pool_submit.rs.

use crossbeam_channel::{bounded, unbounded, Receiver, RecvTimeoutError, Sender};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::thread::{self, JoinHandle};
use std::time::Duration;

type Job = Box<dyn FnOnce() + Send + 'static>;

#[derive(Debug, PartialEq)]
pub enum JobError {
    Panicked,
    Timeout,
    Lost,
}

pub struct Handle<T> {
    rx: Receiver<Result<T, JobError>>,
}

pub struct ThreadPool {
    jobs: Option<Sender<Job>>,
    workers: Vec<JoinHandle<()>>,
}

impl ThreadPool {
    pub fn new(n: usize) -> ThreadPool {
        let (jobs, queue) = unbounded::<Job>();
        let workers = (0..n)
            .map(|_| {
                let queue = queue.clone();
                thread::spawn(move || {
                    for job in queue.iter() {
                        job();
                    }
                })
            })
            .collect();
        ThreadPool { jobs: Some(jobs), workers }
    }

    pub fn submit<T, F>(&self, f: F) -> Handle<T>
    where
        T: Send + 'static,
        F: FnOnce() -> T + Send + 'static,
    {
        let (tx, rx) = bounded(1);
        let job: Job = Box::new(move || {
            let outcome = catch_unwind(AssertUnwindSafe(f)).map_err(|_| JobError::Panicked);
            let _ = tx.send(outcome);
        });
        if let Some(jobs) = &self.jobs {
            let _ = jobs.send(job);
        }
        Handle { rx }
    }
}

impl<T> Handle<T> {
    pub fn result(&self, timeout: Duration) -> Result<T, JobError> {
        match self.rx.recv_timeout(timeout) {
            Ok(outcome) => outcome,
            Err(RecvTimeoutError::Timeout) => Err(JobError::Timeout),
            Err(RecvTimeoutError::Disconnected) => Err(JobError::Lost),
        }
    }
}

impl Drop for ThreadPool {
    fn drop(&mut self) {
        self.jobs = None; // closes the channel: every worker's loop ends
        for w in self.workers.drain(..) {
            let _ = w.join();
        }
    }
}
