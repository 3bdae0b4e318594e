//! `cargo run -p browser-demo`: B/S (browser <-> server). A browser is one
//! more TCP client; what makes it a *browser* client is that it speaks
//! HTTP, so our server must too. The default run plays the browser with a
//! hand-written client; `serve` lets a real browser in.

use browser_demo::client;
use browser_demo::server::{self, Timeouts};
use demo_kit::cli::Args;
use demo_kit::say::{heading, say, step};
use demo_kit::{bail_msg, Context, Result, Side};
use std::process::ExitCode;
use std::time::Duration;

const HELP: &str = "\
browser-demo: a browser is just another TCP client (B/S vs C/S)

USAGE:
    cargo run -p browser-demo                  the default run: about a second, no browser needed
    cargo run -p browser-demo -- serve [OPTIONS]   serve a real browser until Ctrl-C

The default run starts an HTTP/1.1 server written by hand on 127.0.0.1 (a
port the kernel picks), sends it two requests on one connection, shows the
bytes, and splits the two replies by Content-Length; then sends bad requests.

SERVE OPTIONS:
    --addr IP:PORT        default 127.0.0.1:8080 (port 0: the kernel picks one)
    --allow-remote        allow a non-loopback address (the page shows each visitor its request)
    --head-timeout SECS   a request head must be complete this long after its first byte (default 5)
    --idle-timeout SECS   an idle keep-alive connection is closed after this (default 15)
    -h, --help            this text";

fn main() -> ExitCode {
    demo_kit::fail::run(run)
}

fn run() -> Result<()> {
    let mut args = Args::parse(HELP);
    match args.positional().as_deref() {
        None => {
            args.finish()?;
            demo()
        }
        Some("serve") => serve(args),
        Some(other) => bail_msg(format!("unknown command {other:?}; see --help")),
    }
}

fn demo() -> Result<()> {
    let (tx, events) = crossbeam_channel::unbounded();
    let running = server::start("127.0.0.1:0", Timeouts::default(), tx)?;
    heading("B/S: an HTTP server written by hand on a TcpListener");
    say(
        Side::Server,
        format!(
            "listening on {} (bind + listen; the kernel picked the port)",
            running.addr
        ),
    );
    step(
        1,
        "two requests on one keep-alive connection, two replies in one read()",
    );
    client::keep_alive(running.addr, &events)?;
    step(
        2,
        "bad requests: each is refused, and the server keeps serving",
    );
    client::bad_requests(running.addr, &events)?;
    say(Side::Note, "C/S: in remote-shell we wrote both ends and chose the protocol; B/S: the browser is written, so the server speaks HTTP");
    say(
        Side::Note,
        "now try a real browser: cargo run -p browser-demo -- serve",
    );
    running.stop();
    Ok(())
}

/// `serve`: options checked here, then a server for a real browser.
fn serve(mut args: Args) -> Result<()> {
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
    browser_demo::serve::serve(&addr, Timeouts { idle, head })
}
