//! The demo tells the same run in English and in Chinese: every line in
//! both, with the same sides and the same count of numbers
//! (demo_kit::lang::parity); --help and the errors speak Chinese too.

use demo_kit::lang::parity::{assert_parity, Numbers};
use demo_kit::testing::{run_demo, run_demo_en_zh, OutputWithin};

const BIN: &str = env!("CARGO_BIN_EXE_memory-isolation-demo");

#[test]
fn the_chinese_run_lines_up_with_the_english_one() {
    // Both runs at once, each its own process: the test waits for the longer.
    let ((code_en, en, err_en), (code_zh, zh, err_zh)) = run_demo_en_zh(BIN, &[]);
    assert_eq!((code_en, code_zh), (0, 0), "{err_en}\n{err_zh}");
    // The parent narrates every line, in time order (children report
    // through a pipe): line by line. Addresses, frames and pids differ
    // between the two runs; their count may not.
    assert_parity(&en, &zh, Numbers::Count);
    for line in [
        "── 第 1 步：课程里的 x = 100：子进程把 x 设成 0 ──",
        "[parent] print(x) -> 100\n[note] 子进程改的是它自己那一份：进程之间不共享内存",
        "[note] 线程共用同一个地址空间：线程里的 x 就是父进程的 x",
        "[note] 子进程看到的是 100（fork 那一刻的 x），而不是父进程后来写的 1：fork 给它的是一份快照",
        "所有子进程都已回收",
    ] {
        assert!(zh.contains(line), "missing {line:?} in:\n{zh}");
    }
    // The page table, in whichever form this process may see it.
    assert!(
        zh.contains(
            "[child] /proc/self/pagemap：刚 fork 完时 x 所在的页：与另一个进程共享，物理页框 "
        ) || zh.contains("没有 /proc/self/pagemap"),
        "{zh}"
    );
}

#[test]
fn help_and_errors_speak_chinese_too() {
    let (code, help, _) = run_demo(BIN, &["--lang", "zh", "--help"]);
    assert_eq!(code, 0);
    assert!(
        help.starts_with("memory-isolation-demo：")
            && help.contains("用法：")
            && help.contains("选项："),
        "{help}"
    );
    let (code, _, err) = run_demo(BIN, &["--lang", "zh", "--bogus"]);
    assert_eq!(code, 1);
    assert!(err.starts_with("错误："), "{err}");
    let (code, _, err) = run_demo(BIN, &["--lang", "xx"]);
    assert_eq!(code, 1);
    assert!(
        err.contains("use en or zh") && err.contains("请用 en 或 zh"),
        "{err}"
    );
    // The locale alone asks for Chinese: what a student with a Chinese
    // desktop gets from `cargo run -p memory-isolation-demo`.
    let out = std::process::Command::new(BIN)
        .env("NO_COLOR", "1")
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .env("LANG", "zh_CN.UTF-8")
        .output_within();
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("── 第 3 步：写时复制：同一个地址，两个值 ──"),
        "{text}"
    );
}

/// Without CAP_SYS_ADMIN the demo takes its other branch (frames hidden,
/// one note instead of three): that branch lines up in both languages too.
#[test]
fn without_cap_sys_admin_the_chinese_run_lines_up_too() {
    if !nix::unistd::geteuid().is_root() {
        demo_kit::testing::skip("not root, cannot drop CAP_SYS_ADMIN to compare");
        return;
    }
    let run = |lang: &str| {
        let args = [
            "--inh-caps=-sys_admin",
            "--bounding-set=-sys_admin",
            BIN,
            "--lang",
            lang,
        ];
        run_demo("setpriv", &args)
    };
    let ((code_en, en, err_en), (code_zh, zh, err_zh)) = std::thread::scope(|s| {
        let zh = s.spawn(|| run("zh"));
        (run("en"), zh.join().expect("the Chinese run"))
    });
    if code_en != 0 && (err_en.contains("Permission denied") || err_en.contains("setpriv:")) {
        demo_kit::testing::skip(&format!("setpriv could not run the demo here: {err_en}"));
        return;
    }
    assert_eq!((code_en, code_zh), (0, 0), "{err_en}\n{err_zh}");
    assert_parity(&en, &zh, Numbers::Count);
    assert!(
        zh.contains("物理页框 不可见（需要 CAP_SYS_ADMIN）")
            && zh.contains("[note] 没有 CAP_SYS_ADMIN 的进程看不到物理页框号"),
        "{zh}"
    );
}
