//! The command line: every mode has --help (exit 0); bad input gives one
//! clear line and exit 1. One behaviour per test.

use demo_kit::testing::run_demo;

fn demo(args: &[&str]) -> (i32, String, String) {
    run_demo(env!("CARGO_BIN_EXE_handshake-demo"), args)
}

fn assert_help(args: &[&str], needle: &str) {
    let (code, out, err) = demo(args);
    assert_eq!(code, 0, "{args:?}: {err}");
    assert!(out.contains(needle), "{args:?}: {out}");
}

fn assert_refused(args: &[&str], message: &str) {
    let (code, _, err) = demo(args);
    assert_eq!(code, 1, "{args:?}: {err}");
    assert!(err.starts_with("error: "), "{args:?}: {err}");
    assert!(err.contains(message), "{args:?}: {err}");
    assert!(!err.contains("panicked"), "{args:?}: {err}");
}

#[test]
fn general_help_lists_the_modes() {
    assert_help(&["--help"], "modes:");
}

/// Both spellings at once still ask for help (and are both consumed).
#[test]
fn help_given_twice_is_still_help() {
    assert_help(&["--help", "-h"], "modes:");
}

#[test]
fn states_help_is_the_general_help() {
    assert_help(&["states", "--help"], "modes:");
}

#[test]
fn backlog_help_names_its_options() {
    assert_help(&["backlog", "--help"], "usage: handshake-demo backlog [");
    assert_help(&["backlog", "--help"], "--clients K");
}

#[test]
fn retries_help_gives_the_default_schedule() {
    assert_help(&["retries", "--help"], "usage: handshake-demo retries [");
    assert_help(&["retries", "--help"], "1, 1, 1, 1, 1, 2, 4 s");
}

#[test]
fn sniff_help_says_which_privilege() {
    assert_help(&["sniff", "-h"], "usage: handshake-demo sniff\n");
    assert_help(&["sniff", "-h"], "cap_net_raw");
}

#[test]
fn reuse_help_names_the_option() {
    // (The general help names SO_REUSEADDR too: the usage line is reuse's own.)
    assert_help(&["reuse", "--help"], "usage: handshake-demo reuse [");
    assert_help(&["reuse", "--help"], "SO_REUSEADDR");
}

#[test]
fn an_unknown_mode_is_refused() {
    assert_refused(&["nonsense"], "unknown mode \"nonsense\"");
}

#[test]
fn a_backlog_that_is_not_a_number_is_refused() {
    assert_refused(
        &["backlog", "--backlog", "x"],
        "bad value \"x\" for --backlog",
    );
}

#[test]
fn too_many_clients_are_refused() {
    assert_refused(
        &["backlog", "--clients", "500"],
        "--clients must be between 1 and 20",
    );
}

#[test]
fn an_unknown_option_is_refused() {
    assert_refused(&["states", "--bogus"], "unexpected argument \"--bogus\"");
}

#[test]
fn sniff_refuses_ipv6() {
    assert_refused(&["sniff", "--ipv6"], "IPv4 headers only");
}

/// An option's value is not mistaken for a mode: `--backlog 3` without
/// the `backlog` mode is an option the default mode does not take.
#[test]
fn an_option_value_is_not_a_mode() {
    assert_refused(&["--backlog", "3"], "unexpected argument \"--backlog\"");
}

#[test]
fn options_may_come_before_the_mode() {
    let (code, out, err) = demo(&["--backlog", "0", "--clients", "1", "backlog"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("listen(backlog=0)"), "{out}");
}
