//! `cargo run -p handshake-demo [-- MODE]`: picks a mode and runs it.
//! Each mode lives in its own module of the library; read those.

use demo_kit::cli::Args;
use demo_kit::{bail_msg, Result};
use std::process::ExitCode;

const HELP: &str = "\
handshake-demo: the TCP handshake (三次握手), teardown (四次挥手) and backlog (半连接池)
on your own kernel.

usage: handshake-demo [MODE] [--ipv6]

modes:
  states   (default) one connection from listen() to TIME_WAIT; both ends'
           states read from TCP_INFO and /proc/net/tcp after each step,
           then FIN_WAIT1 and LAST_ACK made visible
  backlog  a listener that never accepts: what listen(N) really limits
           (see: handshake-demo backlog --help)
  sniff    the real packets with their seq/ack numbers (needs root or
           CAP_NET_RAW; see: handshake-demo sniff --help)
  reuse    restart a server on the same port, with and without SO_REUSEADDR

options:
  --ipv6   use [::1] instead of 127.0.0.1
  -h, --help  this text (also after a mode, for that mode's options)
";

fn main() -> ExitCode {
    demo_kit::fail::run(run)
}

fn run() -> Result<()> {
    let words: Vec<String> = std::env::args().skip(1).collect();
    let mode = words.iter().find(|w| !w.starts_with('-')).cloned();
    match mode.as_deref() {
        None | Some("states") => {
            let mut a = Args::parse(HELP);
            a.positional();
            let ipv6 = a.flag("--ipv6");
            a.finish()?;
            handshake_demo::tour::run(ipv6)?;
            Ok(())
        }
        Some(other) => {
            Args::parse(HELP);
            bail_msg(format!("unknown mode {other:?}; see --help"))
        }
    }
}
