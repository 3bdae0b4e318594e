// Exercise `pool_submit` — lesson 17, pools (线程池, 异步调用):
// docs/17-pools.md
//
// A fixed thread pool, Python's `ThreadPoolExecutor(n)`, on a
// crossbeam-channel:
//
// 1. `ThreadPool::new(n)`: make an unbounded channel of jobs and start n
//    threads (`thread::spawn`); each loops receiving jobs from the channel
//    and running them, and ends when the channel is closed.
// 2. `submit(f)` (异步调用): make a one-slot channel for the result, send
//    the pool a job that runs `f` and sends its result into that slot, and
//    return a `Handle` holding the receiving end — at once, before `f` ran.
//    Run `f` under `std::panic::catch_unwind` so a panicking job becomes
//    `Err(JobError::Panicked)` and the worker thread lives on.
// 3. `Handle::result(timeout)`: wait for the result, at most `timeout`
//    (`recv_timeout`): `Err(JobError::Timeout)` if it is not there yet.
//
// Dropping the pool closes the channel and joins the threads (done for you).
// The tests check results, that n jobs really run at the same time, the
// timeout, and that a panic is reported without killing the pool.
//
// 中文：
// 练习 `pool_submit`——第 17 课，进程池与线程池（线程池，异步调用）。
//
// 一个固定大小的线程池，即 Python 的 `ThreadPoolExecutor(n)`，建在
// crossbeam-channel 之上：
//
// 1. `ThreadPool::new(n)`：创建一个无界的任务通道，启动 n 个线程
//    （`thread::spawn`）；每个线程循环地从通道接收任务并运行，通道关闭时结束。
// 2. `submit(f)`（异步调用）：为结果创建一个单槽通道，向线程池发送一个任务：运
//    行 `f` 并把结果发进这个槽；然后返回一个持有接收端的 `Handle`——立刻返回，
//    在 `f` 运行之前。用 `std::panic::catch_unwind` 运行 `f`，这样 panic 的任
//    务会变成 `Err(JobError::Panicked)`，工作线程则继续活着。
// 3. `Handle::result(timeout)`：等待结果，最多等 `timeout`（`recv_timeout`）：
//    结果还没来就返回 `Err(JobError::Timeout)`。
//
// 丢弃线程池会关闭通道并 join 所有线程（已替你写好）。
// 测试检查：结果正确，n 个任务确实同时运行，超时，以及 panic 会被报告出来而不
// 会搞垮线程池。

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
        todo!("an unbounded channel of jobs and {n} threads receiving from it")
    }

    pub fn submit<T, F>(&self, f: F) -> Handle<T>
    where
        T: Send + 'static,
        F: FnOnce() -> T + Send + 'static,
    {
        todo!("send a job that runs f and sends its result; return the handle")
    }
}

impl<T> Handle<T> {
    pub fn result(&self, timeout: Duration) -> Result<T, JobError> {
        todo!("wait at most {timeout:?} for the job's result")
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

#[cfg(test)]
mod tests {
    use super::*;
    use exercises::within;
    use std::sync::{Arc, Barrier};

    const T: Duration = Duration::from_secs(10);

    /// Twenty jobs on three threads each give back their own result, in order of submission.
    /// 中文：三个线程处理二十个任务，每个任务的结果按提交顺序各自取回。
    #[test]
    fn results_come_back() {
        within(20, || {
            let pool = ThreadPool::new(3);
            let handles: Vec<_> = (0..20u64).map(|i| pool.submit(move || i * i)).collect();
            let got: Vec<u64> = handles.iter().map(|h| h.result(T).unwrap()).collect();
            assert_eq!(got, (0..20u64).map(|i| i * i).collect::<Vec<_>>());
        });
    }

    /// `submit` returns at once, and a pool of three runs three jobs at the same time on three threads.
    /// 中文：`submit` 立即返回；三个线程的池能同时运行三个任务，各在一个线程上。
    #[test]
    fn submit_returns_before_the_job_ran_and_n_jobs_run_at_once() {
        within(20, || {
            // Three jobs that can only finish if all three run at the same
            // time: each waits for the other two at a barrier.
            let pool = ThreadPool::new(3);
            let meet = Arc::new(Barrier::new(3));
            let handles: Vec<_> = (0..3)
                .map(|_| {
                    let meet = meet.clone();
                    pool.submit(move || {
                        meet.wait();
                        std::thread::current().id()
                    })
                })
                .collect();
            let mut ids: Vec<_> = handles.iter().map(|h| format!("{:?}", h.result(T).unwrap())).collect();
            ids.sort();
            ids.dedup();
            assert_eq!(ids.len(), 3, "three different worker threads");
        });
    }

    /// A result that is not ready yet is `Timeout`; once the job finishes it is there.
    /// 中文：结果还没出来时返回 `Timeout`；任务完成后就能取到结果。
    #[test]
    fn result_times_out_then_succeeds() {
        within(20, || {
            let pool = ThreadPool::new(1);
            let (go, gate) = bounded::<()>(1);
            let h = pool.submit(move || gate.recv().is_ok());
            assert_eq!(h.result(Duration::from_millis(30)), Err(JobError::Timeout));
            go.send(()).unwrap();
            assert_eq!(h.result(T), Ok(true));
        });
    }

    /// A job that panics is reported as `Panicked`, and the pool's one worker thread lives on.
    /// 中文：任务 panic 时报告 `Panicked`，池里唯一的工作线程继续运行。
    #[test]
    fn a_panicking_job_is_reported_and_the_pool_survives() {
        within(20, || {
            let pool = ThreadPool::new(1);
            let bad = pool.submit(|| -> u8 { panic!("on purpose") });
            assert_eq!(bad.result(T), Err(JobError::Panicked));
            assert_eq!(pool.submit(|| 8).result(T), Ok(8), "the one worker thread must live on");
        });
    }
}
