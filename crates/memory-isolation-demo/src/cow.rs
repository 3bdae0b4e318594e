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

use crate::pagemap::{decode, encode, page_info, PageInfo};
use crate::{join, receive, send, Global};
use demo_kit::child::{child_main, flush_before_fork};
use demo_kit::{Context, Result};
use nix::sys::wait::WaitStatus;
use nix::unistd::{fork, pipe, ForkResult, Pid};

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
    let parent_page_before = page_info(x.addr());
    let (gate_r, gate_w) = pipe().context("creating the gate pipe")?;
    let (report_r, report_w) = pipe().context("creating the report pipe")?;
    flush_before_fork();
    // SAFETY: the child only reads/writes an atomic, makes plain system
    // calls (open, pread, read, write, close) and `_exit`s.
    match unsafe { fork() }.context("fork() failed")? {
        ForkResult::Child => child_main(move || {
            drop(gate_w);
            send(&report_w, &[encode(page_info(x.addr()))]);
            let mut byte = [0u8; 1];
            let _ = nix::unistd::read(&gate_r, &mut byte); // the gate
            let saw = x.get();
            x.set(0);
            let page = encode(page_info(x.addr()));
            send(&report_w, &[saw as u64, x.addr() as u64, page]);
            0
        }),
        ForkResult::Parent { child } => {
            drop(gate_r);
            drop(report_w);
            // Wait (on a real event: the pipe) until the child has looked
            // at its page, so the parent's write below comes second.
            let child_after_fork = receive::<1>(&report_r, "its page after fork");
            x.set(parent_set);
            let parent_page_after_write = page_info(x.addr());
            let released = nix::unistd::write(&gate_w, b"g").context("opening the gate");
            drop(gate_w); // EOF also releases the child if the write failed
            let status = join(child)?;
            let [child_after_fork] = child_after_fork?;
            released?;
            let [saw, addr, child_page] = receive::<3>(&report_r, "what it saw")?;
            Ok(CowRun {
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
                child_page_after_write: decode(child_page),
            })
        }
    }
}
