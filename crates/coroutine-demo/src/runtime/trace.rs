//! What the runtime did, in time order: printed as it happens (the demo),
//! kept in memory (the tests), and counted (always; a few `Cell` updates).

use super::Dir;
use demo_kit::say::say;
use demo_kit::{tr, Side};
use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::os::fd::RawFd;

/// One thing the runtime did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Event {
    /// A new task, put on the ready queue.
    Spawn { task: usize, name: String },
    /// The executor polls a task: the switch *to* it.
    Poll { task: usize },
    /// A call that went through at once: `op` on `fd` moved `n` bytes
    /// (for `accept`: `n` is the new connection's fd).
    Io {
        task: usize,
        fd: RawFd,
        op: &'static str,
        n: usize,
    },
    /// The task's call said `EAGAIN`: its waker is kept for `fd`.
    Register {
        task: usize,
        fd: RawFd,
        op: &'static str,
        dir: Dir,
    },
    /// The poll returned `Pending`: the switch *away* (its state stays in its future).
    Pending { task: usize },
    /// The poll returned `Ready`: the task is finished.
    Ready { task: usize },
    /// `epoll_wait` returned these sockets: `(fd, readable, writable)`.
    Wait { ready: Vec<(RawFd, bool, bool)> },
    /// The reactor woke the task waiting on `fd`.
    Wake { task: usize, fd: RawFd, dir: Dir },
}

/// Counts of the runtime's work so far.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    pub spawns: u64,
    pub polls: u64,
    pub pendings: u64,
    pub registers: u64,
    pub waits: u64,
    pub wakes: u64,
}

#[derive(Default)]
pub(super) struct Trace {
    pub(super) narrate: Cell<bool>,
    pub(super) record: Cell<bool>,
    pub(super) events: RefCell<Vec<Event>>,
    pub(super) stats: Cell<Stats>,
    names: RefCell<HashMap<usize, String>>,
}

impl Trace {
    pub(super) fn on(&self) -> bool {
        self.narrate.get() || self.record.get()
    }

    /// Counts one event; prints it or keeps it if asked to. A runtime
    /// nobody watches pays a few adds (its events carry no heap data but
    /// a spawned task's name and the list of a `Wait` being narrated).
    pub(super) fn note(&self, event: Event) {
        let mut s = self.stats.get();
        match event {
            Event::Spawn { .. } => s.spawns += 1,
            Event::Poll { .. } => s.polls += 1,
            Event::Register { .. } => s.registers += 1,
            Event::Pending { .. } => s.pendings += 1,
            Event::Wait { .. } => s.waits += 1,
            Event::Wake { .. } => s.wakes += 1,
            Event::Io { .. } | Event::Ready { .. } => {}
        }
        self.stats.set(s);
        if !self.on() {
            return;
        }
        if let Event::Spawn { task, name } = &event {
            self.names.borrow_mut().insert(*task, name.clone());
        }
        if self.narrate.get() {
            self.say(&event);
        }
        if self.record.get() {
            self.events.borrow_mut().push(event);
        }
    }

    fn name(&self, task: usize) -> String {
        let names = self.names.borrow();
        let name = names.get(&task).map_or("?", String::as_str);
        tr!("task {task} ({name})", "任务 {task}（{name}）")
    }

    /// Each event in the learner's language; the system calls, errno
    /// names, fds and byte counts stay as the kernel gave them.
    fn say(&self, event: &Event) {
        let dir = |d: &Dir| match d {
            Dir::Read => tr!("readable", "可读"),
            Dir::Write => tr!("writable", "可写"),
        };
        match event {
            Event::Spawn { task, .. } => say(
                Side::Note,
                tr!(
                    "spawn {}: onto the ready queue",
                    "spawn {}：放入就绪队列",
                    self.name(*task)
                ),
            ),
            Event::Poll { task, .. } => say(Side::Note, format!("poll  {}", self.name(*task))),
            Event::Io { fd, op, n, .. } => say(
                Side::Note,
                match (*op, n) {
                    ("accept", n) => tr!(
                        "      accept on fd {fd}: a new connection, fd {n}",
                        "      fd {fd} 上的 accept：来了一个新连接，fd {n}"
                    ),
                    ("read", 0) => tr!(
                        "      read on fd {fd}: 0 bytes, end of file",
                        "      fd {fd} 上的 read：0 字节，读到了文件末尾（EOF）"
                    ),
                    (op, n) => tr!(
                        "      {op} on fd {fd}: {n} bytes",
                        "      fd {fd} 上的 {op}：{n} 字节"
                    ),
                },
            ),
            Event::Register {
                task,
                fd,
                op,
                dir: d,
            } => {
                let (op, outcome) = match *op {
                    "connect" => (op.to_string(), "EINPROGRESS".to_string()),
                    "read (buffer emptied)" => (
                        tr!("read (buffer emptied)", "read（缓冲区已读空）"),
                        tr!(
                            "no call (the last read emptied it)",
                            "不调用（上一次 read 已把它读空）"
                        ),
                    ),
                    op => (op.to_string(), "EAGAIN".to_string()),
                };
                say(
                    Side::Note,
                    tr!(
                        "      {op} on fd {fd}: {outcome}; task {task}'s waker kept until fd {fd} is {}",
                        "      fd {fd} 上的 {op}：{outcome}；保存任务 {task} 的 waker，等 fd {fd} 变为{}",
                        dir(d)
                    ),
                )
            }
            Event::Pending { task } => say(
                Side::Note,
                tr!(
                    "      task {task} -> Pending: switch away (its state stays in its future)",
                    "      任务 {task} -> Pending：切换出去（它的状态留在它的 future 里）"
                ),
            ),
            Event::Ready { task } => say(
                Side::Note,
                tr!(
                    "      task {task} -> Ready: finished",
                    "      任务 {task} -> Ready：已完成"
                ),
            ),
            Event::Wait { ready } => {
                let list: Vec<String> = ready
                    .iter()
                    .map(|(fd, r, w)| match (r, w) {
                        (true, true) => tr!("fd {fd} readable+writable", "fd {fd} 可读+可写"),
                        (true, false) => tr!("fd {fd} readable", "fd {fd} 可读"),
                        _ => tr!("fd {fd} writable", "fd {fd} 可写"),
                    })
                    .collect();
                say(
                    Side::Kernel,
                    tr!(
                        "epoll_wait: nothing was ready, slept; woke with: {}",
                        "epoll_wait：当时没有就绪的，阻塞等待；醒来时就绪的有：{}",
                        list.join(demo_kit::lang::pick(", ", "、"))
                    ),
                )
            }
            Event::Wake { task, fd, dir: d } => say(
                Side::Note,
                tr!(
                    "wake  {} (fd {fd} {}): onto the ready queue",
                    "wake  {}（fd {fd} {}）：放入就绪队列",
                    self.name(*task),
                    dir(d)
                ),
            ),
        }
    }
}
