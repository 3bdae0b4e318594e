//! A forked child inherits ctrlc's handler but not its thread: it silently
//! ignores SIGINT and SIGTERM. Its own test binary, because a process can
//! install the ctrlc handler only once.

use nix::sys::signal::Signal;
use producer_consumer_demo::pitfall;
use std::time::Duration;

#[test]
fn inherited_handler_swallows_signals_and_reset_fixes_it() {
    let (tx, rx) = crossbeam_channel::unbounded();
    ctrlc::set_handler(move || {
        let _ = tx.send(());
    })
    .unwrap();
    let quiet = Duration::from_millis(500);

    let kept = pitfall::run(false, &rx, quiet).unwrap();
    assert!(kept.alive_after_sigint);
    assert!(
        !kept.parent_handler_ran_on_sigint,
        "the child's copy is not ours"
    );
    assert!(!kept.killed_by_sigterm, "SIGTERM is swallowed too");
    assert_eq!(kept.ended_by, Some(Signal::SIGKILL));

    let reset = pitfall::run(true, &rx, quiet).unwrap();
    assert!(reset.alive_after_sigint, "SIGINT is ignored on purpose");
    assert!(reset.killed_by_sigterm);
    assert!(demo_kit::procfs::is_gone(kept.pid) && demo_kit::procfs::is_gone(reset.pid));
}
