//! The demo tells the same run in English and in Chinese: every line in
//! both, with the same sides and the same count of numbers
//! (demo_kit::lang::parity). The table's column names stay as they are.

use demo_kit::lang::parity::{assert_parity, Numbers};
use demo_kit::testing::{run_demo, run_demo_en_zh};

const BIN: &str = env!("CARGO_BIN_EXE_c10k");

#[test]
fn the_chinese_run_lines_up_with_the_english_one() {
    crate::serving::assert_echoes("epoll");
    crate::measuring::assert_load_runs();
    let args = ["--model", "epoll", "--conns", "20", "--rounds", "2"];
    let ((code_en, en, _), (code_zh, zh, _)) = run_demo_en_zh(BIN, &args[..]);
    assert_eq!((code_en, code_zh), (0, 0), "{en}\n{zh}");
    // Pids, timings and memory differ from run to run.
    assert_parity(&en, &zh, Numbers::Count);
}

#[test]
fn help_speaks_chinese_too() {
    let (code, help, _) = run_demo(BIN, &["--lang", "zh", "--help"]);
    assert_eq!(code, 0);
    assert!(
        help.starts_with("c10k：") && help.contains("用法："),
        "{help}"
    );
}
