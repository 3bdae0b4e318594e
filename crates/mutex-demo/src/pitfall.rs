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

use demo_kit::child::{exit_code, fork_child, reap_or_kill};
use demo_kit::say::say;
use demo_kit::{tr, Context, Result, Side};
use nix::errno::Errno;
use nix::fcntl::{Flock, FlockArg};
use nix::unistd::{fork, ForkResult, Pid};
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
        .context(tr!("opening db.json", "打开 db.json"))?;
    let guard = Flock::lock(file, FlockArg::LockExclusive)
        .map_err(|(_, e)| e)
        .context(tr!(
            "flock(LOCK_EX) in the parent",
            "父进程里 flock(LOCK_EX)"
        ))?;
    say(
        Side::Parent,
        tr!(
            "holding flock(LOCK_EX) on db.json",
            "持有 db.json 上的 flock(LOCK_EX)"
        ),
    );

    // 1. The right way: the child opens the file itself.
    let own_open = fork_child(|| {
        let Ok(mine) = File::options().read(true).write(true).open(db) else {
            return ERROR;
        };
        try_lock(mine)
    })?;
    let own_open_child_got_lock = exit_code_of(own_open)? == GOT_LOCK;
    say(
        Side::Child,
        tr!(
            "child with its OWN open(): LOCK_EX|LOCK_NB -> {}",
            "子进程用它*自己*的 open()：LOCK_EX|LOCK_NB -> {}",
            verdict(own_open_child_got_lock)
        ),
    );

    // 2. A second open in the parent itself is refused too.
    let second_open_got_lock_before =
        try_lock(File::open(db).context(tr!("second open", "第二次 open"))?) == GOT_LOCK;
    say(
        Side::Parent,
        tr!(
            "second open() in the parent: LOCK_EX|LOCK_NB -> {}",
            "父进程里第二次 open()：LOCK_EX|LOCK_NB -> {}",
            verdict(second_open_got_lock_before)
        ),
    );

    // 3. The pitfall: the child uses the inherited descriptor (here: the
    //    child's copy of `guard`). Locking succeeds at once, and when the
    //    child drops its guard — as any Rust code does at the end of a
    //    scope — nix calls flock(LOCK_UN) on the shared open file description.
    demo_kit::child::flush_before_fork();
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
        ForkResult::Parent { child } => exit_code_of(child)? == GOT_LOCK,
    };
    say(Side::Child, tr!("child with the INHERITED fd: LOCK_EX|LOCK_NB -> {}; then it drops its guard (flock LOCK_UN)", "子进程用*继承来的* fd：LOCK_EX|LOCK_NB -> {}；然后它丢掉自己的 guard（flock LOCK_UN）", verdict(inherited_child_got_lock)));

    // 4. Does the parent still hold its lock? Ask with a second open.
    let second_open_got_lock_after =
        try_lock(File::open(db).context(tr!("second open", "第二次 open"))?) == GOT_LOCK;
    say(
        Side::Parent,
        tr!(
            "second open() in the parent again: LOCK_EX|LOCK_NB -> {}",
            "父进程里再第二次 open()：LOCK_EX|LOCK_NB -> {}",
            verdict(second_open_got_lock_after)
        ),
    );
    if second_open_got_lock_after {
        say(Side::Note, tr!("the parent still has its guard, but the lock is gone: the child's unlock released it. One open() = one lock, shared by every fd copied from it", "父进程的 guard 还在，锁却没了：子进程的解锁把它释放了。一次 open() = 一把锁，从它复制出来的每个 fd 共用这把锁"));
    }
    drop(guard);
    Ok(PitfallReport {
        own_open_child_got_lock,
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

/// Reaps a lock-testing child (bounded) and returns its exit code.
fn exit_code_of(child: Pid) -> Result<i32> {
    match exit_code(reap_or_kill(child, Duration::from_secs(20))?) {
        Some(code) if code == GOT_LOCK || code == REFUSED => Ok(code),
        other => demo_kit::bail_msg(tr!(
            "the lock-testing child failed: exit code {other:?}",
            "测试锁的子进程失败了：退出码 {other:?}"
        )),
    }
}

fn verdict(got: bool) -> String {
    if got {
        tr!("GOT the lock", "拿到了锁")
    } else {
        tr!("refused (EWOULDBLOCK)", "被拒绝（EWOULDBLOCK）")
    }
}
