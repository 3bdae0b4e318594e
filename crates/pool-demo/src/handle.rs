//! 异步调用的结果: what `submit` hands back at once, before the job ran.
//!
//! Python's `pool.submit(task, i)` returns a `Future`; `future.result()`
//! blocks until the job is done (with an optional timeout). Here the handle
//! is the receiving end of a one-slot channel that the job's worker sends
//! its outcome into. A job that panicked, a worker that died, a pool shut
//! down before the job ran: each is an error the caller sees, never a
//! silent loss.

use crossbeam_channel::{Receiver, RecvTimeoutError};
use std::fmt;
use std::time::Duration;

/// Why a job has no result.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum JobError {
    /// The job panicked; the worker thread caught it and lives on.
    Panicked(String),
    /// The worker process running it died (e.g. killed by a signal).
    WorkerDied(String),
    /// The worker process answered with an error.
    Failed(String),
    /// `result(Some(timeout))` ran out of time; the job may still finish.
    Timeout(Duration),
    /// The pool went away before the job produced anything (or the result
    /// was already taken).
    Lost,
}

impl fmt::Display for JobError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            JobError::Panicked(m) => write!(f, "the job panicked: {m}"),
            JobError::WorkerDied(m) => write!(f, "the worker died: {m}"),
            JobError::Failed(m) => write!(f, "the worker reported: {m}"),
            JobError::Timeout(d) => write!(f, "no result within {d:?}"),
            JobError::Lost => write!(f, "the pool ended before the job produced a result"),
        }
    }
}

/// Python's `Future`, for one job's result of type `T`.
pub struct Handle<T> {
    pub(crate) rx: Receiver<Result<T, JobError>>,
}

impl<T> Handle<T> {
    /// `future.result(timeout)`: waits for the job's outcome (forever with
    /// `None`). After a timeout you may call it again.
    pub fn result(&self, timeout: Option<Duration>) -> Result<T, JobError> {
        match timeout {
            None => self.rx.recv().unwrap_or(Err(JobError::Lost)),
            Some(d) => match self.rx.recv_timeout(d) {
                Ok(r) => r,
                Err(RecvTimeoutError::Timeout) => Err(JobError::Timeout(d)),
                Err(RecvTimeoutError::Disconnected) => Err(JobError::Lost),
            },
        }
    }

    /// `future.done()`: true once the outcome is waiting to be taken.
    pub fn done(&self) -> bool {
        !self.rx.is_empty()
    }
}
