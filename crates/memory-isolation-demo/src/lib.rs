//! `memory-isolation-demo`: 进程间的内存空间是彼此隔离的 — the memory of
//! two processes is isolated; the memory of two threads is not.
//!
//! * [`X`]: the course's global `x = 100`.
//! * [`isolation`]: a child sets `x = 0` and the parent still sees 100
//!   after `join` (`waitpid`); a thread sets `x = 0` and the parent sees 0.
//! * [`cow`]: copy-on-write — after `fork` the child sees the value `x` had
//!   at fork time, at the very same virtual address, while the parent
//!   changes its own copy; `/proc/self/pagemap` shows the shared page being
//!   split in two.
//!
//! A forked child must not `println!` (see `demo_kit::child`), so children
//! here report what they saw through a pipe as raw numbers, and the parent
//! narrates after `join`.
#![cfg(unix)]

pub mod cow;
pub mod isolation;
pub mod pagemap;

use demo_kit::child::write_fd;
use demo_kit::{bail_msg, Context, Result};
use nix::sys::wait::{waitpid, WaitStatus};
use nix::unistd::Pid;
use std::os::fd::{AsRawFd, OwnedFd};
use std::sync::atomic::{AtomicI32, Ordering};

/// The course's `x = 100`.
///
/// Rust does not allow an unsynchronised mutable global (`static mut` is
/// `unsafe` to touch), because two threads could race on it. An
/// `AtomicI32` is the safe global integer; with `Relaxed` ordering a load or
/// store is an ordinary `mov` instruction. It is page-aligned so that it is
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

/// The child's end of a report pipe: sends `u64` words with raw `write(2)`.
pub fn send(fd: &OwnedFd, words: &[u64]) {
    let bytes: Vec<u8> = words.iter().flat_map(|w| w.to_ne_bytes()).collect();
    write_fd(fd.as_raw_fd(), &bytes);
}

/// The parent's end: reads exactly `N` words, or fails on EOF (the child
/// died before reporting).
pub fn receive<const N: usize>(fd: &OwnedFd, what: &str) -> Result<[u64; N]> {
    let mut buf = vec![0u8; N * 8];
    let mut got = 0;
    while got < buf.len() {
        match nix::unistd::read(fd, &mut buf[got..]) {
            Ok(0) => return bail_msg(format!("the child ended before reporting {what}")),
            Ok(n) => got += n,
            Err(nix::errno::Errno::EINTR) => {}
            Err(e) => return Err(e).with_context(|| format!("reading {what} from the child")),
        }
    }
    let mut words = [0u64; N];
    for (w, chunk) in words.iter_mut().zip(buf.chunks_exact(8)) {
        *w = u64::from_ne_bytes(chunk.try_into().unwrap_or([0; 8]));
    }
    Ok(words)
}

/// `p.join()`: `waitpid(pid, 0)`, retried on `EINTR`.
pub fn join(pid: Pid) -> Result<WaitStatus> {
    loop {
        match waitpid(pid, None) {
            Err(nix::errno::Errno::EINTR) => continue,
            other => return other.with_context(|| format!("waitpid({pid}) failed")),
        }
    }
}

/// `waitpid(-1, WNOHANG)` fails with `ECHILD` only when no child at all is
/// left, reaped or not: shared with the other process lessons.
pub use demo_kit::child::no_child_left;
