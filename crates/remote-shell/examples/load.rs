//! `cargo run --release -p remote-shell --example load`
//!
//! 128 clients at once (the server's limit), each running
//! `yes client-NNN | head -c 10000000` through the framed protocol, every
//! byte checked against its own pattern. Reports the total time, the
//! server's peak memory (VmHWM, target <= 32 MiB) and the server's open
//! descriptors before and after: a leak would show as a higher count.

mod support;

use remote_shell::client::Client;
use remote_shell::security::MAX_CLIENTS;
use remote_shell::Protocol;
use std::io::{self, Write};
use std::process::ExitCode;
use std::sync::{Arc, Barrier};
use std::time::{Duration, Instant};
use support::{median, open_fds, vm_hwm, ServerProc};

const BYTES: u64 = 10_000_000;

fn main() -> ExitCode {
    if let Some(code) = support::server_mode() {
        return code;
    }
    demo_kit::fail::run(load)
}

fn load() -> demo_kit::Result<()> {
    let (server, addr) = ServerProc::start("framed")?;
    let pid = server.pid();
    let fds_before = open_fds(pid);
    println!("remote-shell load: {MAX_CLIENTS} framed clients at once, {BYTES} bytes each, every byte checked");
    println!("(the machine may be shared with other work: times vary from run to run)\n");
    let barrier = Arc::new(Barrier::new(MAX_CLIENTS + 1));
    let clients: Vec<_> = (0..MAX_CLIENTS)
        .map(|i| {
            let barrier = Arc::clone(&barrier);
            std::thread::spawn(move || -> demo_kit::Result<(Instant, Instant)> {
                let mut client = Client::connect(addr, Protocol::Framed, None)?;
                client
                    .stream()
                    .set_read_timeout(Some(Duration::from_secs(120)))?;
                barrier.wait(); // all 128 connected: the commands overlap
                let start = Instant::now();
                let mut check = Check::new(format!("client-{i:03}\n"));
                let mut err = Vec::new();
                let cmd = format!("yes client-{i:03} | head -c {BYTES}");
                let reply = client.run(cmd.as_bytes(), &mut check, &mut err)?;
                if check.got != BYTES
                    || !err.is_empty()
                    || !reply.exit.as_ref().is_some_and(|x| x.success())
                {
                    return demo_kit::bail_msg(format!(
                        "client {i}: {} bytes (want {BYTES}), stderr {:?}, {reply:?}",
                        check.got,
                        String::from_utf8_lossy(&err)
                    ));
                }
                Ok((start, Instant::now()))
            })
        })
        .collect();
    barrier.wait();
    let mut spans = Vec::new();
    for c in clients {
        match c.join() {
            Ok(span) => spans.push(span?),
            Err(_) => return demo_kit::bail_msg("a client thread panicked"),
        }
    }
    // From the first client's start to the last one's end, as the clients
    // saw them: this thread may wake long after the barrier (129 threads on
    // a few cores), so its own clock would start late.
    let first = spans.iter().map(|s| s.0).min();
    let last = spans.iter().map(|s| s.1).max();
    let total = match (first, last) {
        (Some(first), Some(last)) => (last - first).as_secs_f64(),
        _ => 0.0,
    };
    let times: Vec<f64> = spans.iter().map(|(a, b)| (*b - *a).as_secs_f64()).collect();
    // The connection threads close their sockets once the clients are gone.
    let fds_after = demo_kit::wait::until(Duration::from_secs(10), || {
        let n = open_fds(pid);
        (n <= fds_before).then_some(n)
    })
    .unwrap_or_else(|| open_fds(pid));
    let hwm = vm_hwm(pid).unwrap_or(0) as f64 / 1024.0;
    let all = MAX_CLIENTS as f64 * BYTES as f64;
    let verdict = if hwm <= 32.0 { "met" } else { "MISSED" };
    let slowest = times.iter().copied().fold(0.0, f64::max);
    println!(
        "total time            {total:>7.2} s for {:.2} GB = {:.0} MB/s",
        all / 1e9,
        all / total / 1e6
    );
    println!(
        "per client            median {:.2} s, slowest {slowest:.2} s",
        median(times)
    );
    println!("server VmHWM          {hwm:>7.1} MiB (target <= 32 MiB: {verdict})");
    println!("server open fds       {fds_before} before, {fds_after} after");
    if fds_after > fds_before {
        return demo_kit::bail_msg("the server kept descriptors open after the clients left");
    }
    Ok(())
}

/// A Write that checks every byte against `pattern` repeated, and counts.
struct Check {
    pattern: Vec<u8>,
    got: u64,
}

impl Check {
    fn new(pattern: String) -> Check {
        Check {
            pattern: pattern.into_bytes(),
            got: 0,
        }
    }
}

impl Write for Check {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let len = self.pattern.len() as u64;
        for (i, &b) in buf.iter().enumerate() {
            let want = self.pattern[((self.got + i as u64) % len) as usize];
            if b != want {
                return Err(io::Error::other(format!(
                    "byte {} is {b:#04x}, expected {want:#04x}",
                    self.got + i as u64
                )));
            }
        }
        self.got += buf.len() as u64;
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}
