//! The course's `x = 100` example, and its contrast with a thread.
//!
//! ```python
//! x = 100
//! def task():
//!     global x
//!     x = 0
//! p = Process(target=task); p.start()
//! time.sleep(500)    # we use p.join() = waitpid() instead
//! print(x)           # 100
//! ```
//!
//! `fork()` gives the child its own copy of the whole address space, so its
//! `x = 0` changes the child's copy only. A thread lives in the *same*
//! address space as its creator, so the same assignment made by a thread is
//! the parent's `x`.

use crate::{Global, REPORT_WITHIN};
use demo_kit::child::{child_main, flush_before_fork, waitpid_retrying};
use demo_kit::report::{recv_words, send_words};
use demo_kit::say::say;
use demo_kit::{tr, Context, Result, Side};
use nix::sys::wait::WaitStatus;
use nix::unistd::{fork, pipe, ForkResult, Pid};

/// What the process version observed.
#[derive(Debug)]
pub struct ProcessRun {
    pub child: Pid,
    pub status: WaitStatus,
    /// `x` in the parent right before `fork()`.
    pub before_fork: i32,
    /// `x` as the child first read it.
    pub child_saw: i32,
    /// `x` in the child after its `x = 0`.
    pub child_after: i32,
    /// `print(x)` in the parent after `join`.
    pub parent_after_join: i32,
    pub parent_addr: usize,
    pub child_addr: usize,
}

/// Sets `x` to 100, forks a child that sets it to 0, joins, reads `x`.
pub fn change_in_child(x: &'static Global) -> Result<ProcessRun> {
    x.set(100);
    let before_fork = x.get();
    let addr = x.addr();
    say(
        Side::Parent,
        tr!(
            "x = 100 (a global at address {addr:#x}); p.start() = fork()",
            "x = 100（全局变量，地址 {addr:#x}）；p.start() = fork()"
        ),
    );
    let (report_r, report_w) =
        pipe().context(tr!("creating the report pipe", "创建汇报用的管道"))?;
    flush_before_fork();
    // SAFETY: the child only loads/stores an atomic, writes to a pipe and `_exit`s.
    let child = match unsafe { fork() }.context(tr!("fork() failed", "fork() 失败"))? {
        ForkResult::Child => child_main(move || {
            let saw = x.get();
            x.set(0); // global x; x = 0
            send_words(&report_w, &[saw as u64, x.get() as u64, x.addr() as u64]);
            0
        }),
        ForkResult::Parent { child } => child,
    };
    drop(report_w);
    let status = waitpid_retrying(child)?; // p.join(): no sleep(500) guesswork
    say(
        Side::Parent,
        format!("p.join() = waitpid({child}) -> {status:?}"),
    );
    let [saw, after, addr] = recv_words::<3>(
        &report_r,
        REPORT_WITHIN,
        &tr!("what it saw", "子进程看到的值"),
    )?;
    say(Side::Child, tr!(
        "(reported through a pipe) saw x = {saw}, ran `global x; x = 0`, then x = {after}, at address {addr:#x}",
        "（通过管道汇报）看到 x = {saw}，执行 `global x; x = 0`，之后 x = {after}，地址 {addr:#x}"
    ));
    let parent_after_join = x.get();
    say(Side::Parent, format!("print(x) -> {parent_after_join}"));
    say(
        Side::Note,
        if parent_after_join == before_fork {
            tr!(
                "the child changed its own copy: processes do not share memory",
                "子进程改的是它自己那一份：进程之间不共享内存"
            )
        } else {
            tr!(
                "unexpected: the parent's x changed",
                "出乎意料：父进程的 x 变了"
            )
        },
    );
    Ok(ProcessRun {
        child,
        status,
        before_fork,
        child_saw: saw as i32,
        child_after: after as i32,
        parent_after_join,
        parent_addr: x.addr(),
        child_addr: addr as usize,
    })
}

/// What the thread version observed.
#[derive(Debug)]
pub struct ThreadRun {
    pub before: i32,
    pub thread_saw: i32,
    pub thread_after: i32,
    pub parent_after_join: i32,
    pub parent_addr: usize,
    pub thread_addr: usize,
}

/// The same assignment, made by a thread: the parent sees it. Leaves `x`
/// at 0 (what the thread set); callers reset it.
pub fn change_in_thread(x: &'static Global) -> Result<ThreadRun> {
    x.set(100);
    let before = x.get();
    say(
        Side::Parent,
        format!("x = {before}; thread::spawn(...).join()"),
    );
    let handle = std::thread::spawn(move || {
        let saw = x.get();
        x.set(0);
        (saw, x.get(), x.addr())
    });
    let (thread_saw, thread_after, thread_addr) = handle
        .join()
        .map_err(|_| demo_kit::Error::msg(tr!("the thread panicked", "线程 panic 了")))?;
    say(
        Side::Note,
        tr!(
            "the thread saw x = {thread_saw}, set it, then x = {thread_after}, at address {thread_addr:#x}",
            "线程看到 x = {thread_saw}，赋值之后 x = {thread_after}，地址 {thread_addr:#x}"
        ),
    );
    let parent_after_join = x.get();
    let addr = x.addr();
    say(
        Side::Parent,
        tr!(
            "print(x) -> {parent_after_join} (address {addr:#x})",
            "print(x) -> {parent_after_join}（地址 {addr:#x}）"
        ),
    );
    say(
        Side::Note,
        if parent_after_join == thread_after {
            tr!(
                "threads share one address space: the thread's x IS the parent's x",
                "线程共用同一个地址空间：线程里的 x 就是父进程的 x"
            )
        } else {
            tr!(
                "unexpected: the thread's change was not seen",
                "出乎意料：父进程没看到线程做的修改"
            )
        },
    );
    Ok(ThreadRun {
        before,
        thread_saw,
        thread_after,
        parent_after_join,
        parent_addr: x.addr(),
        thread_addr,
    })
}
