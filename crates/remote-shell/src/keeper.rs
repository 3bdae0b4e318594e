//! The keeper: one small process per command that makes sure nothing the
//! command starts outlives it.
//!
//! A process group is not enough. `killpg` reaches every process in the
//! command's group, but a process can leave the group: `setsid sleep 1234 &`
//! starts a new *session* (and a new group), and a double-forking daemon
//! does the same, then its parent exits so it is re-parented to pid 1.
//! Nothing the server holds points at it any more.
//!
//! A **child subreaper** (`prctl(PR_SET_CHILD_SUBREAPER, 1)`, Linux 3.4+)
//! fixes the second half: when a process dies, its orphaned children are
//! re-parented to the nearest living ancestor that is a subreaper, not to
//! pid 1. So each command gets a keeper:
//!
//! ```text
//! server ── fork ──> keeper (subreaper, own group) ── fork ──> sh -c CMD (own group)
//!                        ^ every orphan below the shell lands here, whatever its session
//! ```
//!
//! The keeper waits until the shell exits or the server says stop (a byte
//! on the stop pipe, or the pipe's hang-up if the server died). Then it
//! `killpg`s the shell's group, and, in rounds, reads its own children from
//! `/proc/thread-self/children` and SIGKILLs each one; each death hands that
//! process's children to the keeper, the next round kills those, until
//! `waitpid(-1)` says `ECHILD`: nothing left. Then it writes the shell's
//! wait status on the status pipe and exits.
//!
//! This file is the server's side: prepare, `fork()`, stop, `waitpid`.
//! What the keeper process does is [`crate::subreaper`].

use crate::subreaper;
use nix::errno::Errno;
use nix::libc::c_char;
use std::ffi::CString;
use std::fs::File;
use std::io::{self, Read, Write};
use std::os::fd::AsRawFd;

/// A running command: its keeper and our ends of the pipes.
pub struct Keeper {
    /// The keeper: our child, reaped with `waitpid`.
    pub pid: i32,
    /// Our read ends of its stdout and stderr (taken by whoever reads them).
    pub stdout: Option<File>,
    pub stderr: Option<File>,
    /// Carries the shell's pid, then, at the very end, its wait status.
    status: File,
    /// One byte written here tells the keeper to kill everything.
    stop: File,
}

/// What the keeper reports once everything below it is reaped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Report {
    /// The shell's pid (also its process group id).
    pub shell: i32,
    /// The shell's raw wait status (`WIFEXITED`, `WTERMSIG`, ...).
    pub status: i32,
}

/// `fork()` a keeper that starts `sh -c CMD`. Returns at once: the shell's
/// pid comes with the keeper's report (waiting for it here would cost two
/// more context switches per command).
pub fn spawn(cmd: &[u8]) -> io::Result<Keeper> {
    let cmd = CString::new(cmd).map_err(|_| io::Error::other("the command contains a NUL byte"))?;
    let argv: [*const c_char; 4] = [
        c"/bin/sh".as_ptr(),
        c"-c".as_ptr(),
        cmd.as_ptr(),
        std::ptr::null(),
    ];
    let devnull = File::open("/dev/null")?;
    let (out_r, out_w) = nix::unistd::pipe2(nix::fcntl::OFlag::O_CLOEXEC)?;
    let (err_r, err_w) = nix::unistd::pipe2(nix::fcntl::OFlag::O_CLOEXEC)?;
    let (status_r, status_w) = nix::unistd::pipe2(nix::fcntl::OFlag::O_CLOEXEC)?;
    let (stop_r, stop_w) = nix::unistd::pipe2(nix::fcntl::OFlag::O_CLOEXEC)?;
    // In the keeper these become 0, 1, 2 (the shell's stdin/stdout/stderr),
    // 3 (status) and 4 (stop).
    let layout = [
        devnull.as_raw_fd(),
        out_w.as_raw_fd(),
        err_w.as_raw_fd(),
        status_w.as_raw_fd(),
        stop_r.as_raw_fd(),
    ];
    // SAFETY: the child runs only `keeper_main`, which makes
    // async-signal-safe system calls and never returns.
    let pid = match unsafe { nix::unistd::fork() }? {
        nix::unistd::ForkResult::Child => unsafe { subreaper::keeper_main(&layout, &argv) },
        nix::unistd::ForkResult::Parent { child } => child.as_raw(),
    };
    // Only the keeper and the shell may hold the write ends, or the pipes
    // would never reach end-of-file.
    drop((out_w, err_w, status_w, stop_r, devnull));
    Ok(Keeper {
        pid,
        stdout: Some(File::from(out_r)),
        stderr: Some(File::from(err_r)),
        status: File::from(status_r),
        stop: File::from(stop_w),
    })
}

impl Keeper {
    /// Tell the keeper to kill the command and everything it started now.
    pub fn stop(&self) {
        let _ = (&self.stop).write(b"k");
    }

    /// A second handle on the stop pipe (the server's registry keeps one).
    pub fn stop_handle(&self) -> io::Result<File> {
        self.stop.try_clone()
    }

    /// `waitpid` the keeper, then read its report. The keeper exits only
    /// when nothing below it is left. An error means the shell never started.
    pub fn reap(mut self) -> io::Result<Report> {
        let pid = nix::unistd::Pid::from_raw(self.pid);
        loop {
            match nix::sys::wait::waitpid(pid, None) {
                Err(Errno::EINTR) => continue,
                Err(e) => return Err(e.into()),
                Ok(_) => break,
            }
        }
        match (read_i32(&mut self.status), read_i32(&mut self.status)) {
            (Some(shell), Some(status)) if shell > 0 => Ok(Report { shell, status }),
            (Some(errno), _) if errno < 0 => Err(io::Error::from_raw_os_error(-errno)),
            _ => Err(io::Error::other("the keeper could not start the shell")),
        }
    }
}

fn read_i32(r: &mut File) -> Option<i32> {
    let mut b = [0u8; 4];
    r.read_exact(&mut b).ok().map(|()| i32::from_ne_bytes(b))
}
