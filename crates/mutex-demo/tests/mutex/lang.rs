//! The demo tells the same run in English and in Chinese: every line in
//! both, with the same sides and the same count of numbers
//! (demo_kit::lang::parity).

use demo_kit::lang::parity::{assert_parity_by_side, Numbers};
use demo_kit::testing::{run_demo, run_demo_en_zh};

const BIN: &str = env!("CARGO_BIN_EXE_mutex-demo");

#[test]
fn the_chinese_run_lines_up_with_the_english_one() {
    // As many tickets as buyers: every buyer buys one, with or without the
    // lock, so each buyer's line has the same shape in every run (the
    // default 50 ms between read and write keeps the unlocked buyers from
    // reading a file another is writing).
    let args = ["--buyers", "3", "--tickets", "3"];
    let ((code_en, en, _), (code_zh, zh, _)) = run_demo_en_zh(BIN, &args[..]);
    assert_eq!((code_en, code_zh), (0, 0), "{en}\n{zh}");
    // Pids and counts seen differ from run to run, and the buyers print in
    // any order: each side's lines are compared in their own order.
    assert_parity_by_side(&en, &zh, Numbers::Count);
    // Selling exactly the tickets there were is no oversell: step 1 (no
    // lock) has no lost-updates note, and only step 2 (LOCK_EX) the note
    // that the buyers went one at a time.
    let steps: Vec<&str> = en.split("\n── step ").skip(1).collect();
    let one_at_a_time = "with LOCK_EX only one open file can hold the lock";
    assert!(
        steps[0].contains("exit statuses: 3 bought, 0 sold out, 0 torn reads")
            && !steps[0].contains("(lost updates)")
            && !steps[0].contains(one_at_a_time),
        "{en}"
    );
    assert!(steps[1].contains(one_at_a_time), "{en}");
}

#[test]
fn help_and_errors_speak_chinese_too() {
    let (code, help, _) = run_demo(BIN, &["--lang", "zh", "--help"]);
    assert_eq!(code, 0);
    assert!(
        help.starts_with("mutex-demo：") && help.contains("用法："),
        "{help}"
    );
    let (code, _, err) = run_demo(BIN, &["--lang", "zh", "--buyers", "lots"]);
    assert_eq!(code, 1);
    assert_eq!(
        err,
        "错误：--buyers 的值 \"lots\" 不对：invalid digit found in string；见 --help\n"
    );
}
