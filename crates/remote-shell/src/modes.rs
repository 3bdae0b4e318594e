//! The three long-running modes of `remote-shell`: the notes' server done
//! right (`simple-server`), the hardened `server`, and the `client`. Each
//! parses its options, binds or connects, and hands over to the library.

use demo_kit::cli::Args;
use demo_kit::say::say;
use demo_kit::{tr, Context, Result, Side};
use remote_shell::client::{self, Client};
use remote_shell::security::TOKEN_ENV;
use remote_shell::server::{self, Config};
use remote_shell::Protocol;
use std::io::IsTerminal;
use std::net::{SocketAddr, TcpListener};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

pub const HELP: &str = "\
remote-shell: the course's 模拟ssh远程执行命令 (run commands remotely), done safely

USAGE:
    cargo run -p remote-shell [demo]                 both ends on 127.0.0.1, a few seconds
    cargo run -p remote-shell -- simple-server       the notes' server, done right (src/simple.rs):
                                                     one client at a time, framed both ways
    cargo run -p remote-shell -- server [OPTIONS]    the hardened server: run commands for clients
    cargo run -p remote-shell -- client [OPTIONS]    send commands read from stdin

SIMPLE-SERVER OPTIONS:
    --addr IP:PORT       default 127.0.0.1:8080
    --clients N          exit after serving N clients (default: serve until Ctrl-C)

