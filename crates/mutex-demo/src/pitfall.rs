//! The pitfall: a file lock taken *before* `fork` is shared with the child.
//!
//! `flock` locks belong to the *open file description* — the kernel object
//! `open()` creates — not to the process or the fd number. `fork` copies
//! the fd table, so parent and child hold two fds pointing at ONE open file
//! description, and therefore at one and the same lock. Two consequences:
//!
//! * the child's `flock(LOCK_EX)` on the inherited fd succeeds at once, even
//!   while the parent "holds" the lock: it excludes nobody;
//! * the child's unlock (which is what dropping nix's `Flock` guard does)
//!   releases the *parent's* lock too.
//!
//! A separate `open()` makes a separate open file description, and those
//! really exclude each other — even within one process. Hence the rule:
//! each buyer opens the file itself, after `fork`.

use demo_kit::{Context, Result};
use nix::errno::Errno;
use nix::fcntl::{Flock, FlockArg};
use nix::unistd::{fork, ForkResult};
use std::fs::File;
use std::path::Path;
use std::time::Duration;

/// What each attempt to take the lock returned.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PitfallReport {
    /// A child that opened the file itself: `LOCK_EX|LOCK_NB` while the
    /// parent holds the lock. Expected: refused (EWOULDBLOCK).
    pub own_open_child_got_lock: bool,
    /// The parent, through a second `open()` of its own, before the
    /// inherited-fd child ran. Expected: refused.
    pub second_open_got_lock_before: bool,
    /// A child using the *inherited* fd: `LOCK_EX|LOCK_NB`. It succeeds.
    pub inherited_child_got_lock: bool,
    /// The parent's second `open()` again, after that child dropped its
    /// guard. It succeeds: the parent's lock is gone.
    pub second_open_got_lock_after: bool,
}

/// Child exit codes.
const GOT_LOCK: i32 = 0;
const REFUSED: i32 = 1;
const ERROR: i32 = 2;

/// Runs the experiment on `db` (any file will do).
pub fn run(db: &Path) -> Result<PitfallReport> {
    let file = File::options()
        .read(true)
        .write(true)
        .open(db)
        .context("opening db.json")?;
    let guard = Flock::lock(file, FlockArg::LockExclusive)
        .map_err(|(_, e)| e)
        .context("flock(LOCK_EX) in the parent")?;

    // 1. The right way: the child opens the file itself.
    let own_open_child_got_lock = in_child(|| {
        let Ok(mine) = File::options().read(true).write(true).open(db) else {
            return ERROR;
        };
        try_lock(mine)
    })?;

    // 2. A second open in the parent itself is refused too.
    let second_open_got_lock_before = try_lock(File::open(db).context("second open")?) == GOT_LOCK;

    // 3. The pitfall: the child uses the inherited descriptor (here: the
    //    child's copy of `guard`). Locking succeeds at once, and when the
    //    child drops its guard — as any Rust code does at the end of a
    //    scope — nix calls flock(LOCK_UN) on the shared open file description.
    flush();
    // SAFETY: the child only runs the closure, ending in `_exit`.
    let inherited_child_got_lock = match unsafe { fork() }.context("fork()")? {
        ForkResult::Child => demo_kit::child::child_main(move || {
            let code = match guard.relock(FlockArg::LockExclusiveNonblock) {
                Ok(()) => GOT_LOCK,
                Err(Errno::EWOULDBLOCK) => REFUSED,
                Err(_) => ERROR,
            };
            drop(guard); // flock(fd, LOCK_UN): the parent's lock too
            code
        }),
        ForkResult::Parent { child } => wait_code(child)? == GOT_LOCK,
    };

    // 4. Does the parent still hold its lock? Ask with a second open.
    let second_open_got_lock_after = try_lock(File::open(db).context("second open")?) == GOT_LOCK;
    drop(guard);
    Ok(PitfallReport {
        own_open_child_got_lock: own_open_child_got_lock == GOT_LOCK,
        second_open_got_lock_before,
        inherited_child_got_lock,
        second_open_got_lock_after,
    })
}

/// `flock(LOCK_EX | LOCK_NB)`: take the lock or be refused at once. A lock
/// obtained is released again when `file` is dropped (the fd is closed).
fn try_lock(file: File) -> i32 {
    match Flock::lock(file, FlockArg::LockExclusiveNonblock) {
        Ok(_got) => GOT_LOCK,
        Err((_, Errno::EWOULDBLOCK)) => REFUSED,
        Err(_) => ERROR,
    }
}

fn flush() {
    demo_kit::child::flush_before_fork();
}

/// Forks a child running `work` and returns its exit code.
fn in_child(work: impl FnOnce() -> i32) -> Result<i32> {
    flush();
    // SAFETY: the child only runs `work`, ending in `_exit`.
    match unsafe { fork() }.context("fork()")? {
        ForkResult::Child => demo_kit::child::child_main(work),
        ForkResult::Parent { child } => wait_code(child),
    }
}

fn wait_code(child: nix::unistd::Pid) -> Result<i32> {
    let status = crate::tickets::reap_all(&[child], Duration::from_secs(20))?;
    match status.first() {
        Some(nix::sys::wait::WaitStatus::Exited(_, code)) if *code != ERROR => Ok(*code),
        other => Err(demo_kit::Error::msg(format!(
            "the lock-testing child failed: {other:?}"
        ))),
    }
}
