// Exercise `isolation` — lesson 10, memory isolation (进程间的内存空间是彼此隔离的):
// docs/10-memory-isolation.md
//
// The course sets `x = 100`, starts a child that does `global x; x = 0`,
// and prints x in the parent. Here `X` is even an atomic global: every
// THREAD of a process shares it. What about a child PROCESS?
//
// 1. Predict first: write your answer in `prediction` (what the parent
//    reads from X after the child stored 0 into it and ended).
// 2. Then write `experiment`: set X to 100; fork; the child stores 0 in X
//    and reports the value IT reads back through a pipe (write its 4 bytes,
//    `to_le_bytes`); the parent waits for the child, reads the report, and
//    returns (what the child saw, what the parent sees now).
// The tests check your prediction against the kernel's answer.

use nix::sys::wait::waitpid;
use nix::unistd::{fork, pipe, ForkResult};
use std::fs::File;
use std::io::{Read, Write};
use std::sync::atomic::{AtomicI32, Ordering};

static X: AtomicI32 = AtomicI32::new(100);

/// Your prediction: the value of X in the parent after the child set it to 0.
fn prediction() -> i32 {
    100
}

/// Returns (X as the child sees it after storing 0, X as the parent sees it after).
fn experiment() -> nix::Result<(i32, i32)> {
    X.store(100, Ordering::SeqCst);
    let (read_end, write_end) = pipe()?;
    exercises::flush_before_fork();
    // SAFETY: the child only runs `child_main`, which `_exit`s.
    match unsafe { fork() }? {
        ForkResult::Child => exercises::child_main(|| {
            drop(read_end);
            X.store(0, Ordering::SeqCst);
            let seen = X.load(Ordering::SeqCst);
            let mut report = File::from(write_end);
            match report.write_all(&seen.to_le_bytes()) {
                Ok(()) => 0,
                Err(_) => 1,
            }
        }),
        ForkResult::Parent { child } => {
            drop(write_end);
            waitpid(child, None)?;
            let mut report = [0u8; 4];
            File::from(read_end)
                .read_exact(&mut report)
                .map_err(|_| nix::Error::EIO)?;
            Ok((i32::from_le_bytes(report), X.load(Ordering::SeqCst)))
        }
    }
}

// The tests are the exercise's own, kept once: see exercises/10_memory_isolation/isolation.rs.
// (`cargo run -p course -- verify` runs them against this solution.)
