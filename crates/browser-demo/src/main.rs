//! `cargo run -p browser-demo`: B/S (browser <-> server). A browser is one
//! more TCP client; what makes it a *browser* client is that it speaks
//! HTTP, so our server must too. The default run plays the browser with a
//! hand-written client; `serve` lets a real browser in.

use browser_demo::client;
use browser_demo::server::{self, Timeouts};
use demo_kit::cli::Args;
use demo_kit::say::{heading, say, step};
use demo_kit::{bail_msg, Result, Side};
use std::process::ExitCode;

mod help;

fn main() -> ExitCode {
    demo_kit::fail::run(run)
}

fn run() -> Result<()> {
    let mut args = Args::parse(help::HELP);
    match args.positional().as_deref() {
        None => {
            args.finish()?;
            demo()
        }
        Some("serve") => browser_demo::serve::from_args(args),
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
