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
    let _args = Args::parse(("usage: demo [--ipv6]\n\n", "用法：demo [--ipv6]\n\n"));
    println!("parsed: no help asked");
}

/// Runs the child with `words` after libtest's `--`, with `LANG` set to
/// `lang` (and no LC_ALL or LC_MESSAGES to outrank it).
fn child(words: &[&str], lang: &str) -> std::process::Output {
    let exe = std::env::current_exe().unwrap();
    Command::new(&exe)
        .args(["--exact", "help_child", "--nocapture", "--"])
        .args(words)
        .env(CHILD, "1")
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .env("LANG", lang)
        .output_within()
}

#[test]
fn lang_chooses_the_help_and_a_bad_one_is_refused() {
    for (words, lang, usage) in [
        (
            &["--help", "--lang", "zh"][..],
            "C.UTF-8",
            "用法：demo [--ipv6]\n",
        ),
        (
            &["--lang=zh-CN", "-h"][..],
            "C.UTF-8",
            "用法：demo [--ipv6]\n",
        ),
        (&["--help"][..], "zh_CN.UTF-8", "用法：demo [--ipv6]\n"),
        (
            &["--help", "--lang", "en"][..],
            "zh_CN.UTF-8",
            "usage: demo [--ipv6]\n",
        ),
        (&["--help"][..], "C.UTF-8", "usage: demo [--ipv6]\n"),
    ] {
        let out = child(words, lang);
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert_eq!(out.status.code(), Some(0), "{words:?}: {stdout}");
        assert!(stdout.contains(usage), "{words:?} {lang}: {stdout}");
    }
    // --lang is taken out, not left for the demo to refuse.
    let out = child(&["--lang", "zh"], "C.UTF-8");
    assert!(String::from_utf8_lossy(&out.stdout).contains("parsed: no help asked"));
    for (words, lang, error) in [
        (&["--lang", "fr"][..], "C.UTF-8", "error: unknown language \"fr\" for --lang: use en or zh (--lang 不支持 \"fr\"：请用 en 或 zh)\n"),
        (&["--help", "--lang=xx"][..], "zh_CN.UTF-8", "错误：unknown language \"xx\" for --lang: use en or zh (--lang 不支持 \"xx\"：请用 en 或 zh)\n"),
        (&["--lang"][..], "C.UTF-8", "error: --lang needs a value; see --help\n"),
    ] {
        let out = child(words, lang);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{words:?}: {stderr}");
        assert!(stderr.ends_with(error), "{words:?}: {stderr}");
        assert!(!String::from_utf8_lossy(&out.stdout).contains("usage"));
    }
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

/// A demo with an English help only passes one `&str`: that is the text.
#[test]
fn a_single_help_text_is_the_text() {
    use demo_kit::cli::Help;
    assert_eq!(Help::text(&"usage: demo\n"), "usage: demo\n");
}
