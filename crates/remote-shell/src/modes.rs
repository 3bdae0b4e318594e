//! The three long-running modes of `remote-shell`: the notes' server done
//! right (`simple-server`), the hardened `server`, and the `client`. Each
//! parses its options, binds or connects, and hands over to the library.

use demo_kit::cli::Args;
use demo_kit::say::say;
use demo_kit::{Context, Result, Side};
use remote_shell::client::{self, Client};
use remote_shell::security::TOKEN_ENV;
use remote_shell::server::{self, Config};
use remote_shell::Protocol;
use std::io::IsTerminal;
use std::net::{SocketAddr, TcpListener};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

pub const HELP: &str = "\
remote-shell: the course's 模拟ssh远程执行命令 (run commands remotely), done safely

USAGE:
    cargo run -p remote-shell [demo]                 both ends on 127.0.0.1, a few seconds
    cargo run -p remote-shell -- simple-server       the notes' server, done right (src/simple.rs):
                                                     one client at a time, framed both ways
    cargo run -p remote-shell -- server [OPTIONS]    the hardened server: run commands for clients
    cargo run -p remote-shell -- client [OPTIONS]    send commands read from stdin

SIMPLE-SERVER OPTIONS:
    --addr IP:PORT       default 127.0.0.1:8080
    --clients N          exit after serving N clients (default: serve until Ctrl-C)

OPTIONS (server and client):
    --addr IP:PORT       default 127.0.0.1:8080 (port 0: the kernel picks one)
    --protocol P         framed (default) or course (byte-compatible with the
                         course's Python programs)
    --token T            shared secret (or set REMOTE_SHELL_TOKEN)

SERVER OPTIONS:
    --timeout SECS       kill a command, and all it started, after SECS (default 10)
    --write-timeout SECS drop a client that does not read for SECS (default 10)
    --idle-timeout SECS  close a connection that sends no command for SECS
                         (default 300; framed clients get an error frame first)
    --hello-timeout SECS close a framed connection that sends no hello for
                         SECS (default 10)
    --allow-remote       allow a non-loopback address (framed only, needs a token)

CLIENT:
    Reads one command per line; an empty line is skipped, `exit` or end of
    input ends it:  printf 'echo hi\\nls\\n' | cargo run -p remote-shell -- client

WARNING: the server runs any command for anyone who can connect.

Lesson: docs/07-remote-shell.md";

/// `simple-server`: `socket` + `bind` + `listen`, then src/simple.rs.
pub fn simple_server(mut args: Args) -> Result<()> {
    let addr = args
        .value::<SocketAddr>("--addr")?
        .unwrap_or_else(|| SocketAddr::from(([127, 0, 0, 1], 8080)));
    let clients = args.value::<u64>("--clients")?;
    args.finish()?;
    remote_shell::security::check_bind(addr, Protocol::Course, false, None)?;
    let listener =
        TcpListener::bind(addr).map_err(|e| demo_kit::fail::bind_error(&addr.to_string(), &e))?;
    let bound = listener.local_addr().context("reading the bound address")?;
    say(
        Side::Server,
        format!("listening on {bound} (the notes' server, done right; one client at a time)"),
    );
    say(
        Side::Note,
        "WARNING: it runs ANY command for ANYONE who can connect (loopback only), with no timeout.",
    );
    remote_shell::simple::run(&listener, clients).context("accepting a client")
}

/// Options both ends share.
fn common(args: &mut Args) -> Result<(SocketAddr, Protocol, Option<Vec<u8>>)> {
    let addr = args
        .value::<SocketAddr>("--addr")?
        .unwrap_or_else(|| SocketAddr::from(([127, 0, 0, 1], 8080)));
    let protocol = args
        .value::<Protocol>("--protocol")?
        .unwrap_or(Protocol::Framed);
    let token = match args.value::<String>("--token")? {
        Some(t) => Some(t.into_bytes()),
        None => std::env::var_os(TOKEN_ENV).map(|t| t.into_encoded_bytes()),
    };
    Ok((addr, protocol, token))
}

/// `server`: bind, print the banner, serve until Ctrl-C / SIGTERM.
pub fn server(mut args: Args) -> Result<()> {
    let (addr, protocol, token) = common(&mut args)?;
    let timeout = args.value::<f64>("--timeout")?.unwrap_or(10.0);
    let write_timeout = args.value::<f64>("--write-timeout")?.unwrap_or(10.0);
    let idle_timeout = args.value::<f64>("--idle-timeout")?.unwrap_or(300.0);
    let hello_timeout = args.value::<f64>("--hello-timeout")?.unwrap_or(10.0);
    let allow_remote = args.flag("--allow-remote");
    args.finish()?;
    let secs = |s: f64, name: &str| {
        Duration::try_from_secs_f64(s)
            .ok()
            .filter(|d| !d.is_zero())
            .with_context(|| format!("{name} must be a positive number of seconds"))
    };
    let config = Config {
        addr,
        protocol,
        timeout: secs(timeout, "--timeout")?,
        write_timeout: secs(write_timeout, "--write-timeout")?,
        idle_timeout: secs(idle_timeout, "--idle-timeout")?,
        hello_timeout: secs(hello_timeout, "--hello-timeout")?,
        allow_remote,
        token,
    };
    let server = server::bind(config.clone())?;
    let bound = server.local_addr()?;
    say(
        Side::Server,
        format!("listening on {bound} (protocol {protocol})"),
    );
    banner(&config, bound);

    let stop = Arc::new(AtomicBool::new(false));
    let flag = Arc::clone(&stop);
    ctrlc::set_handler(move || flag.store(true, Ordering::SeqCst))
        .context("installing the Ctrl-C/SIGTERM handler")?;
    let summary = server.run(stop)?;
    say(
        Side::Server,
        format!(
            "exiting cleanly after {} connection(s)",
            summary.connections
        ),
    );
    Ok(())
}

/// The warning every run prints: this program is a remote shell.
fn banner(config: &Config, bound: SocketAddr) {
    say(
        Side::Note,
        "WARNING: this server runs ANY shell command for ANYONE who can connect to it, as your user.",
    );
    if bound.ip().is_loopback() {
        say(Side::Note, "It listens on loopback only: programs on this machine can connect, the network cannot.");
    } else {
        say(Side::Note, format!("It listens on {bound}: other machines can connect; each must send the token first."));
    }
    if config.token.is_some() {
        say(
            Side::Note,
            "A token is required (compared in constant time).",
        );
    }
    say(
        Side::Note,
        format!(
            "Each command: own process group under its connection's keeper, killed with all it started after {:?}; Ctrl-C stops the server.",
            config.timeout
        ),
    );
}

/// `client`: connect, then the course's input loop.
pub fn client(mut args: Args) -> Result<()> {
    let (addr, protocol, token) = common(&mut args)?;
    args.finish()?;
    let mut client = Client::connect(addr, protocol, token.as_deref())?;
    let stdin = std::io::stdin();
    let prompt = stdin.is_terminal();
    if prompt {
        eprintln!(
            "{}",
            demo_kit::say::line(
                Side::Client,
                format!("connected to {addr} ({protocol}); `exit` to leave"),
                false
            )
        );
    }
    let (mut out, mut err) = (std::io::stdout(), std::io::stderr());
    client::interactive(&mut client, &mut stdin.lock(), &mut out, &mut err, prompt)?;
    Ok(())
}
