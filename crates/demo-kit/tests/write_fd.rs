//! `write_fd`, the child's raw `write(2)`, delivers every byte: it goes on
//! after a short write and after `EINTR`.
//!
//! A thread writes 1 MiB into a pipe that nobody reads yet (a pipe holds
//! 64 KiB), so its `write` blocks; it is then signalled, many times, with a
//! handler installed without `SA_RESTART`. The first signal cuts the write
//! short (it returns the 64 KiB it wrote), every later one interrupts a
//! write that wrote nothing (`EINTR`). Then the pipe is read: all of the
//! 1 MiB must be there, in order. (Its own binary: the handler is installed
//! for the whole process.)

use nix::sys::signal::{sigaction, SaFlags, SigAction, SigHandler, SigSet, Signal};
use std::io::Read;
use std::os::fd::AsRawFd;
use std::os::unix::thread::JoinHandleExt;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

static SIGNALS: AtomicUsize = AtomicUsize::new(0);

extern "C" fn on_sigusr1(_: nix::libc::c_int) {
    SIGNALS.fetch_add(1, Ordering::SeqCst);
}

#[test]
fn a_short_or_interrupted_write_is_continued() {
    let action = SigAction::new(
        SigHandler::Handler(on_sigusr1),
        SaFlags::empty(),
        SigSet::empty(),
    );
    // SAFETY: the handler only increments an atomic.
    unsafe { sigaction(Signal::SIGUSR1, &action) }.unwrap();

    let (r, w) = nix::unistd::pipe().unwrap();
    let pattern: Vec<u8> = (0..=250).collect();
    let sent = pattern.repeat((1 << 20) / pattern.len());
    let bytes = sent.clone();
    let writer = std::thread::spawn(move || {
        demo_kit::child::write_fd(w.as_raw_fd(), &bytes);
        drop(w);
    });
    // Knock while the writer sits in write(2) on the full pipe: 50 signals
    // that the handler counted, one every 2 ms.
    let deadline = Instant::now() + Duration::from_secs(20);
    for sent_signals in 1..=50 {
        assert!(
            !writer.is_finished(),
            "the writer returned early, on signal {sent_signals}"
        );
        // SAFETY: the thread is alive (checked above): only the pipe being
        // read lets it finish.
        let rc = unsafe { nix::libc::pthread_kill(writer.as_pthread_t(), nix::libc::SIGUSR1) };
        assert_eq!(rc, 0, "pthread_kill");
        while SIGNALS.load(Ordering::SeqCst) < sent_signals {
            assert!(
                Instant::now() < deadline,
                "signal {sent_signals} was never handled"
            );
            std::thread::yield_now();
        }
        std::thread::sleep(Duration::from_millis(2));
    }
    let mut got = Vec::new();
    std::fs::File::from(r).read_to_end(&mut got).unwrap();
    writer.join().unwrap();
    assert_eq!(
        got.len(),
        sent.len(),
        "bytes lost after a short or interrupted write"
    );
    assert!(got == sent, "the bytes arrived changed");
}

#[test]
fn a_write_that_fails_gives_up_instead_of_retrying() {
    // EPIPE (nobody will ever read: the read end is closed) and EBADF (no
    // such descriptor) are not EINTR: write_fd must return, not loop. On a
    // thread with a deadline, so that a loop fails the test.
    let (r, w) = nix::unistd::pipe().unwrap();
    drop(r);
    let (done, returned) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        demo_kit::child::write_fd(w.as_raw_fd(), b"nobody reads this");
        demo_kit::child::write_fd(-1, b"no such descriptor");
        let _ = done.send(());
    });
    returned
        .recv_timeout(Duration::from_secs(10))
        .expect("write_fd kept retrying a write that failed");
}
