//! Every mode has --help (exit 0); bad input gives one clear line and exit 1.

use demo_kit::testing::OutputWithin;
use std::process::Command;

fn run(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_handshake-demo"))
        .args(args)
        .env("NO_COLOR", "1")
        .output_within()
}

#[test]
fn help_for_every_mode() {
    for (args, needle) in [
        (&["--help"][..], "modes:"),
        (&["states", "--help"][..], "modes:"),
        (&["backlog", "--help"][..], "--clients K"),
        (&["sniff", "-h"][..], "cap_net_raw"),
        (&["reuse", "--help"][..], "SO_REUSEADDR"),
    ] {
        let out = run(args);
        assert!(out.status.success(), "{args:?}");
        assert!(
            String::from_utf8_lossy(&out.stdout).contains(needle),
            "{args:?}"
        );
    }
}

#[test]
fn bad_input_is_a_message_not_a_panic() {
    for args in [
        &["nonsense"][..],
        &["backlog", "--backlog", "x"][..],
        &["backlog", "--clients", "500"][..],
        &["states", "--bogus"][..],
        &["sniff", "--ipv6"][..],
    ] {
        let out = run(args);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {err}");
        assert!(err.starts_with("error: "), "{args:?}: {err}");
        assert!(!err.contains("panicked"), "{args:?}: {err}");
    }
}

#[test]
fn reuse_mode_runs() {
    let out = run(&["reuse"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success());
    assert!(text.contains("EADDRINUSE"), "{text}");
    assert!(text.contains("bind() OK"), "{text}");
}

/// An option's value is not mistaken for a mode.
#[test]
fn an_option_value_is_not_a_mode() {
    let out = run(&["--backlog", "3"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(!err.contains("unknown mode"), "{err}");
}
