//! The children's side of [`super`]: what a producer and a consumer process
//! do between `fork()` and `_exit`, and the signal set-up each one needs.
//!
//! Everything here runs in a forked child of a possibly multi-threaded
//! parent (ctrlc's thread, the test harness), so it keeps to raw system
//! calls: `read`, `write`, `sigaction`, no `println!`. A child first sets its
//! own dispositions (SIGINT ignored, SIGHUP default, SIGTERM per role), and
//! only then unblocks the stop signals the parent blocked around `fork()`.

use crate::{item, Tally};
use demo_kit::child::write_fd;
use nix::errno::Errno;
use nix::sys::signal::{sigaction, SaFlags, SigAction, SigHandler, SigSet, Signal};
use nix::unistd::{read, write};
use std::os::fd::{AsRawFd, OwnedFd};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

/// SIGINT, SIGTERM, SIGHUP: what Ctrl-C, `p.terminate()` and a closed
/// terminal send, and what ctrlc (with `termination`) handles.
pub(super) fn stop_signals() -> SigSet {
    let mut set = SigSet::empty();
    for sig in [Signal::SIGINT, Signal::SIGTERM, Signal::SIGHUP] {
        set.add(sig);
    }
    set
}

/// Called by a child once its dispositions are set: pending signals are
/// delivered now, to the child's own choice.
fn signals_ready() {
    let _ = stop_signals().thread_unblock();
}

/// Set by SIGTERM in a producer: "finish the current item, report, exit".
static TERM: AtomicBool = AtomicBool::new(false);

extern "C" fn on_sigterm(_: nix::libc::c_int) {
    TERM.store(true, Ordering::SeqCst); // async-signal-safe: one atomic store
}

fn set_signal(sig: Signal, handler: SigHandler) {
    // No SA_RESTART: a producer blocked in write() on a full queue gets
    // EINTR and can look at TERM.
    let action = SigAction::new(handler, SaFlags::empty(), SigSet::empty());
    // SAFETY: the handlers are SIG_IGN, SIG_DFL or `on_sigterm`, which only
    // stores an atomic.
    let _ = unsafe { sigaction(sig, &action) };
}

pub(super) fn producer(id: usize, items: Option<u64>, queue: &OwnedFd, reports: &OwnedFd) -> i32 {
    set_signal(Signal::SIGINT, SigHandler::SigIgn);
    set_signal(Signal::SIGHUP, SigHandler::SigDfl);
    set_signal(Signal::SIGTERM, SigHandler::Handler(on_sigterm));
    signals_ready();
    let mut tally = Tally::default();
    let mut seq = 0;
    while items.is_none_or(|n| seq < n) && !TERM.load(Ordering::SeqCst) {
        let it = item(id, seq);
        match write(queue, &it.to_ne_bytes()) {
            Ok(8) => {
                tally.add(it);
                seq += 1;
            }
            Err(Errno::EINTR) => continue, // SIGTERM while blocked: re-check TERM
            _ => return 2,
        }
    }
    send_report(reports, true, id as u64, tally);
    0
}

pub(super) fn consumer(id: u64, queue: &OwnedFd, reports: &OwnedFd, delay: Duration) -> i32 {
    set_signal(Signal::SIGINT, SigHandler::SigIgn);
    set_signal(Signal::SIGHUP, SigHandler::SigDfl);
    set_signal(Signal::SIGTERM, SigHandler::SigDfl);
    signals_ready();
    let mut tally = Tally::default();
    let mut buf = [0u8; 8];
    loop {
        match read(queue, &mut buf) {
            Ok(0) => break, // every producer's end is closed: the queue is done
            Ok(8) => tally.add(u64::from_ne_bytes(buf)),
            Err(Errno::EINTR) => continue,
            _ => return 2,
        }
        std::thread::sleep(delay); // the "work"
    }
    send_report(reports, false, id, tally);
    0
}

/// One 32-byte record in one write(2): at most PIPE_BUF bytes, so reports
/// from different children never interleave.
fn send_report(fd: &OwnedFd, producer: bool, id: u64, t: Tally) {
    let mut rec = [0u8; 32];
    for (i, v) in [u64::from(producer), id, t.count, t.checksum]
        .into_iter()
        .enumerate()
    {
        rec[i * 8..i * 8 + 8].copy_from_slice(&v.to_ne_bytes());
    }
    write_fd(fd.as_raw_fd(), &rec);
}
