//! Shared memory: one anonymous `MAP_SHARED` mapping next to a `MAP_PRIVATE`
//! one, and what `fork()` does with each.
//!
//! The course showed 进程间的内存空间是彼此隔离的 (processes' memory is
//! isolated): after `fork()` the child has a *copy* of the parent's memory
//! (copy-on-write: the kernel copies a page the moment either side writes
//! it). That is what `MAP_PRIVATE` means, and ordinary heap and stack memory
//! behave that way. A mapping made with `MAP_SHARED` *before* the fork is the
//! exception: parent and children then map the *same physical page*, and a
//! write by one is seen by all. This is what Python's
//! `multiprocessing.Value('i', 0)` is underneath (a `MAP_SHARED` `mmap` of an
//! unlinked file in `/dev/shm`, so that `spawn`ed children can map it too),
//! plus a lock; here the lock is replaced by an atomic instruction
//! (`fetch_add`), which works across processes because it acts on the
//! shared physical memory.

use crate::CHILD_TIMEOUT;
use demo_kit::child::{exit_code, fork_child, keep_only_fds, reap_or_kill};
use demo_kit::say::say;
use demo_kit::{tr, Context, Result, Side};
use nix::sys::mman::{mmap_anonymous, munmap, MapFlags, ProtFlags};
use std::ffi::c_void;
use std::num::NonZeroUsize;
use std::ptr::NonNull;
use std::sync::atomic::{AtomicU64, Ordering};

/// One anonymous page holding a counter, unmapped on drop.
pub struct Mapping {
    ptr: NonNull<c_void>,
    len: usize,
}

impl Mapping {
    /// `mmap(NULL, 4096, PROT_READ|PROT_WRITE, MAP_ANONYMOUS|flags, -1, 0)`.
    pub fn new(flags: MapFlags) -> Result<Mapping> {
        let len = NonZeroUsize::new(4096).context("page size")?;
        // SAFETY: a fresh anonymous mapping aliases nothing; it is zeroed
        // by the kernel, which is a valid AtomicU64 (0).
        let ptr = unsafe {
            mmap_anonymous(
                None,
                len,
                ProtFlags::PROT_READ | ProtFlags::PROT_WRITE,
                flags,
            )
        }
        .context(tr!("mmap of an anonymous page", "mmap 一个匿名页"))?;
        Ok(Mapping {
            ptr,
            len: len.get(),
        })
    }

    /// The counter at the start of the page.
    pub fn counter(&self) -> &AtomicU64 {
        // SAFETY: the page is mapped, writable, page-aligned (so aligned for
        // u64) and lives as long as `self`; all access goes through atomics.
        unsafe { &*(self.ptr.as_ptr() as *const AtomicU64) }
    }
}

impl Drop for Mapping {
    fn drop(&mut self) {
        // SAFETY: `ptr`/`len` are exactly what mmap returned; no reference
        // from `counter()` outlives `self`.
        let _ = unsafe { munmap(self.ptr, self.len) };
    }
}

/// What the parent saw after all children finished.
#[derive(Debug)]
pub struct ShmRun {
    pub children: Vec<i32>,
    pub increments_each: u64,
    /// The parent's view of the `MAP_SHARED` counter: children x increments.
    pub shared: u64,
    /// The parent's view of the `MAP_PRIVATE` counter: still 0.
    pub private: u64,
    /// The parent's view of an ordinary heap variable: still 0.
    pub heap: u64,
    /// How many children saw their *own* private counter reach exactly
    /// `increments_each` (each child has its own copy-on-write copy).
    pub children_with_own_copy: usize,
}