OPTIONS (server and client):
    --addr IP:PORT       default 127.0.0.1:8080 (port 0: the kernel picks one)
    --protocol P         framed (default) or course (byte-compatible with the
                         course's Python programs)
    --token T            shared secret (or set REMOTE_SHELL_TOKEN)

SERVER OPTIONS:
    --timeout SECS       kill a command, and all it started, after SECS (default 10)
    --write-timeout SECS drop a client that does not read for SECS (default 10)
    --idle-timeout SECS  close a connection that sends no command for SECS
                         (default 300; framed clients get an error frame first)
    --hello-timeout SECS close a framed connection that sends no hello for
                         SECS (default 10)
    --allow-remote       allow a non-loopback address (framed only, needs a token)
    --lang L             the language: en or zh (default: from LC_ALL, LC_MESSAGES, LANG)

CLIENT:
    Reads one command per line; an empty line is skipped, `exit` or end of
    input ends it:  printf 'echo hi\\nls\\n' | cargo run -p remote-shell -- client

WARNING: the server runs any command for anyone who can connect.

Lesson: docs/07-remote-shell.md";

pub const HELP_ZH: &str = "\
remote-shell：课程里的“模拟ssh远程执行命令”，安全版

用法：
    cargo run -p remote-shell                        两端都在 127.0.0.1 上，跑几秒钟（默认的 `demo` 模式）
    cargo run -p remote-shell -- simple-server       笔记里的服务端，改对了的版本（src/simple.rs）：
                                                     一次服务一个客户端，收发两个方向都分帧
    cargo run -p remote-shell -- server [选项]       加固过的服务端：替客户端执行命令
    cargo run -p remote-shell -- client [选项]       从标准输入逐行读命令并发送

SIMPLE-SERVER 的选项：
    --addr IP:PORT       默认 127.0.0.1:8080
    --clients N          服务完 N 个客户端后退出（默认：一直服务，直到按 Ctrl-C）

选项（server 和 client 共用）：
    --addr IP:PORT       默认 127.0.0.1:8080（端口 0：由内核挑一个）
    --protocol P         framed（默认）或 course（与课程的 Python 程序
                         逐字节兼容）
    --token T            共享的口令（也可以设置 REMOTE_SHELL_TOKEN）

SERVER 的选项：
    --timeout SECS       命令运行超过 SECS 秒，就连同它启动的一切一起杀掉（默认 10）
    --write-timeout SECS 客户端 SECS 秒不读输出，就断开它（默认 10）
    --idle-timeout SECS  连接 SECS 秒没有发来命令，就关闭它
                         （默认 300；framed 客户端会先收到一个错误帧）
    --hello-timeout SECS framed 连接 SECS 秒内没有发来 hello，就关闭它
                         （默认 10）
    --allow-remote       允许绑定非回环地址（只限 framed，而且必须有口令）
    --lang L             输出语言：en 或 zh（默认看 LC_ALL、LC_MESSAGES、LANG）

CLIENT：
    每行读一条命令；空行跳过，输入 `exit` 或输入结束时退出：
    printf 'echo hi\\nls\\n' | cargo run -p remote-shell -- client

警告：服务端会替任何连得上它的人执行任何命令。

对应课程：docs/zh-CN/07-remote-shell.md";

/// `simple-server`: `socket` + `bind` + `listen`, then src/simple.rs.
pub fn simple_server(mut args: Args) -> Result<()> {
    let addr = args
        .value::<SocketAddr>("--addr")?
        .unwrap_or_else(|| SocketAddr::from(([127, 0, 0, 1], 8080)));
    let clients = args.value::<u64>("--clients")?;
    args.finish()?;
    remote_shell::security::check_bind(addr, Protocol::Course, false, None)?;
    let listener =
        TcpListener::bind(addr).map_err(|e| demo_kit::fail::bind_error(&addr.to_string(), &e))?;
    let bound = listener
        .local_addr()
        .context(tr!("reading the bound address", "读取绑定到的地址"))?;
    say(
        Side::Server,
        tr!(
            "listening on {bound} (the notes' server, done right; one client at a time)",
            "在 {bound} 上监听（笔记里的服务端，改对了的版本；一次服务一个客户端）"
        ),
    );
    say(
        Side::Note,
        tr!(
            "WARNING: it runs ANY command for ANYONE who can connect (loopback only), with no timeout.",
            "警告：任何连得上它的人（只限本机回环），它都会替他执行任何命令，而且没有超时。"
        ),
    );
    remote_shell::simple::run(&listener, clients)
        .context(tr!("accepting a client", "接受客户端的连接"))
}

/// Options both ends share.
fn common(args: &mut Args) -> Result<(SocketAddr, Protocol, Option<Vec<u8>>)> {
    let addr = args
        .value::<SocketAddr>("--addr")?
        .unwrap_or_else(|| SocketAddr::from(([127, 0, 0, 1], 8080)));
    let protocol = args
        .value::<Protocol>("--protocol")?
        .unwrap_or(Protocol::Framed);
    let token = match args.value::<String>("--token")? {
        Some(t) => Some(t.into_bytes()),
        None => std::env::var_os(TOKEN_ENV).map(|t| t.into_encoded_bytes()),
    };
    Ok((addr, protocol, token))
}

/// `server`: bind, print the banner, serve until Ctrl-C / SIGTERM.
pub fn server(mut args: Args) -> Result<()> {
    let (addr, protocol, token) = common(&mut args)?;
    let timeout = args.value::<f64>("--timeout")?.unwrap_or(10.0);
    let write_timeout = args.value::<f64>("--write-timeout")?.unwrap_or(10.0);
    let idle_timeout = args.value::<f64>("--idle-timeout")?.unwrap_or(300.0);
    let hello_timeout = args.value::<f64>("--hello-timeout")?.unwrap_or(10.0);
    let allow_remote = args.flag("--allow-remote");
    args.finish()?;
    let secs = |s: f64, name: &str| {
        Duration::try_from_secs_f64(s)
            .ok()
            .filter(|d| !d.is_zero())
            .with_context(|| {
                tr!(
                    "{name} must be a positive number of seconds",
                    "{name} 必须是正的秒数"
                )
            })
    };
    let config = Config {
        addr,
        protocol,
        timeout: secs(timeout, "--timeout")?,
        write_timeout: secs(write_timeout, "--write-timeout")?,
        idle_timeout: secs(idle_timeout, "--idle-timeout")?,
        hello_timeout: secs(hello_timeout, "--hello-timeout")?,
        allow_remote,
        token,
    };
    let server = server::bind(config.clone())?;
    let bound = server.local_addr()?;
    say(
        Side::Server,
        tr!(
            "listening on {bound} (protocol {protocol})",
            "在 {bound} 上监听（协议 {protocol}）"
        ),
    );
    banner(&config, bound);

    let stop = Arc::new(AtomicBool::new(false));
    let flag = Arc::clone(&stop);
    ctrlc::set_handler(move || flag.store(true, Ordering::SeqCst)).context(tr!(
        "installing the Ctrl-C/SIGTERM handler",
        "安装 Ctrl-C/SIGTERM 的处理函数"
    ))?;
    let summary = server.run(stop)?;
    say(
        Side::Server,
        tr!(
            "exiting cleanly after {} connection(s)",
            "服务过 {} 个连接，正常退出",
            summary.connections
        ),
    );
    Ok(())
}

/// The warning every run prints: this program is a remote shell.
fn banner(config: &Config, bound: SocketAddr) {
    say(
        Side::Note,
        tr!(
            "WARNING: this server runs ANY shell command for ANYONE who can connect to it, as your user.",
            "警告：任何连得上这个服务端的人，它都会以你的用户身份替他执行任何 shell 命令。"
        ),
    );
    if bound.ip().is_loopback() {
        say(
            Side::Note,
            tr!(
                "It listens on loopback only: programs on this machine can connect, the network cannot.",
                "它只监听回环地址：本机上的程序连得上，网络上的其他机器连不上。"
            ),
        );
    } else {
        say(
            Side::Note,
            tr!(
                "It listens on {bound}: other machines can connect; each must send the token first.",
                "它监听在 {bound}：其他机器也连得上；每个客户端都必须先发送口令。"
            ),
        );
    }
    if config.token.is_some() {
        say(
            Side::Note,
            tr!(
                "A token is required (compared in constant time).",
                "必须提供口令（用恒定时间比较）。"
            ),
        );
    }
    say(
        Side::Note,
        tr!(
            "Each command: own process group under its connection's keeper, killed with all it started after {:?}; Ctrl-C stops the server.",
            "每条命令都有自己的进程组，归所在连接的看守进程管；超过 {:?} 就连同它启动的一切一起杀掉；按 Ctrl-C 停止服务端。",
            config.timeout
        ),
    );
}

/// `client`: connect, then the course's input loop.
pub fn client(mut args: Args) -> Result<()> {
    let (addr, protocol, token) = common(&mut args)?;
    args.finish()?;
    let mut client = Client::connect(addr, protocol, token.as_deref())?;
    let stdin = std::io::stdin();
    let prompt = stdin.is_terminal();
    if prompt {
        eprintln!(
            "{}",
            demo_kit::say::line(
                Side::Client,
                tr!(
                    "connected to {addr} ({protocol}); `exit` to leave",
                    "已连接到 {addr}（{protocol}）；输入 `exit` 退出"
                ),
                false
            )
        );
    }
    let (mut out, mut err) = (std::io::stdout(), std::io::stderr());
    client::interactive(&mut client, &mut stdin.lock(), &mut out, &mut err, prompt)?;
    Ok(())
}
