//! The demo tells the same run in English and in Chinese: every line in
//! both, with the same sides and the same count of numbers
//! (demo_kit::lang::parity); --help and the errors speak Chinese too, and
//! so do the forked children, which print their own lines.

use demo_kit::lang::parity::{assert_parity, Numbers};
use demo_kit::testing::{run_demo, run_demo_en_zh, OutputWithin};

const BIN: &str = env!("CARGO_BIN_EXE_join-terminate-demo");

#[test]
fn the_chinese_run_lines_up_with_the_english_one() {
    let _running = super::a_demo_runs();
    let ((code_en, en, err_en), (code_zh, zh, err_zh)) = run_demo_en_zh(BIN, &[]);
    assert_eq!((code_en, code_zh), (0, 0), "{err_en}\n{err_zh}");
    // The parent narrates in time order, and each child prints only while
    // the parent waits for it: line by line. Pids and times differ from
    // run to run, and so may which of the two notes follows the first
    // kill() (the race the demo reports): their count of numbers may not.
    assert_parity(&en, &zh, Numbers::Count);
    for words in [
        "=== 进程的方法与属性：背后是哪些 Unix 系统调用 ===",
        "── 第 1 步：join = waitpid：先成为僵尸进程，再被回收 ──",
        // A forked child's own line, not the parent's.
        "，现在以退出码 7 退出",
        "：状态 Z——僵尸进程（comm \"join-terminate-\"；",
        "；Python 的 p.exitcode = 7",
        "：这个子进程忽略 SIGTERM（SIG_IGN）",
        "[kernel] /proc/<pid>/status 的 SigIgn 里，信号 15 对应的位（0x4000）已置位：SIGTERM 被忽略",
        "[child] （通过管道）我的 SIGTERM 信号处理函数正在运行",
        "；Python 的 p.exitcode = -9；从 SIGTERM 到回收用了 ",
        "[kernel] 已回收  /proc 状态 无   kill(",
        "[kernel] 僵尸    /proc 状态 Z    kill(",
        "[note] kill(pid, 0) 对僵尸进程也成功了：",
        "/comm = \"子进程1\"",
        // The orphan's parent P, a forked child too.
        "：启动了 pid ",
        " → 被收养，新的父进程是本演示程序（子进程收割者）",
        "[kernel] /proc：没有哪个进程的父进程是本演示程序——每个子进程都被回收了",
    ] {
        assert!(zh.contains(words), "missing {words:?} in:\n{zh}");
    }
}

#[test]
fn help_and_errors_speak_chinese_too() {
    let _running = super::a_demo_runs();
    let (code, help, _) = run_demo(BIN, &["--lang", "zh", "--help"]);
    assert_eq!(code, 0);
    assert!(
        help.starts_with("join-terminate-demo：Python 的 Process")
            && help.contains("用法：")
            && help.contains("--lang L"),
        "{help}"
    );
    let (code, _, err) = run_demo(BIN, &["--lang", "zh", "--name", ""]);
    assert_eq!(
        (code, err.as_str()),
        (1, "错误：--name 不能为空；见 --help\n")
    );
    let (code, _, err) = run_demo(BIN, &["--lang", "zh", "--exit-code", "300"]);
    assert_eq!(code, 1);
    assert!(
        err.starts_with("错误：--exit-code 的值 \"300\" 不对"),
        "{err}"
    );
    // A language it does not speak is a clear error, in both languages.
    let (code, out, err) = run_demo(BIN, &["--lang", "xx"]);
    assert_eq!((code, out.as_str()), (1, ""));
    assert!(
        err.contains("use en or zh") && err.contains("请用 en 或 zh"),
        "{err}"
    );
    // The locale alone asks for Chinese: what a student with a Chinese
    // desktop gets from `cargo run -p join-terminate-demo`.
    let out = std::process::Command::new(BIN)
        .env("NO_COLOR", "1")
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .env("LANG", "zh_CN.UTF-8")
        .output_within();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(
        text.contains("── 第 5 步：孤儿进程：父进程先退出 ──")
            && text.contains("，现在以退出码 7 退出"),
        "{text}"
    );
}
