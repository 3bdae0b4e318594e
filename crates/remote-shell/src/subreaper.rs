//! The keeper process itself: it becomes a child subreaper, starts the
//! shell, waits for the shell's exit or the server's word, then sweeps:
//! kills and reaps everything left below it (see [`crate::keeper`]).
//!
//! The keeper is forked from a server with many threads, so until it exits
//! it may only make async-signal-safe calls: no allocation, no locks, no
//! `println!`. Everything it needs (the pipes, `argv`) was prepared before
//! `fork()`, and everything here is a system call on stack memory.

use nix::errno::Errno;
use nix::libc::{self, c_char, c_int};
use std::os::fd::RawFd;

/// The keeper's whole life. Async-signal-safe calls only.
pub(crate) unsafe fn keeper_main(layout: &[RawFd; 5], argv: &[*const c_char; 4]) -> ! {
    // Its own process group, so a Ctrl-C at the server's terminal (sent to
    // the terminal's foreground group) does not kill it before it cleans up.
    libc::setpgid(0, 0);
    // The server's signal handlers are not the keeper's; SIGPIPE ignored so
    // a vanished server cannot stop the clean-up half-way.
    for sig in 1..32 {
        libc::signal(sig, libc::SIG_DFL);
    }
    libc::signal(libc::SIGPIPE, libc::SIG_IGN);
    let mut none: libc::sigset_t = std::mem::zeroed();
    libc::sigemptyset(&mut none);
    libc::pthread_sigmask(libc::SIG_SETMASK, &none, std::ptr::null_mut());

    // Descriptors: ours at 0..=4, every other one the server had (sockets
    // of other clients, the listener) closed, or they would stay open as
    // long as this command runs.
    let mut high = [0; 5];
    for (h, &fd) in high.iter_mut().zip(layout) {
        *h = libc::fcntl(fd, libc::F_DUPFD_CLOEXEC, 16);
        if *h < 0 {
            libc::_exit(126);
        }
    }
    for (target, &h) in high.iter().enumerate() {
        libc::dup2(h, target as c_int); // dup2 clears close-on-exec
    }
    libc::fcntl(3, libc::F_SETFD, libc::FD_CLOEXEC); // status: not for the shell
    libc::fcntl(4, libc::F_SETFD, libc::FD_CLOEXEC); // stop: not for the shell
    close_from(5);

    libc::prctl(libc::PR_SET_NAME, c"keeper".as_ptr()); // what `ps` shows
    libc::prctl(libc::PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
    let shell = spawn_shell(argv);
    // Only the shell (and what it starts) holds stdout/stderr now.
    libc::close(0);
    libc::close(1);
    libc::close(2);
    write_i32(
        3,
        if shell > 0 {
            shell
        } else {
            -(Errno::last() as i32)
        },
    );
    if shell < 0 {
        libc::_exit(1);
    }

    wait_for_shell_or_stop(shell);
    // The shell is not reaped yet, so its pid (= its group id) is still
    // ours: this cannot hit anybody else's group.
    libc::kill(-shell, libc::SIGKILL);
    libc::kill(shell, libc::SIGKILL);
    let status = kill_and_reap_everything(shell);
    write_i32(3, status);
    libc::_exit(0);
}

/// `posix_spawn` the shell: glibc does it with `clone(CLONE_VM|CLONE_VFORK)`
/// and `execve`, a `fork()` without copying the keeper's page tables (the
/// keeper is a copy of the whole server: a second full `fork` would make
/// every command 0.2-0.5 ms slower). The shell leads a new process group,
/// with SIGPIPE back to its default (Rust programs ignore it). Returns the
/// shell's pid, or -1 with errno set.
unsafe fn spawn_shell(argv: &[*const c_char; 4]) -> c_int {
    extern "C" {
        static environ: *const *mut c_char;
    }
    let mut attr: libc::posix_spawnattr_t = std::mem::zeroed();
    libc::posix_spawnattr_init(&mut attr);
    let flags =
        libc::POSIX_SPAWN_SETPGROUP | libc::POSIX_SPAWN_SETSIGDEF | libc::POSIX_SPAWN_SETSIGMASK;
    libc::posix_spawnattr_setflags(&mut attr, flags as libc::c_short);
    libc::posix_spawnattr_setpgroup(&mut attr, 0); // setpgid(0, 0) in the child
    let mut sigpipe: libc::sigset_t = std::mem::zeroed();
    libc::sigemptyset(&mut sigpipe);
    libc::sigaddset(&mut sigpipe, libc::SIGPIPE);
    libc::posix_spawnattr_setsigdefault(&mut attr, &sigpipe);
    let mut none: libc::sigset_t = std::mem::zeroed();
    libc::sigemptyset(&mut none);
    libc::posix_spawnattr_setsigmask(&mut attr, &none);
    let mut pid: libc::pid_t = 0;
    let rc = libc::posix_spawn(
        &mut pid,
        argv[0],
        std::ptr::null(),
        &attr,
        argv.as_ptr() as *const *mut c_char,
        environ,
    );
    if rc != 0 {
        Errno::set_raw(rc);
        return -1;
    }
    pid
}

/// Block until the shell has exited (left unreaped) or the stop pipe is
/// readable: a byte, or hang-up because every copy of its write end closed.
unsafe fn wait_for_shell_or_stop(shell: c_int) {
    let pidfd = libc::syscall(libc::SYS_pidfd_open, shell, 0) as c_int; // Linux 5.3+
    loop {
        let mut fds = [
            libc::pollfd {
                fd: pidfd,
                events: libc::POLLIN,
                revents: 0,
            },
            libc::pollfd {
                fd: 4,
                events: libc::POLLIN,
                revents: 0,
            },
        ];
        // Without a pidfd, look at the shell every 10 ms instead.
        let wait = if pidfd < 0 { 10 } else { -1 };
        libc::poll(fds.as_mut_ptr(), 2, wait);
        if fds[1].revents != 0 || fds[0].revents != 0 {
            return;
        }
        let mut info: libc::siginfo_t = std::mem::zeroed();
        let flags = libc::WEXITED | libc::WNOHANG | libc::WNOWAIT;
        if pidfd < 0
            && libc::waitid(libc::P_PID, shell as u32, &mut info, flags) == 0
            && info.si_pid() != 0
        {
            return;
        }
    }
}

/// Rounds of: reap whatever has died; if no child is left, done; else
/// SIGKILL every child listed in /proc and look again 1 ms later.
/// Returns the shell's raw wait status.
unsafe fn kill_and_reap_everything(shell: c_int) -> c_int {
    let mut shell_status = libc::SIGKILL; // as if killed, should we miss it
    loop {
        loop {
            let mut st = 0;
            let pid = libc::waitpid(-1, &mut st, libc::WNOHANG);
            if pid == shell {
                shell_status = st;
            }
            if pid > 0 {
                continue;
            }
            if pid < 0 && Errno::last() == Errno::ECHILD {
                return shell_status; // no child, dead or alive, is left
            }
            if pid < 0 && Errno::last() == Errno::EINTR {
                continue;
            }
            break; // children left, none dead yet
        }
        for_each_child(|pid| {
            libc::kill(pid, libc::SIGKILL);
        });
        let pause = libc::timespec {
            tv_sec: 0,
            tv_nsec: 1_000_000,
        };
        libc::nanosleep(&pause, std::ptr::null_mut());
    }
}

/// Call `f` with each pid in /proc/thread-self/children (our children,
/// space-separated). A list longer than the buffer is finished next round.
unsafe fn for_each_child(mut f: impl FnMut(c_int)) {
    let fd = libc::open(
        c"/proc/thread-self/children".as_ptr(),
        libc::O_RDONLY | libc::O_CLOEXEC,
    );
    if fd < 0 {
        return;
    }
    let mut buf = [0u8; 4096];
    let n = libc::read(fd, buf.as_mut_ptr().cast(), buf.len());
    libc::close(fd);
    let mut pid: c_int = 0;
    for &b in &buf[..n.max(0) as usize] {
        if b.is_ascii_digit() {
            pid = pid * 10 + c_int::from(b - b'0');
        } else {
            if pid > 0 {
                f(pid);
            }
            pid = 0;
        }
    }
}

/// Close every descriptor from `first` up: `close_range(2)` (Linux 5.9+),
/// else one `close` per possible descriptor.
unsafe fn close_from(first: c_int) {
    if libc::syscall(libc::SYS_close_range, first as u32, u32::MAX, 0) == 0 {
        return;
    }
    let mut lim: libc::rlimit = std::mem::zeroed();
    libc::getrlimit(libc::RLIMIT_NOFILE, &mut lim);
    for fd in first..(lim.rlim_cur.min(1 << 20) as c_int) {
        libc::close(fd);
    }
}

unsafe fn write_i32(fd: c_int, v: i32) {
    let b = v.to_ne_bytes();
    libc::write(fd, b.as_ptr().cast(), 4);
}
