//! `serve`: the server for a real browser. It runs until Ctrl-C, and logs
//! every request raw, with `\r\n` made visible, so you can compare what
//! your browser sends with what our hand-written client sends.

use crate::http;
use crate::server::{self, Event, Timeouts};
use demo_kit::cli::Args;
use demo_kit::say::say;
use demo_kit::{bail_msg, tr, Context, Result, Side};
use std::time::Duration;

/// Serves on `addr` (already checked: loopback, or allowed) until Ctrl-C.
pub fn serve(addr: &str, timeouts: Timeouts) -> Result<()> {
    let (tx, events) = crossbeam_channel::unbounded();
    let running = server::start(addr, timeouts, tx)?;
    say(
        Side::Server,
        tr!(
            "listening on {}: open http://{}/ in your browser (Ctrl-C stops)",
            "在 {} 上监听：在浏览器里打开 http://{}/（按 Ctrl-C 停止）",
            running.addr,
            running.addr
        ),
    );
    if !running.addr.ip().is_loopback() {
        say(
            Side::Note,
            tr!(
                "WARNING: not loopback: any machine that can reach this address can load the page",
                "警告：这不是回环地址：任何能访问到这个地址的机器都能打开这个页面"
            ),
        );
    }
    let (stop_tx, stop) = crossbeam_channel::bounded(1);
    ctrlc::set_handler(move || {
        let _ = stop_tx.try_send(());
    })
    .context(tr!("installing the Ctrl-C handler", "安装 Ctrl-C 处理函数"))?;
    loop {
        crossbeam_channel::select! {
            recv(events) -> e => match e { Ok(e) => narrate(&e), Err(_) => break },
            recv(stop) -> _ => break,
        }
    }
    running.stop();
    say(Side::Server, tr!("stopped", "已停止"));
    Ok(())
}

/// The `serve` subcommand: its options checked (a non-loopback address only
/// with `--allow-remote`), then [`serve`] until Ctrl-C.
pub fn from_args(mut args: Args) -> Result<()> {
    let addr = args
        .value::<String>("--addr")?
        .unwrap_or_else(|| "127.0.0.1:8080".into());
    let allow_remote = args.flag("--allow-remote");
    let secs = |v: Option<f64>, d: f64, name: &str| {
        Duration::try_from_secs_f64(v.unwrap_or(d))
            .ok()
            .filter(|d| !d.is_zero() && d.as_secs() <= 3600)
            .with_context(|| {
                tr!(
                    "{name} must be a number of seconds between 0 and 3600",
                    "{name} 必须是 0 到 3600 之间的秒数"
                )
            })
    };
    let head = secs(args.value("--head-timeout")?, 5.0, "--head-timeout")?;
    let idle = secs(args.value("--idle-timeout")?, 15.0, "--idle-timeout")?;
    args.finish()?;
    let ip: std::net::SocketAddr = addr.parse().map_err(|e| {
        demo_kit::Error::msg(tr!(
            "bad --addr {addr:?} ({e}): use IP:PORT, e.g. 127.0.0.1:8080",
            "--addr {addr:?} 不对（{e}）：要写成 IP:PORT，例如 127.0.0.1:8080"
        ))
    })?;
    if !ip.ip().is_loopback() && !allow_remote {
        return bail_msg(tr!(
            "{addr} is not a loopback address: other machines could connect; add --allow-remote if you mean it",
            "{addr} 不是回环地址：别的机器也能连上来；如果确实要这样，请加上 --allow-remote"
        ));
    }
    serve(&addr, Timeouts { idle, head })
}

/// Prints one event the way `serve` logs it: the request raw, `\r\n` visible.
pub fn narrate(event: &Event) {
    match event {
        Event::Accepted { conn, peer } => say(
            Side::Server,
            tr!(
                "accept(): connection #{conn} from {peer}",
                "accept()：来自 {peer} 的连接 #{conn}"
            ),
        ),
        Event::Served {
            conn,
            peer,
            nth,
            request,
            status,
            reply_len,
        } => {
            say(
                Side::Server,
                tr!(
                    "connection #{conn} ({peer}), request #{nth}, {} bytes of head:",
                    "连接 #{conn}（{peer}），请求 #{nth}，报头 {} 个字节：",
                    request.raw_head.len()
                ),
            );
            for line in http::visible_lines(&request.raw_head) {
                say(Side::Server, format!("    {line}"));
            }
            say(
                Side::Server,
                tr!(
                    "answered {status} {} ({reply_len} bytes)",
                    "回复 {status} {}（{reply_len} 个字节）",
                    http::reason(*status)
                ),
            );
        }
        Event::Refused {
            conn,
            peer,
            status,
            why,
        } => say(
            Side::Server,
            tr!(
                "connection #{conn} ({peer}): refused ({status}): {why}",
                "连接 #{conn}（{peer}）：已拒绝（{status}）：{why}"
            ),
        ),
        Event::Closed { conn, peer, why } => say(
            Side::Server,
            tr!(
                "connection #{conn} ({peer}) ended: {why}",
                "连接 #{conn}（{peer}）结束：{why}"
            ),
        ),
    }
}
