//! The demo tells the same run in English and in Chinese: every line in
//! both, with the same sides and the same count of numbers
//! (demo_kit::lang::parity); --help and the errors speak Chinese too.

use demo_kit::lang::parity::{assert_parity, Numbers};
use demo_kit::testing::{run_demo, run_demo_en_zh, OutputWithin};

const BIN: &str = env!("CARGO_BIN_EXE_coroutine-demo");

/// Every step, kept small: step 3's 1000 round trips, step 5's 2 clients.
const CHEAP: [&str; 8] = [
    "--switches",
    "1000",
    "--limit",
    "10000",
    "--clients",
    "2",
    "--frames",
    "5",
];

#[test]
fn the_chinese_run_lines_up_with_the_english_one() {
    let ((code_en, en, err_en), (code_zh, zh, err_zh)) = run_demo_en_zh(BIN, &CHEAP[..]);
    assert_eq!((code_en, code_zh), (0, 0), "{err_en}\n{err_zh}");
    // One thread narrates, in time order: line by line. Addresses, times
    // and ratios differ from run to run: their count must agree.
    assert_parity(&en, &zh, Numbers::Count);
    // The runtime's trace (step 4) is Chinese too, its system calls as is.
    for words in [
        "[note] spawn 任务 1（server）：放入就绪队列",
        " 上的 accept：EAGAIN；保存任务 1 的 waker，等 fd ",
        "[kernel] epoll_wait：当时没有就绪的，阻塞等待；醒来时就绪的有：fd ",
        "── 第 4 步：",
        "=== 对照 Python ===",
    ] {
        assert!(zh.contains(words), "missing {words:?} in:\n{zh}");
    }
}

#[test]
fn help_and_errors_speak_chinese_too() {
    let (code, help, _) = run_demo(BIN, &["--lang", "zh", "--help"]);
    assert_eq!(code, 0);
    assert!(
        help.starts_with("coroutine-demo：协程")
            && help.contains("用法：")
            && help.contains("--lang L"),
        "{help}"
    );
    let (code, _, err) = run_demo(BIN, &["--lang", "zh", "--clients", "0"]);
    assert_eq!(code, 1);
    assert_eq!(err, "错误：--clients 必须在 1 到 500 之间；见 --help\n");
    // The locale alone asks for Chinese, as the runner's rule says.
    let out = std::process::Command::new(BIN)
        .arg("greenlet")
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .env("LANG", "zh_CN.UTF-8")
        .output_within();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        err,
        "错误：没有 \"greenlet\" 这个模式（可选：state, stackful, switch, runtime, echo, cpu, python, all）；见 --help\n"
    );
}
