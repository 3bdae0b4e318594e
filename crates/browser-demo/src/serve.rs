//! `serve`: the server for a real browser. It runs until Ctrl-C, and logs
//! every request raw, with `\r\n` made visible, so you can compare what
//! your browser sends with what our hand-written client sends.

use crate::http;
use crate::server::{self, Event, Timeouts};
use demo_kit::cli::Args;
use demo_kit::say::say;
use demo_kit::{bail_msg, Context, Result, Side};
use std::time::Duration;

/// Serves on `addr` (already checked: loopback, or allowed) until Ctrl-C.
pub fn serve(addr: &str, timeouts: Timeouts) -> Result<()> {
    let (tx, events) = crossbeam_channel::unbounded();
    let running = server::start(addr, timeouts, tx)?;
    say(
        Side::Server,
        format!(
            "listening on {}: open http://{}/ in your browser (Ctrl-C stops)",
            running.addr, running.addr
        ),
    );
    if !running.addr.ip().is_loopback() {
        say(
            Side::Note,
            "WARNING: not loopback: any machine that can reach this address can load the page",
        );
    }
    let (stop_tx, stop) = crossbeam_channel::bounded(1);
    ctrlc::set_handler(move || {
        let _ = stop_tx.try_send(());
    })
    .context("installing the Ctrl-C handler")?;
    loop {
        crossbeam_channel::select! {
            recv(events) -> e => match e { Ok(e) => narrate(&e), Err(_) => break },
            recv(stop) -> _ => break,
        }
    }
    running.stop();
    say(Side::Server, "stopped");
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
            .with_context(|| format!("{name} must be a number of seconds between 0 and 3600"))
    };
    let head = secs(args.value("--head-timeout")?, 5.0, "--head-timeout")?;
    let idle = secs(args.value("--idle-timeout")?, 15.0, "--idle-timeout")?;
    args.finish()?;
    let ip: std::net::SocketAddr = addr.parse().map_err(|e| {
        demo_kit::Error::msg(format!(
            "bad --addr {addr:?} ({e}): use IP:PORT, e.g. 127.0.0.1:8080"
        ))
    })?;
    if !ip.ip().is_loopback() && !allow_remote {
        return bail_msg(format!("{addr} is not a loopback address: other machines could connect; add --allow-remote if you mean it"));
    }
    serve(&addr, Timeouts { idle, head })
}

/// Prints one event the way `serve` logs it: the request raw, `\r\n` visible.
pub fn narrate(event: &Event) {
    match event {
        Event::Accepted { conn, peer } => say(
            Side::Server,
            format!("accept(): connection #{conn} from {peer}"),
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
                format!(
                    "connection #{conn} ({peer}), request #{nth}, {} bytes of head:",
                    request.raw_head.len()
                ),
            );
            for line in http::visible_lines(&request.raw_head) {
                say(Side::Server, format!("    {line}"));
            }
            say(
                Side::Server,
                format!(
                    "answered {status} {} ({reply_len} bytes)",
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
            format!("connection #{conn} ({peer}): refused ({status}): {why}"),
        ),
        Event::Closed { conn, peer, why } => say(
            Side::Server,
            format!("connection #{conn} ({peer}) ended: {why}"),
        ),
    }
}
