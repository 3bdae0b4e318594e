//! The keeper process itself: it becomes a child subreaper, then, for each
//! command the server sends, starts the shell, waits for the shell's exit
//! or the server's word, and sweeps: kills and reaps everything left below
//! it, before it reports (see [`crate::keeper`]).
//!
//! The keeper is forked from a server with many threads, so until it exits
//! it may only make async-signal-safe calls: no allocation, no locks, no
//! `println!`. Everything here is a system call on stack memory (the
//! commands and their pipes arrive on the socket, into a buffer on the
//! stack), except glibc's `posix_spawn`: POSIX does not list it as
//! async-signal-safe, so we rely on glibc's implementation (`clone` with
//! `CLONE_VM|CLONE_VFORK`, then `execve`).

use crate::keeper_wire::{
    close_all, next_command, recv_message, send_report, CTL, MAX_MSG, QUIT, STOP,
};
use nix::errno::Errno;
use nix::libc::{self, c_char, c_int};
use std::os::fd::RawFd;

/// The keeper's whole life. Async-signal-safe calls only.
pub(crate) unsafe fn keeper_main(ctl: RawFd, devnull: RawFd) -> ! {
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

    // Descriptors: /dev/null at 0 (every shell's stdin), the socket at 3,
    // every other one the server had (sockets of other clients, the
    // listener) closed, or they would stay open as long as we live.
    let (hi_null, hi_ctl) = (
        libc::fcntl(devnull, libc::F_DUPFD_CLOEXEC, 16),
        libc::fcntl(ctl, libc::F_DUPFD_CLOEXEC, 16),
    );
    if hi_null < 0 || hi_ctl < 0 {
        libc::_exit(126);
    }
    // 0, 1 and 2 on /dev/null: the server's stdout is not ours to hold,
    // and received pipes never land on 0-2 (recvmsg takes the lowest free
    // numbers). dup2 clears close-on-exec: the shells get stdin from here.
    for std in 0..3 {
        libc::dup2(hi_null, std);
    }
    libc::dup3(hi_ctl, CTL, libc::O_CLOEXEC); // the socket: not for the shells
    close_from(CTL + 1);

    libc::prctl(libc::PR_SET_NAME, c"keeper".as_ptr()); // what `ps` shows
    libc::prctl(libc::PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);

    // One command after another, until the server hangs up or says quit.
    let mut buf = [0u8; MAX_MSG];
    loop {
        let Some((seq, len, out, err)) = next_command(&mut buf) else {
            libc::_exit(0); // hang-up or quit, with nothing running
        };
        // The shell's stdout and stderr are the pipes the server sent.
        libc::dup2(out, 1);
        libc::dup2(err, 2);
        libc::close(out);
        libc::close(err);
        let argv: [*const c_char; 4] = [
            c"/bin/sh".as_ptr(),
            c"-c".as_ptr(),
            buf[5..].as_ptr().cast(),
            std::ptr::null(),
        ];
        buf[5 + len] = 0;
        let shell = spawn_shell(&argv);
        let errno = Errno::last() as i32;
        // Only the shell (and what it starts) holds the pipes now.
        libc::dup2(0, 1);
        libc::dup2(0, 2);
        if shell < 0 {
            send_report(seq, -errno, 0);
            continue;
        }
        let quit = wait_for_shell_or_stop(shell, seq);
        // The shell is not reaped yet, so its pid (= its group id) is still
        // ours: this cannot hit anybody else's group.
        libc::kill(-shell, libc::SIGKILL);
        libc::kill(shell, libc::SIGKILL);
        let status = kill_and_reap_everything(shell);
        send_report(seq, shell, status);
        if quit {
            libc::_exit(0);
        }
    }
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

/// Block until the shell has exited (left unreaped) or the server says
/// stop. Returns `true` if the keeper must exit afterwards: the server
/// said quit or hung up (it stopped, or died).
unsafe fn wait_for_shell_or_stop(shell: c_int, seq: u32) -> bool {
    let pidfd = libc::syscall(libc::SYS_pidfd_open, shell, 0) as c_int; // Linux 5.3+
    let quit = loop {
        let mut fds = [
            libc::pollfd {
                fd: pidfd,
                events: libc::POLLIN,
                revents: 0,
            },
            libc::pollfd {
                fd: CTL,
                events: libc::POLLIN,
                revents: 0,
            },
        ];
        // Without a pidfd, look at the shell every 10 ms instead.
        let wait = if pidfd < 0 { 10 } else { -1 };
        libc::poll(fds.as_mut_ptr(), 2, wait);
        if fds[1].revents != 0 {
            let mut msg = [0u8; 8];
            let mut passed = [-1; 2];
            let (n, _) = recv_message(&mut msg, &mut passed);
            close_all(&passed);
            let said_stop = n == 5 && msg[0] == STOP && msg[1..5] == seq.to_ne_bytes();
            if n == 0 || (n > 0 && msg[0] == QUIT) {
                break true;
            }
            if said_stop {
                break false;
            }
            continue; // a stale stop: not for this command
        }
        if fds[0].revents != 0 {
            break false;
        }
        let mut info: libc::siginfo_t = std::mem::zeroed();
        let flags = libc::WEXITED | libc::WNOHANG | libc::WNOWAIT;
        if pidfd < 0
            && libc::waitid(libc::P_PID, shell as u32, &mut info, flags) == 0
            && info.si_pid() != 0
        {
            break false;
        }
    };
    if pidfd >= 0 {
        libc::close(pidfd);
    }
    quit
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
/// space-separated). A list longer than the buffer is finished next round,
/// and so is a child the list missed: proc_tid_children(5) warns that it
/// may omit children while others exit.
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
