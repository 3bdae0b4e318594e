//! Benchmark: how fast does the lab's user-space wire forward packets,
//! next to TCP over the namespace's own loopback?
//!
//! `cargo run --release -p tcp-lab --example wire_rate` (root, or user
//! namespaces + /dev/net/tun). Runs each 5 times with 20 MB and prints every
//! run and the medians. The wire moves each packet through two system calls
//! (read from one TUN device, write into the other) and two extra trips
//! across the user/kernel boundary, in one thread; loopback never leaves
//! the kernel and uses 64 KiB packets.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::time::{Duration, Instant};
use tcp_lab::{kstate, netns, tun, wire};

const BYTES: usize = 20_000_000;
const RUNS: usize = 5;

/// Packets counted by `lo` (received side) in /proc/net/dev.
fn lo_packets() -> u64 {
    let text = std::fs::read_to_string("/proc/thread-self/net/dev").unwrap_or_default();
    text.lines()
        .find(|l| l.trim_start().starts_with("lo:"))
        .and_then(|l| l.split_whitespace().nth(2)?.parse().ok())
        .unwrap_or(0)
}

/// TCP over loopback: (seconds, packets).
fn loopback() -> std::io::Result<(Duration, u64)> {
    let listener = TcpListener::bind("127.0.0.1:0")?;
    let addr = listener.local_addr()?;
    let reader = std::thread::spawn(move || -> std::io::Result<u64> {
        let (mut c, _) = listener.accept()?;
        let (mut n, mut buf) = (0u64, vec![0u8; 65536]);
        loop {
            match c.read(&mut buf)? {
                0 => return Ok(n),
                k => n += k as u64,
            }
        }
    });
    let before = lo_packets();
    let start = Instant::now();
    let mut s = TcpStream::connect(addr)?;
    s.write_all(&vec![b'x'; BYTES])?;
    s.shutdown(std::net::Shutdown::Write)?;
    let got = reader
        .join()
        .map_err(|_| std::io::Error::other("reader panicked"))??;
    assert_eq!(got as usize, BYTES);
    Ok((start.elapsed(), lo_packets() - before))
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[v.len() / 2]
}

fn main() {
    if let Err(e) = netns::enter() {
        eprintln!("error: {e}");
        std::process::exit(i32::from(e.exit_code()));
    }
    let _ = tun::configure("lo", None);
    let opts = wire::Options {
        loss: 0,
        delay: Duration::ZERO,
        reorder: 0,
        duplicate: 0,
        bytes: BYTES,
    };
    let (mut wire_pps, mut wire_mbs, mut lo_pps, mut lo_mbs) = (vec![], vec![], vec![], vec![]);
    let mut rows = Vec::new();
    for run in 1..=RUNS {
        let r = wire::run(&opts).expect("wire run");
        assert!(r.tcp_intact);
        let secs = r.tcp_elapsed.as_secs_f64();
        let packets = r.wire.forwarded - u64::from(wire::UDP_COUNT);
        wire_pps.push(packets as f64 / secs);
        wire_mbs.push(BYTES as f64 / secs / 1e6);
        let (t, p) = loopback().expect("loopback run");
        lo_pps.push(p as f64 / t.as_secs_f64());
        lo_mbs.push(BYTES as f64 / t.as_secs_f64() / 1e6);
        rows.push(format!(
            "run {run}: wire {packets} packets in {secs:.3} s = {:.0} packets/s, {:.1} MB/s | loopback {p} packets in {:.3} s = {:.0} packets/s, {:.1} MB/s",
            wire_pps[run - 1], wire_mbs[run - 1], t.as_secs_f64(), lo_pps[run - 1], lo_mbs[run - 1]
        ));
    }
    println!("\n=== wire_rate: {BYTES} bytes of TCP, {RUNS} runs ===");
    for r in rows {
        println!("{r}");
    }
    println!(
        "median: wire {:.0} packets/s, {:.1} MB/s; loopback {:.0} packets/s, {:.1} MB/s (RetransSegs now {})",
        median(wire_pps), median(wire_mbs), median(lo_pps), median(lo_mbs),
        kstate::snmp("Tcp", "RetransSegs").unwrap_or(0)
    );
}
