//! `cargo run -p reliability-demo`: the notes' "为何tcp协议是可靠协议, 而udp协议是
//! 不可靠协议", measured. The same fast sender and slow reader over UDP, then
//! over TCP; every number printed is counted by us or by the kernel.

use demo_kit::cli::Args;
use demo_kit::say::{heading, say, step};
use demo_kit::{bail_msg, Result, Side};
use reliability_demo::{plot, tcp, udp};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

mod help;

#[derive(Clone, Copy)]
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
    let plot_dir = args.value::<PathBuf>("--plot")?;
    let which = args.positional();
    args.finish()?;
    if !(1..=1_000_000).contains(&o.count) || !(4..=65_000).contains(&o.size) {
        return bail_msg("--count must be 1..=1000000 and --size 4..=65000; see --help");
    }
    if !(1..=64 << 20).contains(&o.rcvbuf) || o.pause > Duration::from_millis(100) {
        return bail_msg("--rcvbuf must be 1..=67108864 and --pause-us 0..=100000; see --help");
    }
    match (which.as_deref(), plot_dir) {
        (None, Some(dir)) => plot_runs(&dir, &o),
        (Some(_), Some(_)) => {
            bail_msg("--plot runs both scenarios: give no udp or tcp with it; see --help")
        }
        (None, None) => {
            udp_step(1, &o)?;
            tcp_step(2, &o).map(drop)
        }
        (Some("udp"), None) => udp_step(1, &o).map(drop),
        (Some("tcp"), None) => tcp_step(1, &o).map(drop),
        (Some(other), None) => bail_msg(format!(
            "unknown scenario {other:?}: use udp or tcp; see --help"
        )),
    }
}

fn udp_step(n: usize, o: &Opts) -> Result<udp::UdpReport> {
    heading("UDP: 不可靠 (unreliable)");
    step(
        n,
        format!("{} datagrams of {} bytes to a slow reader", o.count, o.size),
    );
    let r = udp::run(o.count, o.size, o.rcvbuf, o.pause)?;
    udp::narrate(&r, o.rcvbuf);
    Ok(r)
}

fn tcp_step(n: usize, o: &Opts) -> Result<tcp::TcpReport> {
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
    Ok(r)
}

/// `--plot DIR`: UDP then TCP at each of the plot's reader pauses, then the
/// data file and its two pictures (see `plot.rs`).
fn plot_runs(dir: &std::path::Path, o: &Opts) -> Result<()> {
    let comments = demo_kit::plot::provenance("reliability-demo");
    let mut runs = Vec::new();
    for (i, &pause_us) in plot::PAUSES_US.iter().enumerate() {
        let o = Opts {
            pause: Duration::from_micros(pause_us),
            ..*o
        };
        heading(format!("the reader pauses {pause_us} µs after each read"));
        let udp = udp_step(2 * i + 1, &o)?;
        let tcp = tcp_step(2 * i + 2, &o)?;
        runs.push(plot::Measured { pause_us, udp, tcp });
    }
    let chart = plot::chart(&runs, o.count, o.size);
    for path in demo_kit::plot::write(dir, "04-reliability", &comments, &chart)? {
        say(Side::Note, format!("wrote {}", path.display()));
    }
    Ok(())
}
