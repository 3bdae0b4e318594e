//! The lab tells the same run in English and in Chinese: every line in
//! both, with the same sides and the same count of numbers
//! (demo_kit::lang::parity).

use super::run_bounded;
use demo_kit::lang::parity::{assert_parity, Numbers};
use demo_kit::testing::{run_demo, skip};

const BIN: &str = env!("CARGO_BIN_EXE_tcp-lab");

#[test]
fn the_chinese_run_lines_up_with_the_english_one() {
    // Each run makes namespaces of its own, so the two can go at once; each
    // is bounded (super::LIMIT), as the other modes' runs are.
    let ((code_en, en, err), (code_zh, zh, _)) = std::thread::scope(|s| {
        let zh = s.spawn(|| run_bounded(&["--lang", "zh"]));
        let en = run_bounded(&["--lang", "en"]);
        (en, zh.join().expect("the Chinese run panicked"))
    });
    if code_en == 77 {
        return skip(&format!("tcp-lab cannot make its namespace here: {err}"));
    }
    assert_eq!((code_en, code_zh), (0, 0), "{en}\n{zh}");
    // The ISNs are random: the numbers differ, not how many there are.
    assert_parity(&en, &zh, Numbers::Count);
}

#[test]
fn help_and_errors_speak_chinese_too() {
    let (code, help, _) = run_demo(BIN, &["--lang", "zh", "--help"]);
    assert_eq!(code, 0);
    assert!(
        help.starts_with("tcp-lab：") && help.contains("用法："),
        "{help}"
    );
    let (code, _, err) = run_demo(BIN, &["--lang", "zh", "teleport"]);
    assert_eq!(code, 1);
    assert_eq!(
        err,
        "错误：没有 \"teleport\" 这个模式：请用 handshake、connect 或 wire；见 --help\n"
    );
}
