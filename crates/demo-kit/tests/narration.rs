//! Narration reaches standard output, marked with its side, plain in a pipe
//! and coloured on a terminal unless `NO_COLOR` says otherwise; and stdout
//! is flushed before a fork.
//!
//! Narration writes to the process's real stdout (fd 1), which `cargo test`
//! does not capture, so this test points fd 1 at a pipe or a pseudo-terminal
//! for a moment and reads what arrived. It is the only test in this file:
//! nothing else may print while fd 1 is borrowed, or set `NO_COLOR` at the
//! same time.

use demo_kit::say::{self, Side};
use std::fs::File;
use std::io::Read;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};

/// Runs `speak` with fd 1 pointed at `target`, then puts fd 1 back.
fn with_stdout_on(target: &impl AsRawFd, speak: impl FnOnce()) {
    use nix::libc::{dup, dup2};
    // SAFETY: dup/dup2 on descriptors this process owns.
    let saved = unsafe { dup(1) };
    assert!(saved >= 0, "dup(1)");
    assert!(unsafe { dup2(target.as_raw_fd(), 1) } >= 0, "dup2");
    speak();
    assert!(unsafe { dup2(saved, 1) } >= 0, "dup2 back");
    // SAFETY: `saved` is ours and used nowhere else.
    drop(unsafe { OwnedFd::from_raw_fd(saved) });
}

/// What `speak` prints on a pipe.
fn printed(speak: impl FnOnce()) -> String {
    let (r, w) = nix::unistd::pipe().unwrap();
    with_stdout_on(&w, speak);
    drop(w);
    let mut text = String::new();
    File::from(r).read_to_string(&mut text).unwrap();
    text
}

#[test]
fn narration_is_printed_marked_and_coloured_only_on_a_terminal() {
    // Changing the environment is `unsafe` (edition 2024): another thread
    // could read it at the same moment. This file's one test is the only
    // thread of its process that touches it.
    unsafe { std::env::remove_var("NO_COLOR") };
    // In a pipe: plain text, one line per call.
    demo_kit::lang::set(demo_kit::lang::Lang::En);
    let text = printed(|| {
        say::say(Side::Server, "listening");
        say::step(2, "connect");
        say::heading("merge");
    });
    assert_eq!(
        text,
        "[server] listening\n\n── step 2: connect ──\n\n=== merge ===\n"
    );
    assert!(!say::colors_enabled(), "stdout is not a terminal here");

    // In Chinese, the step's own words are Chinese; the title is the demo's.
    demo_kit::lang::set(demo_kit::lang::Lang::Zh);
    let text = printed(|| say::step(2, "连接"));
    demo_kit::lang::set(demo_kit::lang::Lang::En);
    assert_eq!(text, "\n── 第 2 步：连接 ──\n");

    // Quiet: nothing at all.
    say::set_quiet(true);
    let text = printed(|| {
        say::say(Side::Client, "hidden");
        say::step(1, "hidden");
        say::heading("hidden");
    });
    say::set_quiet(false);
    assert_eq!(text, "");

    // On a terminal: colours, unless NO_COLOR is set to something.
    let (terminal, _reader) = demo_kit::testing::pty();
    let mut on_tty = Vec::new();
    for no_color in [None, Some(""), Some("1")] {
        match no_color {
            None => unsafe { std::env::remove_var("NO_COLOR") },
            Some(v) => unsafe { std::env::set_var("NO_COLOR", v) },
        }
        with_stdout_on(&terminal, || on_tty.push(say::colors_enabled()));
    }
    unsafe { std::env::remove_var("NO_COLOR") };
    assert_eq!(
        on_tty,
        [true, true, false],
        "colours on a terminal: with NO_COLOR unset, empty, set"
    );

    // fork_child flushes stdout first: text waiting in Rust's buffer (no
    // newline yet) reaches fd 1 before the child exists, so the child
    // cannot inherit a copy of it.
    let (r, w) = nix::unistd::pipe().unwrap();
    let mut waiting = 0;
    let mut flushed = 0;
    with_stdout_on(&w, || {
        use std::io::Write;
        std::io::stdout().write_all(b"unfinished line").unwrap();
        waiting = demo_kit::sock::queued_bytes(&r).unwrap();
        let pid = demo_kit::child::fork_child(|| 0).unwrap();
        flushed = demo_kit::sock::queued_bytes(&r).unwrap();
        demo_kit::child::reap_or_kill(pid, std::time::Duration::from_secs(20)).unwrap();
    });
    assert_eq!((waiting, flushed), (0, "unfinished line".len()));
}
