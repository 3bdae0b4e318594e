//! A forked child inherits ctrlc's handler but not its thread: it silently
//! ignores SIGINT and SIGTERM. Its own test binary, because a process can
//! install the ctrlc handler only once.

use nix::sys::signal::Signal;
use producer_consumer_demo::pitfall::{self, Disposition};
use std::time::Duration;

#[test]
fn inherited_handler_swallows_signals_and_reset_fixes_it() {
    let (tx, rx) = crossbeam_channel::unbounded();
    ctrlc::set_handler(move || {
        let _ = tx.send(());
    })
    .unwrap();
    // The only wait that is not for an event: "the parent's handler did
    // not run" (the child's dispositions, its "handled" bytes and its death
    // are all waited for as they happen).
    let quiet = Duration::from_millis(200);

    let kept = pitfall::run(false, &rx, quiet).unwrap();
    assert_eq!(
        (kept.sigint, kept.sigterm),
        (Disposition::Caught, Disposition::Caught),
        "the child inherits ctrlc's handler for both"
    );
    assert!(kept.alive_after_sigint);
    assert!(!kept.parent_handler_ran, "the child's copy is not ours");
    assert!(!kept.killed_by_sigterm, "SIGTERM is swallowed too");
    assert_eq!(kept.ended_by, Some(Signal::SIGKILL));

    let reset = pitfall::run(true, &rx, quiet).unwrap();
    assert_eq!(
        (reset.sigint, reset.sigterm),
        (Disposition::Ignored, Disposition::Default)
    );
    assert!(reset.alive_after_sigint, "SIGINT is ignored on purpose");
    assert!(!reset.parent_handler_ran);
    assert!(reset.killed_by_sigterm);
    assert_eq!(reset.ended_by, Some(Signal::SIGTERM));
    assert!(demo_kit::procfs::is_gone(kept.pid) && demo_kit::procfs::is_gone(reset.pid));
}
