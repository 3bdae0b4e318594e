//! `cargo run --release -p remote-shell --example bench`
//!
//! Measures, on loopback, in one run:
//! 1. raw TCP throughput (one thread writes 200 MB, another reads it);
//! 2. `head -c 200000000 /dev/zero` through each protocol: time, throughput
//!    as a fraction of raw TCP, and the server's peak memory (VmHWM from
//!    /proc/<server pid>/status; the server runs as its own process);
//! 3. the round trip of `true` against spawning `sh -c true` locally;
//! 4. the course's Python server with the same 200 MB command, if python3
//!    is on the PATH.
//!
//! Targets (from the issue): throughput >= 0.5x raw TCP, server peak RSS
//! <= 32 MiB, round trip <= 1.3x a local spawn.

use remote_shell::client::Client;
use remote_shell::server::{self, Config};
use remote_shell::Protocol;
use std::io::{self, BufRead, BufReader, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::process::{Child, Command, ExitCode, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

const BYTES: u64 = 200_000_000;
const BIG: &str = "head -c 200000000 /dev/zero";
const ROUNDS: u32 = 300;
const PYTHON_SERVER: &str = include_str!("../tests/peers/course_server.py");

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().collect();
    if args.get(1).map(String::as_str) == Some("__server") {
        return demo_kit::fail::run(|| serve(&args[2]));
    }
    demo_kit::fail::run(bench)
}

/// The server half, run in a child process so its memory is its own.
fn serve(protocol: &str) -> demo_kit::Result<()> {
    let protocol: Protocol = protocol.parse().map_err(demo_kit::Error::msg)?;
    let server = server::bind(Config {
        addr: SocketAddr::from(([127, 0, 0, 1], 0)),
        protocol,
        timeout: Duration::from_secs(120),
        write_timeout: Duration::from_secs(60),
        allow_remote: false,
        token: None,
    })?;
    println!("listening on {}", server.local_addr()?);
    let stop = Arc::new(AtomicBool::new(false));
    let flag = Arc::clone(&stop);
    ctrlc::set_handler(move || flag.store(true, Ordering::SeqCst))
        .map_err(demo_kit::Error::from)?;
    server.run(stop)?;
    Ok(())
}

fn bench() -> demo_kit::Result<()> {
    println!("remote-shell benchmark: loopback, {BYTES} bytes per transfer\n");
    let raw = raw_tcp()?;
    println!(
        "raw TCP (thread to thread)        {:>7.3} s  {:>7.0} MB/s",
        raw,
        mbps(raw)
    );

    for name in ["framed", "course"] {
        let (server, addr) = ServerProc::start(name)?;
        let proto: Protocol = name.parse().map_err(demo_kit::Error::msg)?;
        let mut client = Client::connect(addr, proto, None)?;
        client
            .stream()
            .set_read_timeout(Some(Duration::from_secs(120)))?;
        let mut counter = Counter(0);
        let start = Instant::now();
        client.run(BIG.as_bytes(), &mut counter, &mut io::sink())?;
        let secs = start.elapsed().as_secs_f64();
        let hwm = vm_hwm(server.pid()).unwrap_or(0);
        if counter.0 != BYTES {
            return demo_kit::bail_msg(format!("{name}: got {} bytes", counter.0));
        }
        println!(
            "{name:<6} 200 MB via remote-shell   {secs:>7.3} s  {:>7.0} MB/s  = {:.2}x raw TCP  (target >= 0.5x)   server peak RSS {:.1} MiB (target <= 32)",
            mbps(secs),
            raw / secs,
            hwm as f64 / 1024.0
        );
        let rt = round_trip(&mut client)?;
        let local = local_spawn()?;
        println!(
            "{name:<6} round trip of `true`      {:>7.3} ms vs local `sh -c true` {:.3} ms = {:.2}x (target <= 1.3x)",
            rt * 1e3,
            local * 1e3,
            rt / local
        );
    }
    python_server(raw)?;
    Ok(())
}

fn mbps(secs: f64) -> f64 {
    BYTES as f64 / secs / 1e6
}

/// 200 MB from one thread to another over a loopback TCP connection.
fn raw_tcp() -> io::Result<f64> {
    let listener = TcpListener::bind("127.0.0.1:0")?;
    let addr = listener.local_addr()?;
    let writer = std::thread::spawn(move || -> io::Result<()> {
        let (mut s, _) = listener.accept()?;
        let buf = vec![0u8; 64 * 1024];
        let mut left = BYTES;
        while left > 0 {
            let n = left.min(buf.len() as u64) as usize;
            s.write_all(&buf[..n])?;
            left -= n as u64;
        }
        Ok(())
    });
    let start = Instant::now();
    let mut s = TcpStream::connect(addr)?;
    let got = io::copy(&mut s, &mut Counter(0))?;
    let secs = start.elapsed().as_secs_f64();
    writer
        .join()
        .map_err(|_| io::Error::other("writer panicked"))??;
    if got != BYTES {
        return Err(io::Error::other("raw TCP: short transfer"));
    }
    Ok(secs)
}

/// Mean time of `true` through the server (after a warm-up).
fn round_trip(client: &mut Client) -> demo_kit::Result<f64> {
    for _ in 0..20 {
        client.run(b"true", &mut io::sink(), &mut io::sink())?;
    }
    let start = Instant::now();
    for _ in 0..ROUNDS {
        client.run(b"true", &mut io::sink(), &mut io::sink())?;
    }
    Ok(start.elapsed().as_secs_f64() / f64::from(ROUNDS))
}

/// Mean time to spawn and reap `sh -c true` locally, with its output piped
/// like the server does.
fn local_spawn() -> io::Result<f64> {
    let once = || -> io::Result<()> {
        Command::new("/bin/sh")
            .args(["-c", "true"])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .output()
            .map(|_| ())
    };
    for _ in 0..20 {
        once()?;
    }
    let start = Instant::now();
    for _ in 0..ROUNDS {
        once()?;
    }
    Ok(start.elapsed().as_secs_f64() / f64::from(ROUNDS))
}

/// The course's Python server with the same command.
fn python_server(raw: f64) -> demo_kit::Result<()> {
    let mut child = match Command::new("python3")
        .args(["-u", "-c", PYTHON_SERVER, "0"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
    {
        Ok(c) => c,
        Err(_) => {
            println!("python3 not found: skipping the course's Python server");
            return Ok(());
        }
    };
    let pid = child.id();
    let mut lines = BufReader::new(
        child
            .stdout
            .take()
            .ok_or(demo_kit::Error::msg("no stdout"))?,
    )
    .lines();
    let port: u16 = lines
        .next()
        .and_then(|l| l.ok())
        .and_then(|l| l.trim().parse().ok())
        .ok_or(demo_kit::Error::msg("the Python server printed no port"))?;
    std::thread::spawn(move || for _ in lines {});
    let guard = Kill(child);
    let mut client = Client::connect(
        SocketAddr::from(([127, 0, 0, 1], port)),
        Protocol::Course,
        None,
    )?;
    client
        .stream()
        .set_read_timeout(Some(Duration::from_secs(120)))?;
    let mut counter = Counter(0);
    let start = Instant::now();
    client.run(BIG.as_bytes(), &mut counter, &mut io::sink())?;
    let secs = start.elapsed().as_secs_f64();
    let hwm = vm_hwm(pid).unwrap_or(0);
    println!(
        "course's Python server, 200 MB    {secs:>7.3} s  {:>7.0} MB/s  = {:.2}x raw TCP                    server peak RSS {:.1} MiB",
        mbps(secs),
        raw / secs,
        hwm as f64 / 1024.0
    );
    drop(guard);
    Ok(())
}

/// Peak resident memory (VmHWM, in KiB) of a process.
fn vm_hwm(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// A Write that only counts.
struct Counter(u64);
impl Write for Counter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0 += buf.len() as u64;
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// Kills and reaps a child on drop.
struct Kill(Child);
impl Drop for Kill {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// This example re-run as `__server PROTOCOL` in a child process; stopped
/// with SIGTERM (a clean stop) and reaped on drop.
struct ServerProc(Child);
impl ServerProc {
    fn start(protocol: &str) -> demo_kit::Result<(ServerProc, SocketAddr)> {
        let mut child = Command::new(std::env::current_exe()?)
            .args(["__server", protocol])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()?;
        let mut first = String::new();
        let mut reader = BufReader::new(
            child
                .stdout
                .take()
                .ok_or(demo_kit::Error::msg("no stdout"))?,
        );
        reader.read_line(&mut first)?;
        std::thread::spawn(move || {
            let _ = io::copy(&mut reader, &mut io::sink());
        });
        let addr = first
            .trim()
            .strip_prefix("listening on ")
            .and_then(|a| a.parse().ok())
            .ok_or(demo_kit::Error::msg(format!("bench server said {first:?}")))?;
        Ok((ServerProc(child), addr))
    }
    fn pid(&self) -> u32 {
        self.0.id()
    }
}
impl Drop for ServerProc {
    fn drop(&mut self) {
        let pid = nix::unistd::Pid::from_raw(self.0.id() as i32);
        let _ = nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGTERM);
        let _ = self.0.wait();
    }
}
