//! `Args::parse` answers `-h` and `--help` with the usage text and exit
//! status 0, and leaves every other word to the demo.
//!
//! `Args::parse` reads the process's own arguments, so the test runs this
//! test binary again, as a child, with the words to parse after libtest's
//! `--` (libtest takes them as test-name filters and runs `help_child`).

use demo_kit::cli::Args;
use demo_kit::testing::OutputWithin;
use std::process::Command;

const CHILD: &str = "DEMO_KIT_HELP_CHILD";

/// The child's half: does nothing unless run by the test below.
#[test]
fn help_child() {
    if std::env::var_os(CHILD).is_none() {
        return;
    }
    let _args = Args::parse("usage: demo [--ipv6]\n\n");
    println!("parsed: no help asked");
}

#[test]
fn help_prints_the_usage_and_exits_0_and_nothing_else_does() {
    let exe = std::env::current_exe().unwrap();
    for (word, help) in [
        ("--help", true),
        ("-h", true),
        ("--helpful", false),
        ("-x", false),
    ] {
        let out = Command::new(&exe)
            .args(["--exact", "help_child", "--nocapture", "--", word])
            .env(CHILD, "1")
            .output_within();
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert_eq!(out.status.code(), Some(0), "{word}: {stdout}");
        assert_eq!(
            stdout.contains("usage: demo [--ipv6]\n"),
            help,
            "{word}: {stdout}"
        );
        assert_eq!(
            stdout.contains("parsed: no help asked"),
            !help,
            "{word}: {stdout}"
        );
    }
}