/// Forks `children` processes; each adds `increments_each` to all three
/// counters. Exit code 0 means the child's private view was exactly its own
/// increments.
pub fn run(children: usize, increments_each: u64) -> Result<ShmRun> {
    say(
        Side::Parent,
        tr!(
            "mmap one MAP_SHARED page and one MAP_PRIVATE page (both anonymous), then fork",
            "mmap 一个 MAP_SHARED 页和一个 MAP_PRIVATE 页（都是匿名的），然后 fork"
        ),
    );
    say(Side::Parent, tr!("{children} children each add 1 to both counters (and to a heap variable) {increments_each} times", "{children} 个子进程各自把两个计数器（还有一个堆上的变量）加 1，各加 {increments_each} 次"));
    let shared = Mapping::new(MapFlags::MAP_SHARED)?;
    let private = Mapping::new(MapFlags::MAP_PRIVATE)?;
    let heap = Box::new(AtomicU64::new(0));

    let mut pids = Vec::new();
    for _ in 0..children {
        let pid = fork_child(|| {
            keep_only_fds(&[]);
            for _ in 0..increments_each {
                shared.counter().fetch_add(1, Ordering::SeqCst);
                private.counter().fetch_add(1, Ordering::SeqCst);
                heap.fetch_add(1, Ordering::SeqCst);
            }
            let own = private.counter().load(Ordering::SeqCst) == increments_each
                && heap.load(Ordering::SeqCst) == increments_each;
            if own {
                0
            } else {
                3
            }
        });
        match pid {
            Ok(pid) => pids.push(pid),
            Err(e) => {
                for pid in pids {
                    let _ = reap_or_kill(pid, CHILD_TIMEOUT);
                }
                return Err(e);
            }
        }
    }
    let mut children_with_own_copy = 0;
    for &pid in &pids {
        if exit_code(reap_or_kill(pid, CHILD_TIMEOUT)?) == Some(0) {
            children_with_own_copy += 1;
        }
    }
    let pids: Vec<i32> = pids.iter().map(|p| p.as_raw()).collect();
    say(
        Side::Parent,
        tr!("reaped children {pids:?}", "已回收子进程 {pids:?}"),
    );
    let report = ShmRun {
        children: pids,
        increments_each,
        shared: shared.counter().load(Ordering::SeqCst),
        private: private.counter().load(Ordering::SeqCst),
        heap: heap.load(Ordering::SeqCst),
        children_with_own_copy,
    };
    tell(&report, children);
    Ok(report)
}

/// What the parent reads in its three counters, and what each means.
fn tell(r: &ShmRun, children: usize) {
    let increments = r.increments_each;
    let all = children as u64 * increments;
    let shared_why = if r.shared == all {
        tr!(
            "= {children} x {increments}: one physical page for all",
            "= {children} x {increments}：大家共用同一个物理页"
        )
    } else {
        tr!("expected {all}!", "应为 {all}！")
    };
    say(
        Side::Kernel,
        tr!(
            "MAP_SHARED  counter in the parent: {} ({shared_why})",
            "父进程里的 MAP_SHARED  计数器：{}（{shared_why}）",
            r.shared
        ),
    );
    let private_why = if r.private == 0 {
        tr!(
            "each child wrote to its own copy-on-write copy",
            "每个子进程写的都是自己那份写时复制的副本"
        )
    } else {
        tr!("expected 0!", "应为 0！")
    };
    say(
        Side::Kernel,
        tr!(
            "MAP_PRIVATE counter in the parent: {} ({private_why})",
            "父进程里的 MAP_PRIVATE 计数器：{}（{private_why}）",
            r.private
        ),
    );
    let heap_why = if r.heap == 0 {
        tr!(
            "ordinary memory is private too: the course's x = 100",
            "普通内存也是私有的：就像课程里的 x = 100"
        )
    } else {
        tr!("expected 0!", "应为 0！")
    };
    say(
        Side::Kernel,
        tr!(
            "heap variable in the parent:       {} ({heap_why})",
            "父进程里的堆变量：           {}（{heap_why}）",
            r.heap
        ),
    );
    say(Side::Note, tr!("{} of {children} children saw exactly their own {increments} increments in their private copy", "{children} 个子进程中有 {} 个在自己的私有副本里恰好看到了自己那 {increments} 次累加", r.children_with_own_copy));
}
