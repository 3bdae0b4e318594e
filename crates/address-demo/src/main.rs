//! `cargo run -p address-demo`: the notes' 标识地址的方式 — ip + mac names a
//! machine, ip + port names a program, a URL names a resource, DNS turns
//! names into addresses — each read from this machine, on loopback only.

use address_demo::{dns_talk, interfaces, services, sockets, url};
use demo_kit::cli::Args;
use demo_kit::say::{heading, say, step};
use demo_kit::{Context, Result, Side};
use std::process::ExitCode;

const HELP: &str = "\
address-demo: how the internet addresses machines, programs and resources

USAGE: cargo run -p address-demo -- [--url URL]

Steps: 1. this machine's interfaces (MAC, IPv4, IPv6)
       2. ip + port: find this very program in the kernel's socket table
       3. URLs taken apart by hand and resolved (names from /etc/hosts only)
       4. well-known ports from /etc/services (http 80, DNS 53, DHCP 67)
       5. DNS by hand: a query to a tiny responder on loopback, decoded

OPTIONS:
    --url URL   only take this URL apart and resolve it (e.g. http://localhost:8080/a)
    -h, --help  this text

Nothing is sent beyond loopback: a name not in /etc/hosts is not looked up.";

const URLS: &[&str] = &[
    "http://localhost/index.html?lang=zh#top",
    "https://[::1]:8443/",
    "http://no-such-host.invalid/",
];

fn main() -> ExitCode {
    demo_kit::fail::run(run)
}

fn run() -> Result<()> {
    let mut args = Args::parse(HELP);
    let only = args.value::<String>("--url")?;
    args.finish()?;
    if let Some(u) = only {
        return url::show(&u, true);
    }
    heading("标识地址的方式: addresses");
    step(1, "the media and their addresses (getifaddrs)");
    interfaces::show()?;
    step(
        2,
        "ip + port finds a socket, and the socket its program(s): find ourselves in the kernel's table",
    );
    sockets::find_ourselves()?;
    step(
        3,
        "a URL identifies a resource: scheme, host, port, path, query",
    );
    for u in URLS {
        url::show(u, false)?;
    }
    step(
        4,
        "well-known ports: a server everyone must find binds a fixed port",
    );
    for (name, proto) in [("http", "tcp"), ("domain", "udp"), ("bootps", "udp")] {
        let (port, src) = services::port_of(name, proto)
            .with_context(|| format!("no {name}/{proto} in /etc/services"))?;
        say(
            Side::Kernel,
            format!("{name:<7} {port}/{proto}  (from {})", src.describe()),
        );
    }
    step(
        5,
        "DNS is a protocol of its own on UDP: a fixed 12-byte header, then a body",
    );
    dns_talk::tour()
}
