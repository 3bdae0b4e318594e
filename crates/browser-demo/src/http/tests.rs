//! A read that a signal interrupts is tried again. A handler installed
//! without `SA_RESTART` interrupts a blocking read, and on a socket with a
//! receive timeout (`SO_RCVTIMEO`, which every read here sets) even
//! `SA_RESTART` does not restart it: it fails with `EINTR` (signal(7),
//! "Interruption of system calls and library functions by signal handlers").

use super::*;
use nix::sys::signal::{sigaction, SaFlags, SigAction, SigHandler, SigSet, Signal};
use std::io::Write;
use std::net::TcpListener;
use std::sync::atomic::{AtomicUsize, Ordering};

static HANDLED: AtomicUsize = AtomicUsize::new(0);

extern "C" fn count(_: nix::libc::c_int) {
    HANDLED.fetch_add(1, Ordering::SeqCst);
}

/// Whether thread `tid` of this process is blocked in a read of a
/// socket: the first field of /proc/self/task/TID/syscall is the number
/// of the system call it is blocked in (proc(5)); std reads a socket
/// with recv(), which is recvfrom() on Linux.
fn blocked_in_read(tid: nix::unistd::Pid) -> bool {
    let now = std::fs::read_to_string(format!("/proc/self/task/{tid}/syscall")).unwrap_or_default();
    let nr = now.split(' ').next().unwrap_or("");
    [nix::libc::SYS_read, nix::libc::SYS_recvfrom]
        .iter()
        .any(|n| nr == n.to_string())
}

/// Polls `cond` every millisecond for up to 5 s: nothing announces that
/// another thread has blocked, so here a poll is the only way to know.
fn within_5s(cond: impl Fn() -> bool) -> bool {
    let deadline = Instant::now() + Duration::from_secs(5);
    while !cond() {
        if Instant::now() > deadline {
            return false;
        }
        std::thread::sleep(Duration::from_millis(1));
    }
    true
}

#[test]
fn a_read_interrupted_by_a_signal_is_tried_again() {
    // Only this thread is ever sent SIGUSR1 (pthread_kill(3)): the
    // handler, process-wide, runs nowhere else.
    let count = SigAction::new(
        SigHandler::Handler(count),
        SaFlags::empty(),
        SigSet::empty(),
    );
    unsafe { sigaction(Signal::SIGUSR1, &count) }.unwrap();
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let mut client = TcpStream::connect(listener.local_addr().unwrap()).unwrap();
    let (mut server, _) = listener.accept().unwrap();
    // SAFETY: pthread_self() has no preconditions.
    let (reader, tid) = (unsafe { nix::libc::pthread_self() }, nix::unistd::gettid());
    let helper = std::thread::spawn(move || {
        assert!(within_5s(|| blocked_in_read(tid)), "the read never blocked");
        // SAFETY: `reader` is this test's thread, alive until joined below.
        let sent = unsafe { nix::libc::pthread_kill(reader, nix::libc::SIGUSR1) };
        assert_eq!(sent, 0, "pthread_kill");
        // The handler ran: the read has returned EINTR. Only now the byte.
        assert!(within_5s(|| HANDLED.load(Ordering::SeqCst) == 1));
        client.write_all(b"x").unwrap();
        client
    });
    let mut buf = [0u8; 8];
    let got = read_with_deadline(
        &mut server,
        &mut buf,
        Instant::now() + Duration::from_secs(10),
    );
    let _client = helper.join().unwrap();
    assert_eq!(HANDLED.load(Ordering::SeqCst), 1, "the signal came");
    assert_eq!(
        got.map_err(|e| e.kind()),
        Ok(1),
        "the byte, read after EINTR"
    );
}
