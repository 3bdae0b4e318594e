//! The demo tells the same run in English and in Chinese: every line in
//! both, with the same sides and the same count of numbers
//! (demo_kit::lang::parity).

use demo_kit::lang::parity::{assert_parity_by_side, Numbers};
use demo_kit::testing::run_demo;

const BIN: &str = env!("CARGO_BIN_EXE_pool-demo");

#[test]
fn the_chinese_run_lines_up_with_the_english_one() {
    // Both runs at once, each its own process: the test waits for the longer.
    let ((code_en, en, _), (code_zh, zh, _)) = std::thread::scope(|s| {
        let zh = s.spawn(|| run_demo(BIN, &["--tasks", "10", "--lang", "zh"]));
        let en = run_demo(BIN, &["--tasks", "10", "--lang", "en"]);
        (en, zh.join().expect("the Chinese run"))
    });
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
