//! `child_read_byte`, a child's wait for its parent's word, goes on reading
//! after a signal interrupts it (`EINTR`): a child that installed a
//! handler without `SA_RESTART` (sigaction(2)) must not take a signal for
//! the parent's word. A thread blocks in it on an empty pipe and is
//! signalled 20 times; it must still be waiting, and then return the byte
//! written. (Its own binary: the handler is installed for the whole process.)

use nix::sys::signal::{sigaction, SaFlags, SigAction, SigHandler, SigSet, Signal};
use std::os::unix::thread::JoinHandleExt;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

static SIGNALS: AtomicUsize = AtomicUsize::new(0);

extern "C" fn on_sigusr1(_: nix::libc::c_int) {
    SIGNALS.fetch_add(1, Ordering::SeqCst);
}

#[test]
fn an_interrupted_read_is_read_again() {
    let action = SigAction::new(
        SigHandler::Handler(on_sigusr1),
        SaFlags::empty(), // no SA_RESTART: read(2) returns EINTR
        SigSet::empty(),
    );
    // SAFETY: the handler only increments an atomic.
    unsafe { sigaction(Signal::SIGUSR1, &action) }.unwrap();

    let (r, w) = nix::unistd::pipe().unwrap();
    let reader = std::thread::spawn(move || join_terminate_demo::pipe::child_read_byte(&r));
    let deadline = Instant::now() + Duration::from_secs(20);
    for sent in 1..=20 {
        assert!(
            !reader.is_finished(),
            "child_read_byte returned before the byte came, on signal {sent}"
        );
        // SAFETY: the thread is alive (checked above): only the byte
        // written below lets it finish.
        let rc = unsafe { nix::libc::pthread_kill(reader.as_pthread_t(), nix::libc::SIGUSR1) };
        assert_eq!(rc, 0, "pthread_kill");
        while SIGNALS.load(Ordering::SeqCst) < sent {
            assert!(Instant::now() < deadline, "signal {sent} was never handled");
            std::thread::yield_now();
        }
        std::thread::sleep(Duration::from_millis(2));
    }
    assert!(!reader.is_finished(), "returned after the last signal");
    nix::unistd::write(&w, b"x").unwrap();
    assert_eq!(reader.join().unwrap(), Some(b'x'));
}
