//! Copy-on-write (写时复制): one virtual address, two values.
//!
//! The sequence, with a gate pipe so each step happens in a known order:
//!
//! 1. parent: `x = 100`, then `fork()`. The child reads the pagemap entry
//!    of `x`'s page at once and reports it, then blocks at the gate.
//! 2. parent (after the child's report arrived): `x = 1`. This first write
//!    to the shared page faults; the kernel gives the parent a private copy.
//! 3. parent opens the gate. The child reads `x`: still 100 — the value at
//!    fork time, not the parent's later 1. It sets `x = 0` and reports what
//!    it saw, `x`'s address, and its page entry again.
//! 4. parent joins, and still reads its own `x` = 1.
//!
//! Both processes print the same address for `x`: addresses are *virtual*,
//! each process has its own page table translating them to physical frames.

use crate::pagemap::{decode, encode, page_info, tell, PageInfo};
use crate::{Global, REPORT_WITHIN};
use demo_kit::child::{child_main, flush_before_fork, waitpid_retrying};
use demo_kit::report::{recv_words, send_words};
use demo_kit::say::say;
use demo_kit::{tr, Context, Result, Side};
use nix::sys::wait::WaitStatus;
use nix::unistd::{fork, pipe, read, write, ForkResult, Pid};

/// Everything the copy-on-write run observed.
#[derive(Debug)]
pub struct CowRun {
    pub child: Pid,
    pub status: WaitStatus,
    /// `x` when `fork()` was called.
    pub at_fork: i32,
    /// What the parent set after the fork.
    pub parent_set: i32,
    /// `x` as the child read it after the parent's change.
    pub child_saw: i32,
    /// `x` in the parent after `join` (its own copy).
    pub parent_after_join: i32,
    pub parent_addr: usize,
    pub child_addr: usize,
    /// `x`'s page in the parent just before `fork()` and after its write.
    pub parent_page_before: Option<PageInfo>,
    pub parent_page_after_write: Option<PageInfo>,
    /// `x`'s page in the child right after `fork()` (nobody has written yet)
    /// and after the child's own write.
    pub child_page_after_fork: Option<PageInfo>,
    pub child_page_after_write: Option<PageInfo>,
}

pub fn copy_on_write(x: &'static Global, parent_set: i32) -> Result<CowRun> {
    x.set(100);
    let at_fork = x.get();
    say(Side::Parent, format!("x = {at_fork}"));
    let parent_page_before = page_info(x.addr());
    tell(
        Side::Parent,
        &tr!("x's page before fork", "fork 之前 x 所在的页"),
        parent_page_before,
    );
    let (gate_r, gate_w) = pipe().context(tr!("creating the gate pipe", "创建闸门管道"))?;
    let (report_r, report_w) =
        pipe().context(tr!("creating the report pipe", "创建汇报用的管道"))?;
    flush_before_fork();
    // SAFETY: the child only reads/writes an atomic, makes plain system
    // calls (open, pread, read, write, close) and `_exit`s.
    let child = match unsafe { fork() }.context(tr!("fork() failed", "fork() 失败"))? {
        ForkResult::Child => child_main(move || {
            drop(gate_w);
            send_words(&report_w, &[encode(page_info(x.addr()))]);
            let _ = read(&gate_r, &mut [0u8; 1]); // the gate
            let saw = x.get();
            x.set(0);
            let page = encode(page_info(x.addr()));
            send_words(&report_w, &[saw as u64, x.addr() as u64, page]);
            0
        }),
        ForkResult::Parent { child } => child,
    };
    drop((gate_r, report_w));
    say(
        Side::Parent,
        tr!(
            "fork() -> child {child} (held at a pipe gate after one look at its page)",
            "fork() -> 子进程 {child}（看过一眼自己的页后，停在管道闸门前）"
        ),
    );
    // Wait (on a real event: the pipe) until the child has looked at its
    // page, so the parent's write below comes second. On failure the gate
    // is dropped (EOF releases the child) and the child is still reaped.
    let child_page = recv_words::<1>(
        &report_r,
        REPORT_WITHIN,
        &tr!("its page after fork", "fork 之后它的页"),
    );
    if let Ok([page]) = child_page {
        tell(
            Side::Child,
            &tr!("x's page right after fork", "刚 fork 完时 x 所在的页"),
            decode(page),
        );
        x.set(parent_set);
        say(
            Side::Parent,
            tr!(
                "x = {parent_set} (written after the fork, while the child waits)",
                "x = {parent_set}（fork 之后、子进程还在等的时候写入）"
            ),
        );
    }
    let parent_page_after_write = page_info(x.addr());
    tell(
        Side::Parent,
        &tr!("x's page after its write", "父进程写入之后 x 所在的页"),
        parent_page_after_write,
    );
    let released = write(&gate_w, b"g").context(tr!("opening the gate", "打开闸门"));
    drop(gate_w);
    say(
        Side::Parent,
        tr!("gate opened; p.join()", "闸门已打开；p.join()"),
    );
    let status = waitpid_retrying(child)?;
    let [child_after_fork] = child_page?;
    released?;
    let [saw, addr, page] = recv_words::<3>(
        &report_r,
        REPORT_WITHIN,
        &tr!("what it saw", "子进程看到的值"),
    )?;
    let r = CowRun {
        child,
        status,
        at_fork,
        parent_set,
        child_saw: saw as i32,
        parent_after_join: x.get(),
        parent_addr: x.addr(),
        child_addr: addr as usize,
        parent_page_before,
        parent_page_after_write,
        child_page_after_fork: decode(child_after_fork),
        child_page_after_write: decode(page),
    };
    say(
        Side::Child,
        tr!(
            "(reported through a pipe) saw x = {saw} at address {addr:#x}, then set x = 0",
            "（通过管道汇报）在地址 {addr:#x} 看到 x = {saw}，然后设 x = 0"
        ),
    );
    tell(
        Side::Child,
        &tr!(
            "x's page after its own write",
            "子进程自己写入之后 x 所在的页"
        ),
        r.child_page_after_write,
    );
    let (after, at) = (r.parent_after_join, r.parent_addr);
    say(
        Side::Parent,
        tr!(
            "after join: x = {after} at address {at:#x}; waitpid -> {status:?}",
            "join 之后：地址 {at:#x} 上 x = {after}；waitpid -> {status:?}"
        ),
    );
    explain(&r);
    Ok(r)
}

