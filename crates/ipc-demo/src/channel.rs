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
use demo_kit::{Result, Side};
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
        format!("crossbeam_channel::unbounded(), fork(); the child sends {value}"),
    );
    let (tx, rx) = crossbeam_channel::unbounded::<u64>();
    let color = colors_enabled();
    let child = fork_child(|| {
        keep_only_fds(&[]);
        let sent = tx.send(value).is_ok();
        let back = rx.try_recv().ok();
        child_say(
            Side::Child,
            format!(
                "pid {}: send({value}) returned {}; my own receiver now holds {back:?}",
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
        Some(0) => "its send() was Ok and its own receiver got the value back",
        Some(3) => "its send() failed or its own receiver did not get the value (unexpected!)",
        _ => "it failed before it could report (unexpected!)",
    };
    say(
        Side::Parent,
        format!("child {child} exited with code {child_exit:?}: {meaning}"),
    );
    // The child is gone; if its value were coming, it would be here.
    let parent_got_from_child = rx.recv_timeout(timeout).ok();
    match parent_got_from_child {
        None => say(Side::Parent, format!("received nothing from the child within {timeout:?}: the child's queue is another process's memory")),
        Some(v) => say(Side::Parent, format!("received {v} from the child (unexpected!)")),
    }

    let tx2 = tx.clone();
    let thread = std::thread::spawn(move || tx2.send(value).is_ok());
    let parent_got_from_thread = rx.recv_timeout(CHILD_TIMEOUT).ok();
    let _ = thread.join();
    say(
        Side::Parent,
        format!("a thread sends {value} on a clone of the same sender: received {parent_got_from_thread:?}"),
    );
    say(Side::Note, "channels are for threads of one process; between processes use a pipe, a socket or shared memory");
    Ok(ChannelRun {
        child: child.as_raw(),
        child_exit,
        child_sent_into_own_copy,
        parent_got_from_child,
        parent_got_from_thread,
    })
}
