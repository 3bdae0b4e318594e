//! Parent and child tell each other "I am ready", "are you alive?", "you may
//! exit" with single bytes through pipes — real events, never sleeps.
//!
//! After `fork` both processes hold both ends of every pipe; the parent
//! closes the child's ends, so a child that dies early shows up as EOF. But in
//! a test binary, children of *other* tests forked at the same moment may hold
//! copies too, and a stray copy of a write end delays the EOF. So the protocol
//! never relies on EOF — it is made of bytes — and the parent never waits
//! longer than [`TIMEOUT`].

use crate::process::TIMEOUT;
use demo_kit::{tr, Context, Error, Result};
use std::os::fd::{AsFd, OwnedFd};

/// A pipe: `read` and `write` ends.
pub struct Pipe {
    pub read: OwnedFd,
    pub write: OwnedFd,
}

/// `pipe()`.
pub fn pipe() -> Result<Pipe> {
    let (read, write) = nix::unistd::pipe().with_context(|| {
        tr!(
            "pipe() failed (too many open files?)",
            "pipe() 失败（打开的文件太多了？）"
        )
    })?;
    Ok(Pipe { read, write })
}

/// Writes all of `bytes` (a pipe write this small is atomic).
pub fn send(fd: impl AsFd, bytes: &[u8]) -> Result<()> {
    let n =
        nix::unistd::write(fd, bytes).with_context(|| tr!("writing to the pipe", "写管道失败"))?;
    if n != bytes.len() {
        return Err(Error::msg(tr!(
            "short pipe write: {n} of {}",
            "管道只写进了 {n} 个字节，应写 {}",
            bytes.len()
        )));
    }
    Ok(())
}

/// Reads exactly `n` bytes, waiting at most [`TIMEOUT`] (`poll()` under
/// `demo_kit::report`) — never blocking forever on a child that died or hung.
pub fn recv(fd: impl AsFd, n: usize, what: &str) -> Result<Vec<u8>> {
    demo_kit::report::recv_exact(fd, n, TIMEOUT, what)
}

/// Decodes `i32`s sent with `i32::to_ne_bytes` (both ends are the same
/// machine, so native byte order is right).
pub fn i32s(bytes: &[u8]) -> Vec<i32> {
    bytes
        .chunks_exact(4)
        .map(|c| i32::from_ne_bytes([c[0], c[1], c[2], c[3]]))
        .collect()
}

/// In a child: reads one byte, retrying `EINTR`; `None` on EOF or error.
pub fn child_read_byte(fd: impl AsFd) -> Option<u8> {
    let mut b = [0u8; 1];
    loop {
        match nix::unistd::read(fd.as_fd(), &mut b) {
            Ok(1) => return Some(b[0]),
            Err(nix::errno::Errno::EINTR) => continue,
            _ => return None,
        }
    }
}
