//! The demo tells the same run in English and in Chinese: every line in
//! both, with the same sides and the same count of numbers
//! (demo_kit::lang::parity); --help and the errors speak Chinese too.

use demo_kit::lang::parity::{assert_parity, Numbers};
use demo_kit::testing::{run_demo, run_demo_en_zh, OutputWithin};

const BIN: &str = env!("CARGO_BIN_EXE_sticky-demo");

#[test]
fn the_chinese_run_lines_up_with_the_english_one() {
    let ((code_en, en, err_en), (code_zh, zh, err_zh)) = run_demo_en_zh(BIN, &[]);
    assert_eq!((code_en, code_zh), (0, 0), "{err_en}\n{err_zh}");
    // One thread narrates, in time order: line by line. The count of data
    // segments (TCP_INFO) may differ between the two runs; the rest may
    // not, and the lines below say so in Chinese.
    assert_parity(&en, &zh, Numbers::Count);
    for line in [
        "=== merge：",
        "[server] recv(1024) 返回了 19 字节：b'helloworldhowareyou'",
        "[client] 第 3 次 read：479 字节 = 回复 1 的 2048..2500 字节 + 回复 2 的 0..27 字节（整个回复）",
        "[kernel] 从内核读回客户端套接字的 TCP_NODELAY：开",
        "[server] recvmsg(1024) 返回了 1024 字节，msg_flags：MSG_TRUNC（数据报被截断了）",
        "剩下的 476 字节已经丢了",
    ] {
        assert!(zh.contains(line), "missing {line:?} in:\n{zh}");
    }
}

#[test]
fn help_and_errors_speak_chinese_too() {
    let (code, help, _) = run_demo(BIN, &["--lang", "zh", "--help"]);
    assert_eq!(code, 0);
    assert!(
        help.starts_with("sticky-demo：") && help.contains("用法：") && help.contains("场景"),
        "{help}"
    );
    let (code, _, err) = run_demo(BIN, &["--lang", "zh", "--size", "0"]);
    assert_eq!(code, 1);
    assert_eq!(err, "错误：--size 必须在 1 到 65536 之间；见 --help\n");
    // The locale alone asks for Chinese: what a student with a Chinese
    // desktop gets from `cargo run -p sticky-demo`.
    let out = std::process::Command::new(BIN)
        .arg("merge")
        .env("NO_COLOR", "1")
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .env("LANG", "zh_CN.UTF-8")
        .output_within();
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("── 第 3 步：服务端只读一次，就像课程里的 conn.recv(1024) ──"),
        "{text}"
    );
}