/// What the addresses, values and frames show, in words.
fn explain(r: &CowRun) {
    if r.parent_addr == r.child_addr && r.parent_after_join != r.child_saw {
        say(
            Side::Note,
            tr!(
                "same virtual address in both processes, different values: each process has its own page table",
                "两个进程里虚拟地址相同，值却不同：每个进程都有自己的页表"
            ),
        );
    }
    let (saw, set) = (r.child_saw, r.parent_set);
    say(
        Side::Note,
        tr!(
            "the child saw {saw} (x at fork time), not the parent's later {set}: fork gave it a snapshot",
            "子进程看到的是 {saw}（fork 那一刻的 x），而不是父进程后来写的 {set}：fork 给它的是一份快照"
        ),
    );
    if r.child_page_after_fork.is_none() {
        say(
            Side::Note,
            tr!(
                "no /proc/self/pagemap here (Linux only): page tables not shown",
                "这里没有 /proc/self/pagemap（只有 Linux 有）：不显示页表"
            ),
        );
        return;
    }
    let frame = |p: Option<PageInfo>| p.and_then(|p| p.frame);
    let (Some(before), Some(shared), Some(parent_copy)) = (
        frame(r.parent_page_before),
        frame(r.child_page_after_fork),
        frame(r.parent_page_after_write),
    ) else {
        say(
            Side::Note,
            tr!(
                "physical frames are hidden from a process without CAP_SYS_ADMIN (root has it unless dropped); the shared/exclusive flag still shows the copy",
                "没有 CAP_SYS_ADMIN 的进程看不到物理页框号（root 有这项能力，除非被去掉）；共享/独占标志照样能说明发生了复制"
            ),
        );
        return;
    };
    let same = if shared == before {
        tr!("the same frame", "同一个页框")
    } else {
        tr!("NOT the same frame", "不是同一个页框")
    };
    say(
        Side::Note,
        tr!(
            "after fork both processes mapped frame {before:#x} ({same}): fork did not copy this page",
            "fork 之后两个进程映射的都是页框 {before:#x}（{same}）：fork 并没有复制这一页"
        ),
    );
    say(
        Side::Note,
        tr!(
            "the parent's first write got it a copy, frame {parent_copy:#x}: that is copy-on-write",
            "父进程第一次写入时得到了一份副本，页框 {parent_copy:#x}：这就是写时复制"
        ),
    );
    if frame(r.child_page_after_write) == Some(before) {
        say(
            Side::Note,
            tr!(
                "the child, by then the page's only user, wrote in place: no second copy was needed",
                "子进程写的时候已是这一页唯一的使用者，于是原地写入：不需要再复制一次"
            ),
        );
    }
}
