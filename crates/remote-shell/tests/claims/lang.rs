//! The demo tells the same run in English and in Chinese: every line in
//! both, with the same sides and the same count of numbers
//! (demo_kit::lang::parity); --help, the errors and the server's banner
//! speak Chinese too. What goes over the wire (the error texts a client
//! receives) is protocol data and stays as it is in both.

use demo_kit::lang::parity::{assert_parity, by_side, numbers, Numbers};
use demo_kit::testing::{run_demo, run_demo_en_zh, OutputWithin};

const BIN: &str = env!("CARGO_BIN_EXE_remote-shell");

/// [`by_side`], then each run of `[server]` lines ordered by how many
/// numbers they hold (stable). The server's threads log at the same time:
/// a connection's "hung up" (its peer's address and port) may come after
/// the accept loop's "stopping" (no number) when the machine is busy. The
/// order of the other sides' lines, and each line's words and numbers,
/// are still compared.
fn steady(text: &str) -> String {
    let mut out: Vec<&str> = Vec::new();
    let mut server: Vec<&str> = Vec::new();
    let grouped = by_side(text);
    for line in grouped.lines() {
        if line.starts_with("[server] ") {
            server.push(line);
            continue;
        }
        server.sort_by_key(|l| numbers(l).len());
        out.append(&mut server);
        out.push(line);
    }
    server.sort_by_key(|l| numbers(l).len());
    out.append(&mut server);
    out.join("\n")
}

#[test]
fn the_chinese_run_lines_up_with_the_english_one() {
    let ((code_en, en, err_en), (code_zh, zh, err_zh)) = run_demo_en_zh(BIN, &[]);
    assert_eq!((code_en, code_zh), (0, 0), "{err_en}\n{err_zh}");
    // Ports, pids and the output's sizes differ between the runs: the
    // count of numbers on each line may not.
    assert_parity(&steady(&en), &steady(&zh), Numbers::Count);
    for line in [
        "── 第 1 步：课程协议，逐字节来看 ──",
        "[client] 发出命令，没有分帧：b'echo \\xe4\\xbd\\xa0\\xe5\\xa5\\xbd; ls /nope'",
        " = struct.unpack('i') = ",
        "：报头的长度",
        "[note] 课程里的客户端会用 decode('gbk') 打印这些字节：",
        "── 第 2 步：分帧协议：stdout 和 stderr 分开、退出状态、超时 ──",
        "超时：连同它启动的一切一起被杀掉；stdout 8 字节，stderr 0 字节；已回收",
        "[client]   退出：退出码 None，信号 Some(9)，是否超时 true",
        "[server] 已停止：所有连接都已关闭，所有命令都已回收",
    ] {
        assert!(zh.contains(line), "missing {line:?} in:\n{zh}");
    }
}

#[test]
fn help_and_errors_speak_chinese_too() {
    let (code, help, _) = run_demo(BIN, &["--lang", "zh", "--help"]);
    assert_eq!(code, 0);
    assert!(
        help.starts_with("remote-shell：") && help.contains("用法：") && help.contains("--lang L"),
        "{help}"
    );
    let (code, _, err) = run_demo(BIN, &["--lang", "zh", "server", "--timeout", "0"]);
    assert_eq!(code, 1);
    assert_eq!(err, "错误：--timeout 必须是正的秒数\n");
    let (code, _, err) = run_demo(BIN, &["--lang", "zh", "server", "--addr", "0.0.0.0:0"]);
    assert_eq!(code, 1);
    assert!(
        err.starts_with("错误：拒绝绑定 0.0.0.0:0：它不是回环地址")
            && err.contains("请加上 --allow-remote 和口令"),
        "{err}"
    );
    let (code, _, err) = run_demo(BIN, &["--lang", "zh", "client", "--protocol", "ssh"]);
    assert_eq!(code, 1);
    assert!(
        err.contains("没有 \"ssh\" 这个协议：请用 course 或 framed"),
        "{err}"
    );
    let (code, _, err) = run_demo(BIN, &["--lang", "xx"]);
    assert_eq!(code, 1);
    assert!(
        err.contains("\"xx\"") && err.contains("use en or zh") && err.contains("请用 en 或 zh"),
        "{err}"
    );
    // The locale alone asks for Chinese: what a student with a Chinese
    // desktop gets. A simple server asked to serve no client narrates its
    // banner and exits.
    let out = std::process::Command::new(BIN)
        .args(["simple-server", "--addr", "127.0.0.1:0", "--clients", "0"])
        .env("NO_COLOR", "1")
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .env("LANG", "zh_CN.UTF-8")
        .output_within();
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.starts_with("[server] 在 127.0.0.1:")
            && text.contains("上监听（笔记里的服务端，改对了的版本；一次服务一个客户端）")
            && text
                .contains("[note] 警告：任何连得上它的人（只限本机回环），它都会替他执行任何命令"),
        "{text}"
    );
}
