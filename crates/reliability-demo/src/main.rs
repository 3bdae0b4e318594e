//! `cargo run -p reliability-demo`: the notes' "为何tcp协议是可靠协议, 而udp协议是
//! 不可靠协议", measured. The same fast sender and slow reader over UDP, then
//! over TCP; every number printed is counted by us or by the kernel.

use demo_kit::cli::Args;
use demo_kit::say::{heading, say, step};
use demo_kit::{bail_msg, Result, Side};
use reliability_demo::{tcp, udp};
use std::process::ExitCode;
use std::time::Duration;

mod help;

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
    let mut args = Args::parse(help::HELP);
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
    udp::narrate(&r, o.rcvbuf);
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
    tcp::narrate(&r);
    tcp::check(&r)?;
    say(Side::Note, "nothing lost: the sender waited while the window was closed, and its kernel kept each byte until it was acknowledged");
    Ok(())
}
