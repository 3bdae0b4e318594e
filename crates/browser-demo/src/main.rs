//! `cargo run -p browser-demo`: B/S (browser <-> server). A browser is one
//! more TCP client; what makes it a *browser* client is that it speaks
//! HTTP, so our server must too. The default run plays the browser with a
//! hand-written client; `serve` lets a real browser in.

use browser_demo::client;
use browser_demo::server::{self, Timeouts};
use demo_kit::cli::Args;
use demo_kit::say::{heading, say, step};
use demo_kit::{bail_msg, tr, Result, Side};
use std::process::ExitCode;

mod help;

fn main() -> ExitCode {
    demo_kit::fail::run(run)
}

fn run() -> Result<()> {
    let mut args = Args::parse((help::HELP, help::HELP_ZH));
    match args.positional().as_deref() {
        None => {
            args.finish()?;
            demo()
        }
        Some("serve") => browser_demo::serve::from_args(args),
        Some(other) => bail_msg(tr!(
            "unknown command {other:?}; see --help",
            "未知命令 {other:?}；见 --help"
        )),
    }
}

fn demo() -> Result<()> {
    let (tx, events) = crossbeam_channel::unbounded();
    let running = server::start("127.0.0.1:0", Timeouts::default(), tx)?;
    heading(tr!(
        "B/S: an HTTP server written by hand on a TcpListener",
        "B/S：在 TcpListener 上手写的 HTTP 服务端"
    ));
    say(
        Side::Server,
        tr!(
            "listening on {} (bind + listen; the kernel picked the port)",
            "在 {} 上监听（bind + listen；端口由内核挑选）",
            running.addr
        ),
    );
    step(
        1,
        tr!(
            "two requests on one keep-alive connection, two replies in one read()",
            "一个长连接上发两个请求，一次 read() 收到两个回复"
        ),
    );
    client::keep_alive(running.addr, &events)?;
    step(
        2,
        tr!(
            "bad requests: each is refused, and the server keeps serving",
            "有问题的请求：每个都被拒绝，服务端照常服务"
        ),
    );
    client::bad_requests(running.addr, &events)?;
    say(
        Side::Note,
        tr!(
            "C/S: in remote-shell we wrote both ends and chose the protocol; B/S: the browser is written, so the server speaks HTTP",
            "C/S：remote-shell 里两端都是我们写的，协议也由我们定；B/S：浏览器是现成的，所以服务端得讲 HTTP"
        ),
    );
    say(
        Side::Note,
        tr!(
            "now try a real browser: cargo run -p browser-demo -- serve",
            "接下来用真正的浏览器试试：cargo run -p browser-demo -- serve"
        ),
    );
    running.stop();
    Ok(())
}
