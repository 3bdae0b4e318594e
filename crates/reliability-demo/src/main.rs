//! `cargo run -p reliability-demo`: the notes' "为何tcp协议是可靠协议, 而udp协议是
//! 不可靠协议", measured. The same fast sender and slow reader over UDP, then
//! over TCP; every number printed is counted by us or by the kernel.

use demo_kit::cli::Args;
use demo_kit::say::{heading, say, step};
use demo_kit::{bail_msg, Result, Side};
use reliability_demo::{tcp, udp};
use std::process::ExitCode;
use std::time::Duration;

const HELP: &str = "\
reliability-demo: UDP loses and nobody is told; TCP blocks and loses nothing

USAGE: cargo run -p reliability-demo -- [udp|tcp] [OPTIONS]
       (no scenario: both, UDP first)

OPTIONS:
    --count N      messages sent (default 20000, 1..=1000000)
    --size N       bytes per message (default 1024, 4..=65000)
    --rcvbuf N     receive buffer asked for with SO_RCVBUF (default 4096; the kernel
                   doubles it and enforces a minimum)
    --pause-us N   the reader's pause after each read, in microseconds (default 50, 0..=100000)
    -h, --help     this text";

struct Opts {
    count: u32,
    size: usize,
    rcvbuf: usize,
    pause: Duration,
}

fn main() -> ExitCode {
    demo_kit::fail::run(run)
}

fn run() -> Result<()> {
    let mut args = Args::parse(HELP);
    let o = Opts {
        count: args.value("--count")?.unwrap_or(20_000),
        size: args.value("--size")?.unwrap_or(1024),
        rcvbuf: args.value("--rcvbuf")?.unwrap_or(4096),
        pause: Duration::from_micros(args.value("--pause-us")?.unwrap_or(50)),
    };
    let which = args.positional();
    args.finish()?;
    if !(1..=1_000_000).contains(&o.count) || !(4..=65_000).contains(&o.size) {
        return bail_msg("--count must be 1..=1000000 and --size 4..=65000; see --help");
    }
    if !(1..=64 << 20).contains(&o.rcvbuf) || o.pause > Duration::from_millis(100) {
        return bail_msg("--rcvbuf must be 1..=67108864 and --pause-us 0..=100000; see --help");
    }
    match which.as_deref() {
        None => {
            udp_step(1, &o)?;
            tcp_step(2, &o)
        }
        Some("udp") => udp_step(1, &o),
        Some("tcp") => tcp_step(1, &o),
        Some(other) => bail_msg(format!(
            "unknown scenario {other:?}: use udp or tcp; see --help"
        )),
    }
}

fn udp_step(n: usize, o: &Opts) -> Result<()> {
    heading("UDP: 不可靠 (unreliable)");
    step(
        n,
        format!("{} datagrams of {} bytes to a slow reader", o.count, o.size),
    );
    let r = udp::run(o.count, o.size, o.rcvbuf, o.pause)?;
    say(
        Side::Kernel,
        format!(
            "the receiver asked for SO_RCVBUF {}, got {} bytes",
            o.rcvbuf, r.rcvbuf
        ),
    );
    say(
        Side::Client,
        format!(
            "sendto() {} times in {:.0?}: {} returned an error: the sender never waited and was told nothing",
            r.sent, r.send_time, r.send_errors
        ),
    );
    say(
        Side::Server,
        format!(
            "received {} datagrams, each whole; lost = {} - {} = {}",
            r.received,
            r.sent,
            r.received,
            r.lost()
        ),
    );
    say(
        Side::Server,
        format!(
            "the first missing numbers: {:?}; received numbers only ever increase: {}",
            r.first_gaps, r.in_order
        ),
    );
    say(
        Side::Kernel,
        format!(
            "/proc/net/udp, this socket's drops: +{} (exactly the lost datagrams: {})",
            r.socket_drops,
            r.socket_drops == r.lost()
        ),
    );
    say(
        Side::Kernel,
        format!(
            "/proc/net/snmp Udp RcvbufErrors: +{} (the whole machine's count, so >= {})",
            r.rcvbuf_errors_delta, r.socket_drops
        ),
    );
    say(Side::Note, format!("in {:.0?}: dropped on arrival because the buffer was full; no acknowledgement, so no retransmission and no error", r.elapsed));
    Ok(())
}

fn tcp_step(n: usize, o: &Opts) -> Result<()> {
    heading("TCP: 可靠 (reliable)");
    step(
        n,
        format!(
            "the same {} messages of {} bytes to the same slow reader",
            o.count, o.size
        ),
    );
    let r = tcp::run(o.count, o.size, o.rcvbuf, o.pause)?;
    say(
        Side::Kernel,
        format!(
            "receiver SO_RCVBUF {} bytes, sender SO_SNDBUF {} bytes",
            r.rcvbuf, r.sndbuf
        ),
    );
    say(
        Side::Client,
        format!(
            "{} write() calls in {:.2?}, of which {:.2?} inside write(): blocked, waiting for room",
            r.writes, r.send_time, r.write_time
        ),
    );
    say(
        Side::Client,
        format!(
            "{} write() calls blocked longer than {:?}, {:.2?} in total; the longest {:.1?}",
            r.blocked_writes,
            tcp::BLOCKED,
            r.blocked_time,
            r.longest_write
        ),
    );
    say(Side::Kernel, format!("sender's send queue, sampled {} times: at most {} bytes not yet acknowledged (SIOCOUTQ), {} of them not even sent (SIOCOUTQNSD)",
        r.samples, r.max_unacked, r.unsent_then));
    if let Some(z) = r.zero_window_delta {
        say(Side::Kernel, format!("/proc/net/netstat TCPToZeroWindowAdv: +{z} (machine-wide): \"my window is 0, stop\""));
    }
    say(
        Side::Server,
        format!(
            "received {} of {} bytes, checksum {:016x} vs sent {:016x}",
            r.received_bytes, r.sent_bytes, r.received_sum.0, r.sent_sum.0
        ),
    );
    tcp::check(&r)?;
    say(Side::Note, "nothing lost: the sender waited while the window was closed, and its kernel kept each byte until it was acknowledged");
    Ok(())
}
