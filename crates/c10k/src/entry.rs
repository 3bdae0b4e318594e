//! The two roles a program plays as a child of [`crate::run`]: `serve` and
//! `load`. Both the `c10k` binary and the bench call [`child_role`] first,
//! so the bench can start copies of itself.

use crate::{
    check_model, limits, listen, load, serve_async, serve_epoll, serve_epoll_cores, serve_pool,
    serve_thread,
};
use demo_kit::cli::Args;
use demo_kit::{bail_msg, Context, Result};
use std::process::ExitCode;
use std::time::Duration;

/// If the first argument is `serve` or `load`, plays that role and returns
/// its exit code; otherwise `None`.
pub fn child_role() -> Option<ExitCode> {
    let role = std::env::args().nth(1)?;
    if std::env::args().any(|a| a == "-h" || a == "--help") {
        return None; // the program's own --help covers both roles
    }
    let rest = Args::from_vec(std::env::args().skip(2).collect());
    match role.as_str() {
        "serve" => Some(demo_kit::fail::run(|| serve(rest))),
        "load" => Some(demo_kit::fail::run(|| load(rest))),
        _ => None,
    }
}

/// `serve --model M [--addr A] [--threads N] [--seconds S] [--quiet]`.
pub fn serve(mut args: Args) -> Result<()> {
    let model = args
        .value::<String>("--model")?
        .unwrap_or_else(|| "epoll".into());
    let addr = args
        .value::<String>("--addr")?
        .unwrap_or_else(|| "127.0.0.1:8765".into());
    let threads = args.value::<usize>("--threads")?.unwrap_or(8);
    let seconds = args.value::<u64>("--seconds")?.unwrap_or(600);
    let quiet = args.flag("--quiet");
    args.finish()?;
    let model = check_model(&model)?;
    if model.starts_with("py-") {
        return bail_msg(format!(
            "{model} is a Python server: run python3 crates/c10k/py/{}",
            if model == "py-asyncio" {
                "asyncio_echo.py 127.0.0.1 8765"
            } else {
                "threading_echo.py 127.0.0.1 8765"
            }
        ));
    }
    if !(1..=1024).contains(&threads) || !(1..=86_400).contains(&seconds) {
        return bail_msg("--threads must be 1..=1024 and --seconds 1..=86400; see --help");
    }
    let nofile = limits::raise_nofile()?;
    let listener = listen::listen_on(&addr)?;
    listen::announce(&listener, model)?;
    if !quiet {
        eprintln!("server: open-files limit {nofile}; stopping by itself after {seconds} s (Ctrl-C stops it sooner)");
    }
    // Every server here runs for a bounded time, then exits.
    std::thread::spawn(move || {
        std::thread::sleep(Duration::from_secs(seconds));
        std::process::exit(0);
    });
    let served = match model {
        "thread" => serve_thread::serve(listener),
        "bare" => serve_thread::serve_bare(listener),
        "pool" => serve_pool::serve(listener, threads),
        "epoll" => serve_epoll::serve(listener),
        "async" => serve_async::serve(listener),
        _ => serve_epoll_cores::serve(listener),
    };
    served.with_context(|| format!("the {model} server stopped"))
}

/// `load --addr A --conns N --rounds M [--server-pid P] [--time-limit S]`:
/// prints `result {json}`.
pub fn load(mut args: Args) -> Result<()> {
    let addr = args
        .value::<std::net::SocketAddr>("--addr")?
        .context("load needs --addr HOST:PORT")?;
    let conns = args.value::<usize>("--conns")?.unwrap_or(1000);
    let rounds = args.value::<usize>("--rounds")?.unwrap_or(20);
    let pid = args.value::<i32>("--server-pid")?;
    let limit = Duration::from_secs(args.value::<u64>("--time-limit")?.unwrap_or(60));
    args.finish()?;
    if !addr.ip().is_loopback() {
        return bail_msg(format!(
            "--addr {addr}: the load generator only sends to loopback (127.0.0.0/8, ::1)"
        ));
    }
    check_counts(conns, rounds)?;
    let report = load::run(addr, conns, rounds, pid, limit)?;
    println!("result {}", report.to_json());
    Ok(())
}

/// `--conns` and `--rounds` must be positive and fit the open-files limit.
pub fn check_counts(conns: usize, rounds: usize) -> Result<()> {
    let most = limits::max_conns(limits::hard_nofile()?);
    if conns == 0 || rounds == 0 {
        return bail_msg("--conns and --rounds must be at least 1; see --help");
    }
    if conns as u64 > most {
        return bail_msg(format!(
            "--conns {conns} does not fit: each side needs one descriptor per connection, and the \
             open-files hard limit is {} (ulimit -Hn), so at most {most} connections; use --conns {most} or fewer",
            most + limits::SPARE_FDS
        ));
    }
    if rounds > 1_000_000 {
        return bail_msg("--rounds must be at most 1000000; see --help");
    }
    Ok(())
}
