//! The demo tells the same run in English and in Chinese: every line in
//! both, with the same sides and the same numbers (demo_kit::lang::parity).

use demo_kit::lang::parity::{assert_parity, Numbers};
use demo_kit::testing::{run_demo, run_demo_en_zh};

const BIN: &str = env!("CARGO_BIN_EXE_browser-demo");

#[test]
fn the_chinese_run_lines_up_with_the_english_one() {
    let ((code_en, en, _), (code_zh, zh, _)) = run_demo_en_zh(BIN, &[]);
    assert_eq!((code_en, code_zh), (0, 0), "{en}\n{zh}");
    // The ports differ from run to run.
    assert_parity(&en, &zh, Numbers::Count);
}

#[test]
fn help_and_errors_speak_chinese_too() {
    let (code, help, _) = run_demo(BIN, &["--lang", "zh", "--help"]);
    assert_eq!(code, 0);
    assert!(
        help.starts_with("browser-demo：") && help.contains("用法："),
        "{help}"
    );
    let (code, _, err) = run_demo(BIN, &["--lang", "zh", "serve", "--addr", "nope"]);
    assert_eq!(code, 1);
    assert_eq!(
        err,
        "错误：--addr \"nope\" 不对（invalid socket address syntax）：要写成 IP:PORT，例如 127.0.0.1:8080\n"
    );
    let (code, _, err) = run_demo(BIN, &["--lang", "xx"]);
    assert_eq!(code, 1);
    assert_eq!(
        err,
        "error: unknown language \"xx\" for --lang: use en or zh (--lang 不支持 \"xx\"：请用 en 或 zh)\n"
    );
}
