//! The demo tells the same run in English and in Chinese: every line in
//! both, with the same sides and the same numbers
//! (demo_kit::lang::parity); --help and the errors speak Chinese too.

use demo_kit::lang::parity::{assert_parity, Numbers};
use demo_kit::testing::{run_demo, run_demo_en_zh, OutputWithin};

const BIN: &str = env!("CARGO_BIN_EXE_length-prefix-demo");

#[test]
fn the_chinese_run_lines_up_with_the_english_one() {
    // Both runs at once, each its own process: the test waits for the longer.
    let ((code_en, en, err_en), (code_zh, zh, err_zh)) = run_demo_en_zh(BIN, &[]);
    assert_eq!((code_en, code_zh), (0, 0), "{err_en}\n{err_zh}");
    // The server narrates once the client thread is done, so the lines come
    // in one order; the run is deterministic (the English tests hold
    // its read sizes too), so the numbers must be the same, not just as many.
    assert_parity(&en, &zh, Numbers::Same);
    for line in [
        "=== merge：紧挨着连发的几个小帧 ===",
        "[kernel] 服务端套接字上的 FIONREAD：队列里有 39 字节——5 帧全到了，服务端还一个字节都没读",
        "[note]   所有消息粘在了一起（粘包）——但每条消息前面都有它的长度：",
        "[server] read_frame 6：在两帧之间读到数据流结束 -> Ok(None)：客户端正常关闭了连接",
        "[server] 正文：反复 read(min(1024, remaining))，直到读满 total_size：1024 + 1024 + 952 = 3000 字节",
        "——回复 1 没有吞掉它的任何字节",
        // framing's error is quoted as it is, like kernel output.
        "[server] read_header：拒绝了：“the header is not a JSON object: number out of range",
        "[server] 正文（42 字节）：",
    ] {
        assert!(zh.contains(line), "missing {line:?} in:\n{zh}");
    }
    assert!(!zh.contains("不一致"), "{zh}");
}

#[test]
fn help_and_errors_speak_chinese_too() {
    let (code, help, _) = run_demo(BIN, &["--lang", "zh", "--help"]);
    assert_eq!(code, 0);
    assert!(
        help.starts_with("length-prefix-demo：")
            && help.contains("用法：")
            && help.contains("场景"),
        "{help}"
    );
    let (code, _, err) = run_demo(BIN, &["--lang", "zh", "--size", "99999999"]);
    assert_eq!(code, 1);
    assert_eq!(err, "错误：--size 必须在 0 到 16777216 之间；见 --help\n");
    let (code, _, err) = run_demo(BIN, &["--lang", "xx"]);
    assert_eq!(code, 1);
    assert!(
        err.contains("use en or zh") && err.contains("请用 en 或 zh"),
        "{err}"
    );
    // The locale alone asks for Chinese: what a student with a Chinese
    // desktop gets from `cargo run -p length-prefix-demo`.
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
        text.contains("[note] 5 条消息中有 5 条读出来和发送时完全一样"),
        "{text}"
    );
}
