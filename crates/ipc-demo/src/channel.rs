//! `crossbeam-channel` is *not* IPC: it works between threads of one process
//! only.
//!
//! A channel is a data structure in the process's memory. After `fork()`
//! the child has its own copy of that memory (see [`crate::shm`]), so a
//! `send` in the child puts the value into the *child's* copy of the queue;
//! the parent's receiver never sees it. Python has the same split:
//! `queue.Queue` is for threads, `multiprocessing.Queue` (a pipe underneath)
//! for processes. The demo sends from a forked child and from a thread and
//! compares.

use crate::CHILD_TIMEOUT;
use demo_kit::child::{child_say, exit_code, fork_child, keep_only_fds, reap_or_kill};
use demo_kit::say::{colors_enabled, say};
use demo_kit::{tr, Result, Side};
use std::time::Duration;

/// What crossing the process boundary with a channel looked like.
#[derive(Debug)]
pub struct ChannelRun {
    pub child: i32,
    /// The child's exit code: 0 = its `send` returned Ok *and* its own
    /// receiver got the value back (it went into the child's copy of the
    /// queue); 3 = it did not; anything else = the child failed.
    pub child_exit: Option<i32>,
    /// `child_exit == Some(0)`.
    pub child_sent_into_own_copy: bool,
    /// What the parent received from the child within the timeout (None).
    pub parent_got_from_child: Option<u64>,
    /// What the parent received from a thread within the timeout (Some).
    pub parent_got_from_thread: Option<u64>,
}

/// Sends `value` from a forked child, then from a thread.
pub fn run(value: u64, timeout: Duration) -> Result<ChannelRun> {
    say(
        Side::Parent,
        tr!(
            "crossbeam_channel::unbounded(), fork(); the child sends {value}",
            "crossbeam_channel::unbounded()，fork()；子进程发送 {value}"
        ),
    );
    let (tx, rx) = crossbeam_channel::unbounded::<u64>();
    let color = colors_enabled();
    let child = fork_child(|| {
        keep_only_fds(&[]);
        let sent = tx.send(value).is_ok();
        let back = rx.try_recv().ok();
        child_say(
            Side::Child,
            tr!(
                "pid {}: send({value}) returned {}; my own receiver now holds {back:?}",
                "pid {}：send({value}) 返回 {}；我自己的接收端现在拿到的是 {back:?}",
                nix::unistd::getpid(),
                if sent { "Ok" } else { "Err" }
            ),
            color,
        );
        if sent && back == Some(value) {
            0
        } else {
            3
        }
    })?;
    let child_exit = exit_code(reap_or_kill(child, CHILD_TIMEOUT)?);
    let child_sent_into_own_copy = child_exit == Some(0);
    let meaning = match child_exit {
        Some(0) => tr!(
            "its send() was Ok and its own receiver got the value back",
            "它的 send() 返回 Ok，而它自己的接收端收回了这个值"
        ),
        Some(3) => tr!(
            "its send() failed or its own receiver did not get the value (unexpected!)",
            "它的 send() 失败了，或者它自己的接收端没有收到这个值（出乎意料！）"
        ),
        _ => tr!(
            "it failed before it could report (unexpected!)",
            "它还没来得及报告就失败了（出乎意料！）"
        ),
    };
    say(
        Side::Parent,
        tr!(
            "child {child} exited with code {child_exit:?}: {meaning}",
            "子进程 {child} 退出，退出码 {child_exit:?}：{meaning}"
        ),
    );
    // The child is gone; if its value were coming, it would be here.
    let parent_got_from_child = rx.recv_timeout(timeout).ok();
    match parent_got_from_child {
        None => say(Side::Parent, tr!("received nothing from the child within {timeout:?}: the child's queue is another process's memory", "{timeout:?} 内没有从子进程收到任何东西：子进程的队列在另一个进程的内存里")),
        Some(v) => say(Side::Parent, tr!("received {v} from the child (unexpected!)", "从子进程收到了 {v}（出乎意料！）")),
    }

    let tx2 = tx.clone();
    let thread = std::thread::spawn(move || tx2.send(value).is_ok());
    let parent_got_from_thread = rx.recv_timeout(CHILD_TIMEOUT).ok();
    let _ = thread.join();
    say(
        Side::Parent,
        tr!("a thread sends {value} on a clone of the same sender: received {parent_got_from_thread:?}", "一个线程用同一个发送端的克隆发送 {value}：收到了 {parent_got_from_thread:?}"),
    );
    say(Side::Note, tr!("channels are for threads of one process; between processes use a pipe, a socket or shared memory", "channel 用于同一个进程里的线程之间；进程之间要用管道、套接字或共享内存"));
    Ok(ChannelRun {
        child: child.as_raw(),
        child_exit,
        child_sent_into_own_copy,
        parent_got_from_child,
        parent_got_from_thread,
    })
}
