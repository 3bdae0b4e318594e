//! `memory-isolation-demo`: 进程间的内存空间是彼此隔离的 — the memory of
//! two processes is isolated; the memory of two threads is not.
//!
//! * [`X`]: the course's global `x = 100`.
//! * [`isolation`]: a child sets `x = 0` and the parent still sees 100
//!   after `join` (`waitpid`); a thread sets `x = 0` and the parent sees 0.
//! * [`cow`]: copy-on-write — after `fork` the child sees the value `x` had
//!   at fork time, at the very same virtual address, while the parent
//!   changes its own copy; `/proc/self/pagemap` ([`pagemap`]) shows the
//!   shared page being split in two.
//!
//! Each scenario narrates its calls as they return. A forked child must not
//! `println!` (see `demo_kit::child`), so children here report what they
//! saw through a pipe as raw numbers (`demo_kit::report`), and the parent
//! narrates for them.

pub mod cow;
pub mod isolation;
pub mod pagemap;

use std::sync::atomic::{AtomicI32, Ordering};
use std::time::Duration;

/// The course's `x = 100`.
///
/// Rust does not allow an unsynchronised mutable global (`static mut` is
/// `unsafe` to touch), because two threads could race on it. An
/// `AtomicI32` is the safe global integer; with `Relaxed` ordering a load or
/// store is an ordinary `mov` instruction on x86-64 (a plain `ldr`/`str` on
/// aarch64). It is page-aligned so that it is
/// alone on its memory page, which lets the copy-on-write step watch that
/// one page.
#[repr(C, align(4096))]
pub struct Global(AtomicI32);

pub static X: Global = Global(AtomicI32::new(100));

impl Global {
    pub fn get(&self) -> i32 {
        self.0.load(Ordering::Relaxed)
    }
    pub fn set(&self, value: i32) {
        self.0.store(value, Ordering::Relaxed)
    }
    /// The variable's *virtual* address in the calling process.
    pub fn addr(&self) -> usize {
        &self.0 as *const AtomicI32 as usize
    }
}

/// How long the parent waits for a child's report. The children report in
/// microseconds; the margin is for loaded CI machines.
pub const REPORT_WITHIN: Duration = Duration::from_secs(20);
