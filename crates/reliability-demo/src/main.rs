//! `cargo run -p reliability-demo`: the notes' "为何tcp协议是可靠协议, 而udp协议是
//! 不可靠协议", measured. The same fast sender and slow reader over UDP, then
//! over TCP; every number printed is counted by us or by the kernel.

use demo_kit::cli::Args;
use demo_kit::say::{heading, say, step};
use demo_kit::{bail_msg, tr, Result, Side};
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
    let mut args = Args::parse((help::HELP, help::HELP_ZH));
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
        return bail_msg(tr!(
            "--count must be 1..=1000000 and --size 4..=65000; see --help",
            "--count 必须在 1..=1000000 之内，--size 必须在 4..=65000 之内；见 --help"
        ));
    }
    if !(1..=64 << 20).contains(&o.rcvbuf) || o.pause > Duration::from_millis(100) {
        return bail_msg(tr!(
            "--rcvbuf must be 1..=67108864 and --pause-us 0..=100000; see --help",
            "--rcvbuf 必须在 1..=67108864 之内，--pause-us 必须在 0..=100000 之内；见 --help"
        ));
    }
    match (which.as_deref(), plot_dir) {
        (None, Some(dir)) => plot_runs(&dir, &o),
        (Some(_), Some(_)) => bail_msg(tr!(
            "--plot runs both scenarios: give no udp or tcp with it; see --help",
            "--plot 会运行两个场景：不要再同时给 udp 或 tcp；见 --help"
        )),
        (None, None) => {
            udp_step(1, &o)?;
            tcp_step(2, &o).map(drop)
        }
        (Some("udp"), None) => udp_step(1, &o).map(drop),
        (Some("tcp"), None) => tcp_step(1, &o).map(drop),
        (Some(other), None) => bail_msg(tr!(
            "unknown scenario {other:?}: use udp or tcp; see --help",
            "没有 {other:?} 这个场景：请用 udp 或 tcp；见 --help"
        )),
    }
}

fn udp_step(n: usize, o: &Opts) -> Result<udp::UdpReport> {
    heading(tr!("UDP: 不可靠 (unreliable)", "UDP：不可靠"));
    step(
        n,
        tr!(
            "{} datagrams of {} bytes to a slow reader",
            "向读得慢的一方发 {} 个 {} 字节的数据报",
            o.count,
            o.size
        ),
    );
    let r = udp::run(o.count, o.size, o.rcvbuf, o.pause)?;
    udp::narrate(&r, o.rcvbuf);
    Ok(r)
}

fn tcp_step(n: usize, o: &Opts) -> Result<tcp::TcpReport> {
    heading(tr!("TCP: 可靠 (reliable)", "TCP：可靠"));
    step(
        n,
        tr!(
            "the same {} messages of {} bytes to the same slow reader",
            "向同一个读得慢的一方发同样的 {} 条 {} 字节的消息",
            o.count,
            o.size
        ),
    );
    let r = tcp::run(o.count, o.size, o.rcvbuf, o.pause)?;
    tcp::narrate(&r);
    tcp::check(&r)?;
    say(Side::Note, tr!("nothing lost: the sender waited while the window was closed, and its kernel kept each byte until it was acknowledged", "一个字节也没丢：窗口关闭时发送方就等着，发送方的内核把每个字节一直留到它被确认为止"));
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
        heading(tr!(
            "the reader pauses {pause_us} µs after each read",
            "读的一方每读一次停 {pause_us} µs"
        ));
        let udp = udp_step(2 * i + 1, &o)?;
        let tcp = tcp_step(2 * i + 2, &o)?;
        runs.push(plot::Measured { pause_us, udp, tcp });
    }
    let chart = plot::chart(&runs, o.count, o.size);
    for path in demo_kit::plot::write(dir, "04-reliability", &comments, &chart)? {
        say(Side::Note, tr!("wrote {}", "已写入 {}", path.display()));
    }
    Ok(())
}
