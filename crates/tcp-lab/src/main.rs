//! `tcp-lab`: make the three-way handshake (三次握手) yourself.
//!
//! The story: the lab moves into a private network namespace, creates a TUN
//! device `tun0` (192.0.2.1 on the kernel's side) and plays the peer
//! 192.0.2.2, writing every byte of every IPv4 and TCP header by hand.
//! Linux's real TCP is on the other side and grades each packet: SYN,
//! SYN|ACK, ACK; data both ways; FIN, ACK, FIN, ACK; then bad packets.
//! `connect` turns it round (the kernel is the client, and we answer late);
//! `wire` joins two network stacks through the lab, which drops, delays, reorders
//! and duplicates packets, and TCP still delivers every byte.

use demo_kit::cli::Args;
use demo_kit::say::{say, step};
use demo_kit::{bail_msg, tr, Result, Side};
use tcp_lab::{bad, connect, handshake, netns, tun, wire};

mod help;

fn main() -> std::process::ExitCode {
    demo_kit::fail::run(|| {
        let mut args = Args::parse((help::HELP, help::HELP_ZH));
        match args.positional().as_deref().unwrap_or("handshake") {
            "handshake" => {
                args.finish()?;
                enter_namespace()?;
                let tun = kernel_side()?;
                let r = handshake::run(&tun)?;
                let kernel = handshake::KERNEL.parse().map_err(demo_kit::Error::from)?;
                handshake::summary(&r, &bad::run(&tun, kernel)?);
            }
            "connect" => {
                let answer_after = connect::parse_answer_after(&mut args)?;
                args.finish()?;
                enter_namespace()?;
                let tun = kernel_side()?;
                connect::run(&tun, answer_after)?;
            }
            "wire" => {
                let opts = wire::Options::parse(&mut args)?;
                args.finish()?;
                enter_namespace()?;
                let r = wire::run(&opts)?;
                wire::summary(&opts, &r);
            }
            other => {
                return bail_msg(tr!(
                    "unknown mode {other:?}: use handshake, connect or wire; see --help",
                    "没有 {other:?} 这个模式：请用 handshake、connect 或 wire；见 --help"
                ))
            }
        }
        Ok(())
    })
}

/// Step 1a: a private network namespace for this process (before any thread).
fn enter_namespace() -> Result<()> {
    step(
        1,
        tr!(
            "a private network namespace and a TUN device",
            "一个私有的网络命名空间和一个 TUN 设备"
        ),
    );
    let how = netns::enter()?;
    say(Side::Kernel, match how {
        netns::How::Root => tr!("unshare(CLONE_NEWNET): this process now has a network stack of its own", "unshare(CLONE_NEWNET)：这个进程现在有了自己的网络协议栈"),
        netns::How::UserNamespace => tr!("unshare(CLONE_NEWUSER | CLONE_NEWNET): a user namespace, and in it a network stack of our own", "unshare(CLONE_NEWUSER | CLONE_NEWNET)：一个用户命名空间，里面有我们自己的网络协议栈"),
    });
    Ok(())
}

/// Step 1b: `lo` up, `tun0` created with 192.0.2.1/24 and up.
fn kernel_side() -> Result<tun::Tun> {
    tun::configure("lo", None)?;
    let tun = tun::Tun::create("tun0")?;
    let ip = "192.0.2.1".parse().map_err(demo_kit::Error::from)?;
    tun::configure(&tun.name, Some(ip))?;
    say(Side::Kernel, tr!("open(\"/dev/net/tun\") + ioctl(TUNSETIFF): tun0 exists; SIOCSIFADDR 192.0.2.1/24, SIOCSIFFLAGS up", "open(\"/dev/net/tun\") + ioctl(TUNSETIFF)：tun0 已存在；SIOCSIFADDR 192.0.2.1/24，SIOCSIFFLAGS up"));
    say(
        Side::Note,
        tr!(
            "the kernel routes 192.0.2.0/24 into tun0: its packets to 192.0.2.2 now come to us",
            "内核把 192.0.2.0/24 路由到 tun0：它发往 192.0.2.2 的包现在都到了我们手里"
        ),
    );
    Ok(tun)
}
