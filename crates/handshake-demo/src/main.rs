//! The TCP handshake (三次握手), teardown (四次挥手) and backlog (半连接池),
//! watched on your own kernel instead of drawn as pictures.
//!
//! `states` walks one connection from `listen()` to TIME_WAIT, asking the
//! kernel for both ends' states after each call (`src/tour.rs`). `backlog`
//! fills a listener that never accepts (`src/backlog.rs`); `retries` times
//! a dropped SYN's retransmissions (`src/retries.rs`); `sniff` reads the
//! real packets (`src/wire.rs`); `reuse` restarts a server on its port,
//! with and without SO_REUSEADDR (`src/reuse.rs`). `--lang zh` (or a
//! Chinese locale) tells it all in Chinese (demo_kit::lang).

use demo_kit::cli::Args;
use demo_kit::{bail_msg, lang, tr, Result};
use handshake_demo::{backlog, retries, reuse, tour, wire};
use std::process::ExitCode;

mod help;

const MODES: [&str; 5] = ["states", "backlog", "retries", "sniff", "reuse"];

fn main() -> ExitCode {
    demo_kit::fail::run(run)
}

fn run() -> Result<()> {
    let words: Vec<String> = std::env::args().skip(1).collect();
    let mut args = Args::from_vec(words.clone());
    // The language first: everything after it, the help and the errors
    // included, is said in it.
    let chosen = args.take_lang()?;
    lang::set(chosen.unwrap_or_else(lang::current));
    let mode = mode_of(&words)?;
    args.flag(mode);
    if args.flag("--help") | args.flag("-h") {
        println!("{}", help::text(mode).trim_end());
        return Ok(());
    }
    let ipv6 = args.flag("--ipv6");
    match mode {
        "backlog" => {
            let backlog = args.value_in("--backlog", 0..=1000, 2)?;
            let clients = args.value_in("--clients", 1..=20, backlog as usize + 3)?;
            args.finish()?;
            fill_the_backlog(ipv6, backlog, clients)
        }
        "retries" => {
            let count = args.value_in("--count", 1..=6, 6)?;
            args.finish()?;
            time_the_syn_retries(ipv6, count)
        }
        "sniff" if ipv6 => bail_msg(tr!(
            "sniff parses IPv4 headers only (the lesson's hand-written parser); run it without --ipv6",
            "sniff 只解析 IPv4 首部（本课手写的解析器）；请去掉 --ipv6 再运行"
        )),
        "sniff" => args.finish().and_then(|()| watch_the_packets()),
        "reuse" => args.finish().and_then(|()| restart_the_server(ipv6)),
        _ => args.finish().and_then(|()| follow_one_connection(ipv6)),
    }
}

/// The mode is the first word that is neither an option nor an option's
/// value (`--backlog 3 backlog` must not read "3" as a mode).
fn mode_of(words: &[String]) -> Result<&'static str> {
    let mut probe = Args::from_vec(words.to_vec());
    for valued in ["--lang", "--backlog", "--clients", "--count"] {
        let _ = probe.value::<String>(valued);
    }
    probe.subcommand(&MODES, "states")
}

/// `states`: listen, connect, accept, half-close, close, TIME_WAIT.
fn follow_one_connection(ipv6: bool) -> Result<()> {
    tour::run(ipv6).map(drop)
}

/// `backlog`: what `listen(N)` really limits.
fn fill_the_backlog(ipv6: bool, backlog: i32, clients: usize) -> Result<()> {
    backlog::run(ipv6, backlog, clients).map(drop)
}

/// `retries`: when a client whose SYN was dropped tries again.
fn time_the_syn_retries(ipv6: bool, count: usize) -> Result<()> {
    retries::run(ipv6, count).map(drop)
}

/// `sniff`: the real SYN, SYN|ACK, ACK and FIN packets (needs CAP_NET_RAW).
fn watch_the_packets() -> Result<()> {
    wire::run().map(drop)
}

/// `reuse`: restarting a server on its own port.
fn restart_the_server(ipv6: bool) -> Result<()> {
    reuse::run(ipv6).map(drop)
}
