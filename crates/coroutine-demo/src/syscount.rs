//! Counting the system calls a piece of code makes, the way `strace -c`
//! does: run it in a child that `ptrace` stops at every system call
//! (ptrace(2), `PTRACE_SYSCALL`), and read the call's number from the
//! child's saved registers (`orig_rax` on x86_64).
//!
//! This is how [`crate::switch`] shows which switches enter the kernel: a
//! `swapcontext` makes one `rt_sigprocmask` call, a future's switch none.

use demo_kit::child::{fork_child, reap_or_kill};
use nix::libc::{self, c_void};
use nix::sys::wait::{waitpid, WaitStatus};
use nix::unistd::Pid;
use std::collections::BTreeMap;
use std::io;
use std::time::{Duration, Instant};

/// The marker before and after the code counted: a call it does not make.
const MARKER: i64 = libc::SYS_getppid;
/// ptrace's pointer arguments are pointer-sized, also when they are unused.
const NULL: *mut c_void = std::ptr::null_mut();
/// Exit status of a child that may not be traced here.
const NO_PTRACE: i32 = 77;

/// The system calls `work` made, by number; `None` if this machine does
/// not allow `ptrace` (a container's seccomp policy, Yama's ptrace_scope 3).
pub fn count(work: impl FnOnce()) -> io::Result<Option<BTreeMap<i64, u64>>> {
    let pid = fork_child(|| {
        // SAFETY: async-signal-safe calls in the child (demo_kit::child's rules).
        unsafe {
            if libc::ptrace(libc::PTRACE_TRACEME, 0, NULL, NULL) != 0 {
                return NO_PTRACE;
            }
            libc::raise(libc::SIGSTOP);
            libc::getppid();
        }
        work();
        // SAFETY: as above.
        unsafe { libc::getppid() };
        0
    })
    .map_err(|e| io::Error::other(e.to_string()))?;
    match waitpid(pid, None)? {
        WaitStatus::Stopped(_, _) => {}
        WaitStatus::Exited(_, NO_PTRACE) => return Ok(None),
        other => return Err(io::Error::other(format!("traced child: {other:?}"))),
    }
    // `trace` returns once the child has exited (and was reaped).
    trace(pid).map(Some).inspect_err(|_| {
        let _ = nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGKILL);
        let _ = reap_or_kill(pid, Duration::from_secs(10));
    })
}

fn trace(pid: Pid) -> io::Result<BTreeMap<i64, u64>> {
    let raw = pid.as_raw();
    let opts = libc::PTRACE_O_TRACESYSGOOD | libc::PTRACE_O_EXITKILL;
    // SAFETY: ptrace on our own stopped child.
    if unsafe {
        libc::ptrace(
            libc::PTRACE_SETOPTIONS,
            raw,
            NULL,
            opts as usize as *mut c_void,
        )
    } != 0
    {
        return Err(io::Error::last_os_error());
    }
    let (mut counts, mut entering, mut markers) = (BTreeMap::new(), true, 0);
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        // SAFETY: as above: resume until the next system call entry or exit.
        if unsafe { libc::ptrace(libc::PTRACE_SYSCALL, raw, NULL, NULL) } != 0 {
            return Err(io::Error::last_os_error());
        }
        match waitpid(pid, None)? {
            WaitStatus::PtraceSyscall(_) => {}
            WaitStatus::Exited(_, 0) if markers >= 2 => return Ok(counts),
            WaitStatus::Stopped(_, _) => continue, // a signal: not a system call
            other => return Err(io::Error::other(format!("traced child: {other:?}"))),
        }
        if Instant::now() > deadline {
            return Err(io::Error::other("the traced child ran for over 20 s"));
        }
        if entering {
            let offset = 8 * libc::ORIG_RAX as usize;
            // SAFETY: reads one word of the stopped child's saved registers.
            let nr =
                unsafe { libc::ptrace(libc::PTRACE_PEEKUSER, raw, offset as *mut c_void, NULL) };
            if nr == MARKER {
                markers += 1;
            } else if markers == 1 {
                *counts.entry(nr).or_insert(0) += 1;
            }
        }
        entering = !entering;
    }
}

/// The name of a system call number we expect to see (x86_64).
pub fn name(nr: i64) -> String {
    match nr {
        libc::SYS_read => "read".into(),
        libc::SYS_write => "write".into(),
        libc::SYS_rt_sigprocmask => "rt_sigprocmask".into(),
        libc::SYS_epoll_wait => "epoll_wait".into(),
        libc::SYS_mmap => "mmap".into(),
        libc::SYS_munmap => "munmap".into(),
        libc::SYS_mprotect => "mprotect".into(),
        libc::SYS_futex => "futex".into(),
        n => format!("#{n}"),
    }
}

#[cfg(test)]
mod tests {
    //! The counter against work whose system calls are known: each
    //! `libc::syscall` is one call, whatever it answers.
    use super::*;

    #[test]
    fn count_sees_exactly_the_calls_made_between_the_markers() {
        let counted = count(|| {
            // SAFETY: getpid cannot fail; write(-1) fails with EBADF.
            unsafe {
                for _ in 0..3 {
                    libc::syscall(libc::SYS_getpid);
                }
                for _ in 0..2 {
                    libc::syscall(libc::SYS_write, -1, NULL, 0);
                }
            }
        })
        .unwrap();
        let Some(counted) = counted else {
            demo_kit::testing::skip("ptrace is not allowed here: system calls not counted");
            return;
        };
        let expected = BTreeMap::from([(libc::SYS_write, 2), (libc::SYS_getpid, 3)]);
        assert_eq!(counted, expected);
        // Work that makes no call counts none.
        assert_eq!(count(|| ()).unwrap(), Some(BTreeMap::new()));
    }

    #[test]
    fn the_calls_a_switch_may_make_have_their_names() {
        for (nr, name_of) in [
            (libc::SYS_read, "read"),
            (libc::SYS_write, "write"),
            (libc::SYS_rt_sigprocmask, "rt_sigprocmask"),
            (libc::SYS_epoll_wait, "epoll_wait"),
            (libc::SYS_mmap, "mmap"),
            (libc::SYS_munmap, "munmap"),
            (libc::SYS_mprotect, "mprotect"),
            (libc::SYS_futex, "futex"),
        ] {
            assert_eq!(name(nr), name_of);
        }
        assert_eq!(name(libc::SYS_getpid), format!("#{}", libc::SYS_getpid));
    }
}
