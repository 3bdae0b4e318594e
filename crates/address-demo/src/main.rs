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
        return url_step(&u, true);
    }
    heading("标识地址的方式: addresses");
    step(1, "the media and their addresses (getifaddrs)");
    interfaces_step()?;
    step(
        2,
        "ip + port identifies one program: find ourselves in the kernel's socket table",
    );
    socket_step()?;
    step(3, "a URL identifies a resource: scheme, host, port, path");
    for u in URLS {
        url_step(u, false)?;
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
    dns_step()
}

fn interfaces_step() -> Result<()> {
    for i in interfaces::list()? {
        let mac = match i.mac {
            Some(m) if i.has_mac() => format!("MAC {}", interfaces::show_mac(&m)),
            _ => "no MAC (the kernel shows 00:00:00:00:00:00: no hardware, no wire)".into(),
        };
        let kind = match i.hw_type {
            Some(1) => "Ethernet",
            Some(772) => "loopback",
            _ => "other",
        };
        let ips: Vec<String> = i.ips.iter().map(|(ip, p)| format!("{ip}/{p}")).collect();
        say(
            Side::Kernel,
            format!(
                "{:<6} {} {kind:<8} {mac}; IP: {}",
                i.name,
                if i.up { "UP  " } else { "DOWN" },
                if ips.is_empty() {
                    "none".into()
                } else {
                    ips.join(", ")
                }
            ),
        );
    }
    say(
        Side::Note,
        "lo is a medium too: a software one inside the kernel; 127.0.0.1 never reaches a wire",
    );
    Ok(())
}

fn socket_step() -> Result<()> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").context("bind() 127.0.0.1:0")?;
    let addr = listener.local_addr()?;
    let inode = sockets::inode_of(&listener)?;
    say(
        Side::Server,
        format!(
            "bind() + listen(): the kernel gave me {addr}; fstat says my socket is inode {inode}"
        ),
    );
    let table = sockets::tcp_table()?;
    let me = table
        .iter()
        .find(|s| s.inode == inode)
        .context("our listener is not in /proc/net/tcp")?;
    let owners = sockets::socket_owners();
    let who: Vec<String> = owners
        .get(&inode)
        .into_iter()
        .flatten()
        .map(|o| format!("{} (pid {})", o.comm, o.pid))
        .collect();
    say(
        Side::Kernel,
        format!(
            "/proc/net/tcp: {} sockets; {} LISTEN, uid {}, inode {}",
            table.len(),
            me.local,
            me.uid,
            me.inode
        ),
    );
    say(
        Side::Kernel,
        format!(
            "/proc/*/fd: socket:[{inode}] is held by {} — I am pid {}",
            who.join(", "),
            std::process::id()
        ),
    );
    let same_port = table
        .iter()
        .filter(|s| s.local.port() == addr.port() && s.state == sockets::LISTEN)
        .count();
    say(
        Side::Note,
        format!(
            "{same_port} listening socket on port {}: ip + port leads to exactly one program",
            addr.port()
        ),
    );
    Ok(())
}

fn url_step(text: &str, strict: bool) -> Result<()> {
    let u = url::parse(text).map_err(|e| demo_kit::Error::msg(format!("bad URL: {e}")))?;
    let (port, src) = url::port(&u).map_err(demo_kit::Error::msg)?;
    let from = src
        .map(|s| format!("the scheme's well-known port, from {}", s.describe()))
        .unwrap_or("written in the URL".into());
    say(Side::Client, text);
    say(
        Side::Client,
        format!(
            "  scheme {:?}  host {:?}  port {port} ({from})  path {:?}",
            u.scheme, u.host, u.path
        ),
    );
    match url::resolve(&u.host, port) {
        Ok(url::Resolved::Literal(a)) => say(
            Side::Client,
            format!("  host is an IP address already: connect to {a}"),
        ),
        Ok(url::Resolved::Found(addrs)) => {
            let list: Vec<String> = addrs.iter().map(|a| a.to_string()).collect();
            say(
                Side::Kernel,
                format!(
                    "  getaddrinfo({:?}) from /etc/hosts: {}",
                    u.host,
                    list.join(", ")
                ),
            );
        }
        Err(e) if strict => return Err(demo_kit::Error::msg(e)),
        Err(e) => say(Side::Note, format!("  {e}")),
    }
    Ok(())
}

fn dns_step() -> Result<()> {
    let responder = dns_talk::start_responder()?;
    say(
        Side::Server,
        format!(
            "a toy DNS responder on UDP {} (port 53 needs root), answering from /etc/hosts",
            responder.addr
        ),
    );
    let id = (std::process::id() & 0xFFFF) as u16;
    for (n, name) in ["localhost", "no-such-host.invalid"].iter().enumerate() {
        dns_talk::ask(responder.addr, id.wrapping_add(n as u16), name)?;
    }
    say(Side::Note, "a fixed-length header, then a body whose size the header's counts give: the notes' 报头 + 数据, as in lesson 06");
    Ok(())
}
