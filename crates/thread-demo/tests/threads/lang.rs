//! The demo tells the same run in English and in Chinese: every line in
//! both, with the same sides and the same count of numbers
//! (demo_kit::lang::parity); its helper processes speak the language too.

use demo_kit::lang::parity::{assert_parity_by_side, Numbers};
use demo_kit::testing::run_demo;

const BIN: &str = env!("CARGO_BIN_EXE_thread-demo");

#[test]
fn the_chinese_run_lines_up_with_the_english_one() {
    // Both at once, each within the tour's limit (tour.rs).
    let ((code_en, en, _), (code_zh, zh, _)) = std::thread::scope(|s| {
        let zh = s.spawn(|| super::tour::run_tour(&["--work-ms", "20", "--lang", "zh"]));
        let en = super::tour::run_tour(&["--work-ms", "20", "--lang", "en"]);
        (en, zh.join().expect("the Chinese run panicked"))
    });
    assert_eq!((code_en, code_zh), (0, 0), "{en}\n{zh}");
    // Tids, timings and speed-ups differ from run to run, and threads
    // print in any order: each side's lines are compared in their order.
    // A thread's last line may even come out after the next step's title
    // (it happened once in ten runs on a loaded machine), so the titles are
    // counted, then left out of the line-by-line comparison.
    let titles = |text: &str| text.lines().filter(|l| l.starts_with("── ")).count();
    assert_eq!(titles(&en), titles(&zh), "{en}\n{zh}");
    // Likewise the two child threads of step 1 announce themselves in
    // either order ("子线程1" carries one more number than "子线程"): they
    // are counted, then left out.
    let started = |l: &str| l.contains("is running: pid") || l.contains("正在运行：pid");
    let count = |text: &str| text.lines().filter(|l| started(l)).count();
    assert_eq!(count(&en), count(&zh), "{en}\n{zh}");
    let body = |text: &str| {
        let lines: Vec<&str> = text
            .lines()
            .filter(|l| !l.starts_with("── ") && !started(l))
            .collect();
        lines.join("\n")
    };
    assert_parity_by_side(&body(&en), &body(&zh), Numbers::Count);
    // The helper processes (re-executed copies) were told the language.
    assert!(zh.contains("[child] [thread] 分离的线程已启动"), "{zh}");
    assert!(
        en.contains("[child] [thread] detached thread started"),
        "{en}"
    );
}

#[test]
fn help_and_errors_speak_chinese_too() {
    let (code, help, _) = run_demo(BIN, &["--lang", "zh", "--help"]);
    assert_eq!(code, 0);
    assert!(
        help.starts_with("thread-demo：") && help.contains("用法："),
        "{help}"
    );
    let (code, _, err) = run_demo(BIN, &["--lang", "zh", "--svg", "/tmp/x"]);
    assert_eq!(code, 1);
    assert!(err.starts_with("错误：--svg 画的是 --bench 的表"), "{err}");
}
