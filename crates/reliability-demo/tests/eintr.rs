//! The TCP run's reader survives a signal: a `read()` interrupted with
//! `EINTR` is called again, and every byte still arrives.
//!
//! The reader sets a receive timeout (`SO_RCVTIMEO`), and a socket receive
//! with a timeout is never restarted after a signal handler, whatever
//! `SA_RESTART` says: it fails with `EINTR` (signal(7), "Interruption of
//! system calls and library functions by signal handlers"). A program that
//! handles `SIGCHLD`, `SIGWINCH` or `SIGALRM` meets that for real.
//!
//! The reader lives inside `tcp::run`, so the test finds it from outside:
//! 1. it holds the writer still (a `SIGUSR2` handler, run on the writer's
//!    thread, that waits until the test releases it, 5 s at most), so the
//!    reader empties the small buffer and blocks in `recvfrom` on it;
//! 2. it watches `/proc/self/task/<tid>/syscall` (proc(5)) until a thread
//!    of the run is blocked in `recvfrom`: that is the reader;
//! 3. it sends that thread `SIGUSR1`, whose handler has no `SA_RESTART`
//!    and records the thread it ran on.
//!
//! The run must then end with every byte intact. (Its own binary: the
//! handlers are installed for the whole process, and no other test's
//! threads may be mistaken for the reader.)
#![cfg(target_os = "linux")]

use nix::libc;
use nix::sys::signal::{sigaction, SaFlags, SigAction, SigHandler, SigSet, Signal};
use reliability_demo::tcp;
use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, AtomicI32, Ordering};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

/// The thread `SIGUSR1`'s handler ran on (0: not yet).
static INTERRUPTED: AtomicI32 = AtomicI32::new(0);
/// Set by the test: the writer, held in `SIGUSR2`'s handler, may go on.
static RELEASE: AtomicBool = AtomicBool::new(false);

extern "C" fn on_sigusr1(_: libc::c_int) {
    // SAFETY: gettid is async-signal-safe; so is an atomic store.
    INTERRUPTED.store(unsafe { libc::gettid() }, Ordering::SeqCst);
}

extern "C" fn on_sigusr2(_: libc::c_int) {
    let pause = libc::timespec {
        tv_sec: 0,
        tv_nsec: 1_000_000,
    };
    // Until released, 5 s at most. SAFETY: nanosleep is async-signal-safe
    // (signal-safety(7)), and so is a lock-free atomic load.
    for _ in 0..5000 {
        if RELEASE.load(Ordering::SeqCst) {
            return;
        }
        unsafe { libc::nanosleep(&pause, std::ptr::null_mut()) };
    }
}

fn install(signal: Signal, handler: extern "C" fn(libc::c_int), flags: SaFlags) {
    let action = SigAction::new(SigHandler::Handler(handler), flags, SigSet::empty());
    // SAFETY: both handlers make only async-signal-safe calls.
    unsafe { sigaction(signal, &action) }.expect("sigaction");
}

fn threads() -> HashSet<i32> {
    std::fs::read_dir("/proc/self/task")
        .expect("/proc/self/task")
        .filter_map(|e| e.ok()?.file_name().to_str()?.parse().ok())
        .collect()
}

/// The system call a thread is blocked in (proc(5): the first field of
/// `/proc/[pid]/task/[tid]/syscall`), if it is blocked in one.
fn blocked_in(tid: i32) -> Option<i64> {
    let text = std::fs::read_to_string(format!("/proc/self/task/{tid}/syscall")).ok()?;
    text.split_whitespace().next()?.parse().ok()
}

fn tgkill(tid: i32, signal: Signal) {
    // SAFETY: a signal to a thread of this process, whose handler is set.
    let rc = unsafe { libc::syscall(libc::SYS_tgkill, libc::getpid(), tid, signal as libc::c_int) };
    assert_eq!(rc, 0, "tgkill({tid}, {signal})");
}

#[test]
fn a_read_interrupted_by_a_signal_is_called_again() {
    install(Signal::SIGUSR1, on_sigusr1, SaFlags::empty());
    // The writer's sleep must not break its own write(): SA_RESTART.
    install(Signal::SIGUSR2, on_sigusr2, SaFlags::SA_RESTART);

    let before = threads();
    let (tx, rx) = mpsc::channel();
    let writer = thread::spawn(move || {
        // SAFETY: gettid has no preconditions.
        tx.send(unsafe { libc::gettid() }).unwrap();
        // 300 reads, 1 ms apart: the run lasts 0.3 s at least, time enough
        // to catch the writer in it.
        tcp::run(300, 1024, 4096, Duration::from_millis(1))
    });
    let writer_tid = rx.recv_timeout(Duration::from_secs(5)).unwrap();
    let ours = |t: &i32| !before.contains(t) && *t != writer_tid;

    // 1. As soon as the run has a thread of its own (the reader comes
    //    first), hold the writer.
    let deadline = Instant::now() + Duration::from_secs(5);
    while !threads().iter().any(ours) {
        assert!(Instant::now() < deadline, "tcp::run started no thread");
        assert!(
            !writer.is_finished(),
            "the run ended before its reader showed"
        );
        thread::yield_now();
    }
    tgkill(writer_tid, Signal::SIGUSR2);

    // 2. The reader drains the buffer and waits in recvfrom.
    let deadline = Instant::now() + Duration::from_secs(4);
    let reader = loop {
        let waiting = threads()
            .into_iter()
            .filter(ours)
            .find(|&t| blocked_in(t) == Some(libc::SYS_recvfrom));
        if let Some(tid) = waiting {
            break tid;
        }
        assert!(
            Instant::now() < deadline,
            "no thread of the run blocked in recvfrom while the writer was held"
        );
        thread::sleep(Duration::from_millis(1));
    };

    // 3. Interrupt it there; then let the writer go on.
    tgkill(reader, Signal::SIGUSR1);
    let deadline = Instant::now() + Duration::from_secs(4);
    while INTERRUPTED.load(Ordering::SeqCst) == 0 {
        assert!(Instant::now() < deadline, "SIGUSR1's handler never ran");
        thread::yield_now();
    }
    RELEASE.store(true, Ordering::SeqCst);
    let report = writer
        .join()
        .unwrap()
        .expect("tcp::run failed: the reader gave up on an EINTR instead of reading again");
    assert_eq!(
        INTERRUPTED.load(Ordering::SeqCst),
        reader,
        "the handler ran on the reader"
    );
    tcp::check(&report).unwrap();
    assert_eq!(report.received_bytes, 300 * 1024);
    assert_eq!(report.received_sum, report.sent_sum);
}
