//! The demo tells the same run in English and in Chinese: every line in
//! both, with the same sides and the same count of numbers
//! (demo_kit::lang::parity).

use demo_kit::lang::parity::{assert_parity_by_side, Numbers};
use demo_kit::testing::{run_demo, run_demo_en_zh};

const BIN: &str = env!("CARGO_BIN_EXE_pool-demo");

#[test]
fn the_chinese_run_lines_up_with_the_english_one() {
    let ((code_en, en, _), (code_zh, zh, _)) = run_demo_en_zh(BIN, &["--tasks", "10"]);
    assert_eq!((code_en, code_zh), (0, 0), "{en}\n{zh}");
    // Pids and timings differ from run to run, and the callback's line may
    // come before or after the parent's: each side's in its own order.
    assert_parity_by_side(&en, &zh, Numbers::Count);
}

#[test]
fn help_and_errors_speak_chinese_too() {
    let (code, help, _) = run_demo(BIN, &["--lang", "zh", "--help"]);
    assert_eq!(code, 0);
    assert!(
        help.starts_with("pool-demo：") && help.contains("用法："),
        "{help}"
    );
    let (code, _, err) = run_demo(BIN, &["--lang", "zh", "--tasks", "5"]);
    assert_eq!(code, 1);
    assert_eq!(err, "错误：--tasks 必须在 10 到 100000 之间；见 --help\n");
}
