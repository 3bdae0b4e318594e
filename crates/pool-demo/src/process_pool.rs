//! 进程池 (process pool): `multiprocessing.Pool(n)` / `ProcessPoolExecutor`.
//!
//! N worker processes are started once, up front, each with two pipes: its
//! stdin for jobs, its stdout for answers. Each message is a `framing`
//! message (4-byte length, JSON header): the pipe is a byte stream, so it
//! needs message boundaries as much as a TCP socket does (lesson 06).
//!
//! One *slot* thread in the parent owns each worker: it takes the next job
//! from the shared channel, writes it to its worker and reads the answer.
//! If the read fails — the worker died, for example killed by a signal —
//! the slot reaps it (`waitpid`), reports the job as failed with the exit
//! status, starts a replacement and goes on. No job is lost silently.
//!
//! The workers are this program re-executed ([`crate::HELPER_WORKER`]),
//! not bare `fork()`s: the parent has threads (the slots, a test harness),
//! and a forked child of a multi-threaded process may only make
//! async-signal-safe calls — no JSON, no allocation. Python's `Pool` with
//! the `spawn` start method does the same.

use crate::handle::{Handle, JobError};
use crossbeam_channel::{bounded, unbounded, Receiver, Sender};
use demo_kit::{tr, Context, Result};
use framing::Codec;
use serde_json::Value;
use std::io::{BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::thread::{self, JoinHandle};
use std::time::Duration;

type Callback = Box<dyn FnOnce(&Result<Value, JobError>) + Send>;

struct Task {
    job: Value,
    reply: Sender<Result<Value, JobError>>,
    callback: Option<Callback>,
}

/// One worker process and its two pipe ends.
struct Worker {
    child: Child,
    jobs: ChildStdin,
    answers: BufReader<ChildStdout>,
}

impl Worker {
    fn start(exe: &Path) -> Result<Worker> {
        let mut child = Command::new(exe)
            .arg(crate::HELPER_WORKER)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .with_context(|| {
                tr!(
                    "starting a pool worker ({})",
                    "启动一个池中的工作进程（{}）",
                    exe.display()
                )
            })?;
        let jobs = child.stdin.take().context(tr!(
            "worker stdin was not a pipe",
            "工作进程的 stdin 不是管道"
        ))?;
        let answers = BufReader::new(child.stdout.take().context(tr!(
            "worker stdout was not a pipe",
            "工作进程的 stdout 不是管道"
        ))?);
        Ok(Worker {
            child,
            jobs,
            answers,
        })
    }

    /// Sends one job and reads its answer; `Err` means the pipe broke.
    fn call(&mut self, job: &Value) -> std::result::Result<Value, String> {
        let codec = Codec::course();
        codec
            .write_message(&mut self.jobs, job.clone(), b"")
            .map_err(|e| e.to_string())?;
        self.jobs.flush().map_err(|e| e.to_string())?;
        match codec.read_message(&mut self.answers) {
            Ok(Some(m)) => Ok(Value::Object(m.header)),
            Ok(None) => Err(tr!(
                "end of file on its pipe",
                "它的管道上读到了文件结束（EOF）"
            )),
            Err(e) => Err(e.to_string()),
        }
    }

    /// Closes its stdin (it exits on end of file) and reaps it; kills it if
    /// it has not exited within `limit`.
    fn stop(self, limit: Duration) {
        drop(self.jobs);
        let pid = nix::unistd::Pid::from_raw(self.child.id() as i32);
        let _ = demo_kit::child::reap_or_kill(pid, limit);
    }
}

/// What the pool's owner can see of the workers.
#[derive(Default)]
struct Shared {
    pids: Vec<i32>,
    busy: Vec<Option<Value>>,
    replaced: usize,
}

pub struct ProcessPool {
    jobs: Option<Sender<Task>>,
    slots: Vec<JoinHandle<()>>,
    shared: Arc<Mutex<Shared>>,
}

impl ProcessPool {
    /// Starts `n` workers, `exe` being this program (`current_exe()`, or
    /// `CARGO_BIN_EXE_pool-demo` in tests).
    pub fn new(exe: &Path, n: usize) -> Result<ProcessPool> {
        let n = n.max(1);
        let (jobs, queue) = unbounded::<Task>();
        let shared = Arc::new(Mutex::new(Shared {
            pids: vec![0; n],
            busy: vec![None; n],
            replaced: 0,
        }));
        let mut slots = Vec::with_capacity(n);
        for i in 0..n {
            let worker = Worker::start(exe)?;
            lock(&shared).pids[i] = worker.child.id() as i32;
            let (queue, shared, exe) = (queue.clone(), shared.clone(), exe.to_path_buf());
            let slot = thread::Builder::new()
                .name(format!("pool-slot-{i}"))
                .spawn(move || slot_loop(i, worker, queue, shared, exe))
                .context(tr!(
                    "starting a pool slot thread",
                    "启动池里管理一个槽位的线程"
                ))?;
            slots.push(slot);
        }
        Ok(ProcessPool {
            jobs: Some(jobs),
            slots,
            shared,
        })
    }

    /// `pool.apply_async(job)`: returns at once.
    pub fn submit(&self, job: Value) -> Handle<Value> {
        self.submit_inner(job, None)
    }

    /// `pool.apply_async(job, callback=cb)`: `cb` runs in *this* process,
    /// on the slot thread that got the answer (Python: the pool's
    /// result-handler thread), never in the worker.
    pub fn submit_with_callback(
        &self,
        job: Value,
        cb: impl FnOnce(&Result<Value, JobError>) + Send + 'static,
    ) -> Handle<Value> {
        self.submit_inner(job, Some(Box::new(cb)))
    }

    fn submit_inner(&self, job: Value, callback: Option<Callback>) -> Handle<Value> {
        let (reply, rx) = bounded(1);
        if let Some(jobs) = &self.jobs {
            let _ = jobs.send(Task {
                job,
                reply,
                callback,
            });
        }
        Handle { rx }
    }

    /// The workers' pids, one per slot.
    pub fn pids(&self) -> Vec<i32> {
        lock(&self.shared).pids.clone()
    }

    /// The pid of a worker running a job equal to `job`, if any.
    pub fn running(&self, job: &Value) -> Option<i32> {
        let s = lock(&self.shared);
        s.busy
            .iter()
            .position(|b| b.as_ref() == Some(job))
            .map(|i| s.pids[i])
    }

    /// How many workers were replaced after dying.
    pub fn replaced(&self) -> usize {
        lock(&self.shared).replaced
    }

    /// `pool.close(); pool.join()`: queued jobs finish, workers exit on end
    /// of file and are reaped.
    pub fn shutdown(mut self) {
        self.jobs = None;
        for s in std::mem::take(&mut self.slots) {
            let _ = s.join();
        }
    }
}

impl Drop for ProcessPool {
    fn drop(&mut self) {
        self.jobs = None;
        for s in std::mem::take(&mut self.slots) {
            let _ = s.join();
        }
    }
}

fn lock(m: &Mutex<Shared>) -> std::sync::MutexGuard<'_, Shared> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

fn slot_loop(
    i: usize,
    mut worker: Worker,
    queue: Receiver<Task>,
    shared: Arc<Mutex<Shared>>,
    exe: PathBuf,
) {
    for task in queue.iter() {
        lock(&shared).busy[i] = Some(task.job.clone());
        let outcome = match worker.call(&task.job) {
            Ok(answer) => match (answer.get("ok"), answer.get("error")) {
                (Some(v), _) => Ok(v.clone()),
                (_, Some(e)) => Err(JobError::Failed(e.as_str().unwrap_or_default().to_string())),
                _ => Err(JobError::Failed(tr!(
                    "answer without ok/error: {answer}",
                    "回答里既没有 ok 也没有 error：{answer}"
                ))),
            },
            Err(broken) => {
                // The worker is gone: reap it, say how it ended, replace it.
                let pid = worker.child.id();
                let status = worker.child.wait().map_or_else(
                    |e| tr!("waitpid failed: {e}", "waitpid 失败：{e}"),
                    |s| s.to_string(),
                );
                let died = JobError::WorkerDied(tr!(
                    "worker pid {pid} ended ({status}; {broken}) while running {}",
                    "工作进程 pid {pid} 在运行 {} 时结束了（{status}；{broken}）",
                    task.job
                ));
                match Worker::start(&exe) {
                    Ok(fresh) => {
                        let mut s = lock(&shared);
                        s.pids[i] = fresh.child.id() as i32;
                        s.replaced += 1;
                        worker = fresh;
                    }
                    Err(e) => {
                        let _ = task.reply.send(Err(JobError::WorkerDied(tr!(
                            "{died}; no replacement: {e}",
                            "{died}；没能补上新的工作进程：{e}"
                        ))));
                        lock(&shared).busy[i] = None;
                        return; // the slot's channel end drops; its next jobs go to other slots
                    }
                }
                Err(died)
            }
        };
        lock(&shared).busy[i] = None;
        if let Some(cb) = task.callback {
            cb(&outcome);
        }
        let _ = task.reply.send(outcome);
    }
    worker.stop(Duration::from_secs(5));
}
