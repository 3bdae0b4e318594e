//! The demo tells the same run in English and in Chinese: every line in
//! both, with the same sides and the same count of numbers
//! (demo_kit::lang::parity).

use demo_kit::lang::parity::{assert_parity, Numbers};
use demo_kit::testing::{run_demo, run_demo_en_zh};

const BIN: &str = env!("CARGO_BIN_EXE_io-models-demo");

#[test]
fn the_chinese_run_lines_up_with_the_english_one() {
    let args = ["--wait-ms", "50", "--idle", "10,100"];
    let ((code_en, en, _), (code_zh, zh, _)) = run_demo_en_zh(BIN, &args[..]);
    assert_eq!((code_en, code_zh), (0, 0), "{en}\n{zh}");
    // Tids, timings and call counts differ from run to run.
    assert_parity(&en, &zh, Numbers::Count);
}

#[test]
fn help_and_errors_speak_chinese_too() {
    let (code, help, _) = run_demo(BIN, &["--lang", "zh", "--help"]);
    assert_eq!(code, 0);
    assert!(
        help.starts_with("io-models-demo：") && help.contains("用法："),
        "{help}"
    );
    let (code, _, err) = run_demo(BIN, &["--lang", "zh", "--idle", "0"]);
    assert_eq!(code, 1);
    assert_eq!(
        err,
        "错误：--idle：个数 \"0\" 不对：每个都必须在 1..=15000 之内；见 --help\n"
    );
}
