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

const BACKLOG_HELP: &str = "\
handshake-demo backlog: what listen(N) really limits (半连接池 / accept queue).

usage: handshake-demo backlog [--backlog N] [--clients K] [--ipv6]

A listener made with listen(N) never calls accept(); K clients connect
without blocking. Watch N+1 of them finish the handshake and the rest wait in
SYN_SENT, then watch waiting clients get in once the server accepts.

options:
  --backlog N   the listen() backlog, 0..=1000 (default 2)
  --clients K   how many clients connect, 1..=20 (default N+3)
  --ipv6        use [::1] instead of 127.0.0.1
";

const REUSE_HELP: &str = "\
handshake-demo reuse: restart a server on the same port right after it closed
a connection, with and without SO_REUSEADDR (and see why the course needs it).

usage: handshake-demo reuse [--ipv6]

options:
  --ipv6   use [::1] instead of 127.0.0.1
";

const SNIFF_HELP: &str = "\
handshake-demo sniff: the real packets of one connection (SYN, SYN|ACK, ACK,
data, FIN...) with absolute and relative seq/ack numbers, read from a raw
socket and parsed by hand. Shows a four-way teardown and the three-packet one.

usage: handshake-demo sniff

needs CAP_NET_RAW: run as root (sudo ./target/debug/handshake-demo sniff) or
give the binary the capability: sudo setcap cap_net_raw+ep ./target/debug/handshake-demo
IPv4 only.
";

fn main() -> ExitCode {
    demo_kit::fail::run(run)
}

fn run() -> Result<()> {
    // The mode is the first word that is neither an option nor an
    // option's value (`--backlog 3 backlog` must not read "3" as a mode).
    let words: Vec<String> = std::env::args().skip(1).collect();
    let mut mode = None;
    let mut skip = false;
    for w in &words {
        if std::mem::take(&mut skip) {
            continue;
        }
        if w == "--backlog" || w == "--clients" {
            skip = true;
        } else if !w.starts_with('-') {
            mode = Some(w.clone());
            break;
        }
    }
    match mode.as_deref() {
        None | Some("states") => {
            let mut a = Args::parse(HELP);
            a.positional();
            let ipv6 = a.flag("--ipv6");
            a.finish()?;
            handshake_demo::tour::run(ipv6)?;
            Ok(())
        }
        Some("backlog") => {
            let mut a = Args::parse(BACKLOG_HELP);
            a.positional();
            let ipv6 = a.flag("--ipv6");
            let backlog = a.value::<i32>("--backlog")?.unwrap_or(2);
            let clients = a
                .value::<usize>("--clients")?
                .unwrap_or(backlog.max(0) as usize + 3);
            a.finish()?;
            if !(0..=1000).contains(&backlog) || !(1..=20).contains(&clients) {
                return bail_msg(
                    "use --backlog 0..=1000 and --clients 1..=20 (each dropped client costs 0.5 s)",
                );
            }
            handshake_demo::backlog::run(ipv6, backlog, clients)?;
            Ok(())
        }
        Some("reuse") => {
            let mut a = Args::parse(REUSE_HELP);
            a.positional();
            let ipv6 = a.flag("--ipv6");
            a.finish()?;
            handshake_demo::reuse::run(ipv6)?;
            Ok(())
        }
        Some("sniff") => {
            let mut a = Args::parse(SNIFF_HELP);
            a.positional();
            let ipv6 = a.flag("--ipv6");
            a.finish()?;
            if ipv6 {
                return bail_msg("sniff parses IPv4 headers only (the lesson's hand-written parser); run it without --ipv6");
            }
            handshake_demo::wire::run()?;
            Ok(())
        }
        Some(other) => {
            Args::parse(HELP);
            bail_msg(format!("unknown mode {other:?}; see --help"))
        }
    }
}
