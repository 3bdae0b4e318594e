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
use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::process::{Child, Command, ExitCode, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

const BYTES: u64 = 200_000_000;
const BIG: &str = "head -c 200000000 /dev/zero";
const ROUNDS: u32 = 300;
const REPS: u32 = 3;
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
        idle_timeout: Duration::from_secs(300),
        hello_timeout: remote_shell::framed_proto::HELLO_TIMEOUT,
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
    println!("remote-shell benchmark: loopback, {BYTES} bytes per transfer");
    println!(
        "(the machine may be shared: each throughput is the best of {REPS} runs, interleaved;"
    );
    println!(" each round trip is the median of {ROUNDS} rounds, local and remote interleaved)\n");
    let (framed_server, framed_addr) = ServerProc::start("framed")?;
    let (course_server, course_addr) = ServerProc::start("course")?;
    let mut framed = Client::connect(framed_addr, Protocol::Framed, None)?;
    let mut course = Client::connect(course_addr, Protocol::Course, None)?;
    for c in [&framed, &course] {
        c.stream()
            .set_read_timeout(Some(Duration::from_secs(120)))?;
    }

    let (mut raw, mut t_framed, mut t_course) = (f64::MAX, (f64::MAX, 0.0), (f64::MAX, 0.0));
    let mut alone = f64::MAX;
    for _ in 0..REPS {
        raw = raw.min(raw_tcp()?);
        alone = alone.min(command_alone()?);
        t_framed = best(t_framed, transfer(&mut framed)?);
        t_course = best(t_course, transfer(&mut course)?);
    }
    println!(
        "raw TCP, 64 KiB writes, 256 KiB reads     {raw:>6.3} s {:>6.0} MB/s",
        mbps(raw)
    );
    println!(
        "the command alone, piped to this process  {alone:>6.3} s {:>6.0} MB/s (no network: the ceiling)",
        mbps(alone)
    );
    for (name, (secs, first), server) in [
        ("framed", t_framed, &framed_server),
        ("course", t_course, &course_server),
    ] {
        let hwm = vm_hwm(server.pid()).unwrap_or(0) as f64 / 1024.0;
        println!(
            "{name} protocol, 200 MB                  {secs:>6.3} s {:>6.0} MB/s = {:.2}x raw TCP (target >= 0.5)  server VmHWM {hwm:.1} MiB (target <= 32)",
            mbps(secs),
            raw / secs,
        );
        println!("    first output byte after {first:.3} s");
    }

    let (local, rt_framed, rt_course) = round_trips(&mut framed, &mut course)?;
    println!(
        "local spawn+reap of `sh -c true`          {:>6.3} ms (median)",
        local * 1e3
    );
    for (name, rt) in [("framed", rt_framed), ("course", rt_course)] {
        println!(
            "{name} round trip of `true`               {:>6.3} ms (median) = {:.2}x local (target <= 1.3)",
            rt * 1e3,
            rt / local
        );
    }
    python_server(raw)?;
    Ok(())
}

/// One 200 MB command through a client: total time, time to first byte.
fn transfer(client: &mut Client) -> demo_kit::Result<(f64, f64)> {
    let mut counter = Counter(0, None);
    let start = Instant::now();
    client.run(BIG.as_bytes(), &mut counter, &mut io::sink())?;
    let secs = start.elapsed().as_secs_f64();
    if counter.0 != BYTES {
        return demo_kit::bail_msg(format!("got {} bytes instead of {BYTES}", counter.0));
    }
    let first = counter.1.map_or(secs, |t| (t - start).as_secs_f64());
    Ok((secs, first))
}

fn best(a: (f64, f64), b: (f64, f64)) -> (f64, f64) {
    if b.0 < a.0 {
        b
    } else {
        a
    }
}

fn mbps(secs: f64) -> f64 {
    BYTES as f64 / secs / 1e6
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// `true` locally, through the framed server, through the course server,
/// round after round (so a burst of load hits all three alike).
fn round_trips(framed: &mut Client, course: &mut Client) -> demo_kit::Result<(f64, f64, f64)> {
    let (mut l, mut f, mut c) = (Vec::new(), Vec::new(), Vec::new());
    for round in 0..ROUNDS + 20 {
        let t = Instant::now();
        local_spawn()?;
        let t1 = Instant::now();
        framed.run(b"true", &mut io::sink(), &mut io::sink())?;
        let t2 = Instant::now();
        course.run(b"true", &mut io::sink(), &mut io::sink())?;
        let t3 = Instant::now();
        if round >= 20 {
            // the first 20 rounds are a warm-up
            l.push((t1 - t).as_secs_f64());
            f.push((t2 - t1).as_secs_f64());
            c.push((t3 - t2).as_secs_f64());
        }
    }
    Ok((median(l), median(f), median(c)))
}

/// The 200 MB command run locally, its stdout read by this process with
/// the same 256 KiB reads: what the command itself costs.
fn command_alone() -> io::Result<f64> {
    let start = Instant::now();
    let mut child = Command::new("/bin/sh")
        .args(["-c", BIG])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .spawn()?;
    let mut out = child.stdout.take().ok_or(io::Error::other("no stdout"))?;
    let mut buf = vec![0u8; remote_shell::exec::CHUNK];
    let mut got = 0u64;
    loop {
        match out.read(&mut buf)? {
            0 => break,
            n => got += n as u64,
        }
    }
    child.wait()?;
    if got != BYTES {
        return Err(io::Error::other("the command printed the wrong amount"));
    }
    Ok(start.elapsed().as_secs_f64())
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
    // Read like our client does: 256 KiB at a time.
    let mut buf = vec![0u8; remote_shell::exec::CHUNK];
    let mut got = 0u64;
    loop {
        match s.read(&mut buf)? {
            0 => break,
            n => got += n as u64,
        }
    }
    let secs = start.elapsed().as_secs_f64();
    writer
        .join()
        .map_err(|_| io::Error::other("writer panicked"))??;
    if got != BYTES {
        return Err(io::Error::other("raw TCP: short transfer"));
    }
    Ok(secs)
}

/// Spawn and reap `sh -c true` locally, output piped like the server does.
fn local_spawn() -> io::Result<()> {
    Command::new("/bin/sh")
        .args(["-c", "true"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .output()
        .map(|_| ())
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
    let (secs, _) = transfer(&mut client)?;
    let hwm = vm_hwm(pid).unwrap_or(0);
    println!(
        "course's Python server, 200 MB, once    {secs:>6.3} s {:>6.0} MB/s = {:.2}x raw TCP                  server VmHWM {:.1} MiB",
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

/// A Write that only counts, and notes when the first byte came.
struct Counter(u64, Option<Instant>);
impl Write for Counter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.1.get_or_insert_with(Instant::now);
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
