//! `serve`: the server for a real browser. It runs until Ctrl-C, and logs
//! every request raw, with `\r\n` made visible, so you can compare what
//! your browser sends with what our hand-written client sends.

use crate::http;
use crate::server::{self, Event, Timeouts};
use demo_kit::say::say;
use demo_kit::{Context, Result, Side};

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
