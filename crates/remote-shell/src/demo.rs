//! `cargo run -p remote-shell`: both ends on 127.0.0.1, a few seconds.
//!
//! Step 1 shows the course protocol's reply byte by byte, read with plain
//! `read`s from a real socket. Step 2 runs commands through the framed
//! protocol: separate stdout/stderr, an exit status, and a timeout that
//! kills the command and everything it started.

use demo_kit::say::{hex, say, show_bytes, step};
use demo_kit::{Context, Result, Side};
use remote_shell::client::Client;
use remote_shell::server::{self, Config};
use remote_shell::Protocol;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

pub fn run() -> Result<()> {
    step(1, "the course protocol, byte by byte");
    let (addr, stop, handle) = start(Protocol::Course)?;
    course_bytes(addr)?;
    finish(stop, handle)?;

    step(
        2,
        "the framed protocol: streams apart, exit status, timeout",
    );
    let (addr, stop, handle) = start(Protocol::Framed)?;
    framed_commands(addr)?;
    finish(stop, handle)?;
    say(
        Side::Note,
        "next: cargo run -p remote-shell -- server   (and a client in another terminal)",
    );
    Ok(())
}

type Running = (
    SocketAddr,
    Arc<AtomicBool>,
    JoinHandle<Result<server::Summary>>,
);

/// A real server on 127.0.0.1:0, in a thread of this process.
fn start(protocol: Protocol) -> Result<Running> {
    let server = server::bind(Config {
        addr: SocketAddr::from(([127, 0, 0, 1], 0)),
        protocol,
        timeout: Duration::from_secs(1),
        write_timeout: Duration::from_secs(5),
        idle_timeout: Duration::from_secs(300),
        hello_timeout: remote_shell::framed_proto::HELLO_TIMEOUT,
        allow_remote: false,
        token: None,
    })?;
    let addr = server.local_addr()?;
    say(
        Side::Server,
        format!("listening on {addr} (protocol {protocol}, timeout 1s)"),
    );
    let stop = Arc::new(AtomicBool::new(false));
    let flag = Arc::clone(&stop);
    Ok((addr, stop, std::thread::spawn(move || server.run(flag))))
}

fn finish(stop: Arc<AtomicBool>, handle: JoinHandle<Result<server::Summary>>) -> Result<()> {
    stop.store(true, Ordering::SeqCst);
    match handle.join() {
        Ok(r) => r.map(|_| ()),
        Err(_) => demo_kit::bail_msg("the server thread panicked"),
    }
}

/// Send `echo 你好; ls /nope` unframed, then read the reply piece by piece.
fn course_bytes(addr: SocketAddr) -> Result<()> {
    let mut s = TcpStream::connect(addr).context("connecting to the demo server")?;
    let cmd = "echo 你好; ls /nope";
    s.write_all(cmd.as_bytes()).context("sending the command")?;
    say(
        Side::Client,
        format!("sent the command, unframed: {}", show_bytes(cmd.as_bytes())),
    );
    let mut prefix = [0u8; 4];
    s.read_exact(&mut prefix)
        .context("reading the 4-byte prefix")?;
    let len = i32::from_le_bytes(prefix);
    say(
        Side::Client,
        format!(
            "4 bytes [{}] = struct.unpack('i') = {len}: the header's length",
            hex(&prefix)
        ),
    );
    let mut header = vec![0u8; usize::try_from(len).unwrap_or(0)];
    s.read_exact(&mut header).context("reading the header")?;
    say(
        Side::Client,
        format!("{len} header bytes: {}", String::from_utf8_lossy(&header)),
    );
    let v: serde_json::Value = serde_json::from_slice(&header).context("parsing the header")?;
    let total = v["total_size"].as_u64().unwrap_or(0);
    let mut body = vec![0u8; total as usize];
    s.read_exact(&mut body).context("reading the body")?;
    say(
        Side::Client,
        format!(
            "{total} body bytes (stderr first, then stdout): {}",
            show_bytes(&body)
        ),
    );
    say(Side::Note, "the course's client would print these with decode('gbk'): 你好 arrives as UTF-8 and turns into mojibake");
    Ok(())
}

/// Three commands on one framed connection.
fn framed_commands(addr: SocketAddr) -> Result<()> {
    let mut client = Client::connect(addr, Protocol::Framed, None)?;
    for cmd in ["echo hello from $$", "ls /nope", "echo started; sleep 30"] {
        say(Side::Client, format!("run {cmd:?}"));
        let (mut out, mut err) = (Vec::new(), Vec::new());
        let reply = client.run(cmd.as_bytes(), &mut out, &mut err)?;
        say(
            Side::Client,
            format!("  stdout {}  stderr {}", show_bytes(&out), show_bytes(&err)),
        );
        if let Some(x) = reply.exit {
            say(
                Side::Client,
                format!(
                    "  exit: code {:?}, signal {:?}, timed out {}",
                    x.code, x.signal, x.timed_out
                ),
            );
        }
    }
    Ok(())
}
