//! The demo tells the same run in English and in Chinese: every line in
//! both, with the same sides and the same count of numbers
//! (demo_kit::lang::parity); --help, the errors and the re-executed child
//! speak Chinese too.

use demo_kit::lang::parity::{assert_parity, Numbers};
use demo_kit::testing::{run_demo, run_demo_en_zh, OutputWithin};
use std::process::{Command, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_spawn-demo");

/// The English and the Chinese run of `args`, both at once
/// (run_demo_en_zh): each must end well.
fn en_and_zh(args: &[&str]) -> (String, String) {
    let ((code_en, en, err_en), (code_zh, zh, err_zh)) = run_demo_en_zh(BIN, args);
    assert_eq!((code_en, code_zh), (0, 0), "{err_en}\n{err_zh}");
    (en, zh)
}

#[test]
fn the_chinese_tour_lines_up_with_the_english_one() {
    let (en, zh) = en_and_zh(&["--work-ms", "10"]);
    // The parent narrates in time order, the children only while it waits
    // for them: line by line. Pids, times and ratios differ from run to
    // run, and so may which note on who ran first and which verdict: their
    // count of numbers may not.
    assert_parity(&en, &zh, Numbers::Count);
    for words in [
        "── 第 1 步：方式一 Process(target=task, args=('子进程',)) = fork() + 一个闭包 ──",
        "[child] 子进程1：运行结束",
        // Step 3's child is a fresh program that never sees --lang: the
        // language reaches it through LC_ALL.
        "[child] 子进程2：开始运行，这是一个全新的程序（pid ",
        "=== 串行：启动 A，join A，启动 B，join B ===",
        "=== 并行：两个都启动，内核可以用上每一个核 ===",
        "（串行墙钟时间的一半）；并行用了它的 ",
        "[kernel] 没有剩下子进程：",
    ] {
        assert!(zh.contains(words), "missing {words:?} in:\n{zh}");
    }
}

#[test]
fn the_chinese_bench_lines_up_with_the_english_one() {
    let (en, zh) = en_and_zh(&["--bench", "--runs", "10"]);
    assert_parity(&en, &zh, Numbers::Count);
    assert!(zh.contains("[note] 重新执行 / fork = "), "{zh}");
}

#[test]
fn help_and_errors_speak_chinese_too() {
    let (code, help, _) = run_demo(BIN, &["--lang", "zh", "--help"]);
    assert_eq!(code, 0);
    assert!(
        help.starts_with("spawn-demo：开启进程的两种方式")
            && help.contains("用法：")
            && help.contains("--lang L"),
        "{help}"
    );
    let (code, _, err) = run_demo(BIN, &["--lang", "zh", "--work-ms", "3"]);
    assert_eq!(code, 1);
    assert_eq!(err, "错误：--work-ms 必须在 10 到 5000 之间；见 --help\n");
    // The locale alone asks for Chinese, as the runner's rule says: here
    // in the re-executed child, which the demo starts without --lang.
    let out = Command::new(BIN)
        .args([spawn_demo::respawn::HIDDEN, "course", "子进程9"])
        .stdin(Stdio::null())
        .env("NO_COLOR", "1")
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .env("LANG", "zh_CN.UTF-8")
        .output_within();
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("[child] 子进程9：开始运行，这是一个全新的程序")
            && text.contains("[child] 子进程9：运行结束"),
        "{text}"
    );
}
