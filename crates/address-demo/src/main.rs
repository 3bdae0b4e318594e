//! `cargo run -p address-demo`: the notes' 标识地址的方式 — ip + mac names a
//! machine, ip + port names a program, a URL names a resource, DNS turns
//! names into addresses — each read from this machine, on loopback only.

use address_demo::{dns_talk, interfaces, services, sockets, url};
use demo_kit::cli::Args;
use demo_kit::say::{heading, say, step};
use demo_kit::{tr, Context, Result, Side};
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
    --lang L    the language: en or zh (default: from LC_ALL, LC_MESSAGES, LANG)
    -h, --help  this text

Nothing is sent beyond loopback: a name not in /etc/hosts is not looked up.";

const HELP_ZH: &str = "\
address-demo：互联网怎样给机器、程序和资源编址

用法：cargo run -p address-demo -- [--url URL]

步骤：1. 本机的网络接口（MAC、IPv4、IPv6）
      2. ip + 端口：在内核的套接字表里找到这个程序自己
      3. 手工拆开几个 URL 并解析（名字只查 /etc/hosts）
      4. /etc/services 里的知名端口（http 80、DNS 53、DHCP 67）
      5. 手工走一遍 DNS：向回环上的一个小应答程序发查询，再解码回复

选项：
    --url URL   只拆开并解析这一个 URL（例如 http://localhost:8080/a）
    --lang L    输出语言：en 或 zh（默认看 LC_ALL、LC_MESSAGES、LANG）
    -h, --help  显示本帮助

所有数据都不出回环：不在 /etc/hosts 里的名字不会去查。";

const URLS: &[&str] = &[
    "http://localhost/index.html?lang=zh#top",
    "https://[::1]:8443/",
    "http://no-such-host.invalid/",
];

fn main() -> ExitCode {
    demo_kit::fail::run(run)
}

fn run() -> Result<()> {
    let mut args = Args::parse((HELP, HELP_ZH));
    let only = args.value::<String>("--url")?;
    args.finish()?;
    if let Some(u) = only {
        return url::show(&u, true);
    }
    heading(tr!("标识地址的方式: addresses", "标识地址的方式"));
    step(
        1,
        tr!(
            "the media and their addresses (getifaddrs)",
            "物理连接介质和它们的地址（getifaddrs）"
        ),
    );
    interfaces::show()?;
    step(
        2,
        tr!(
            "ip + port finds a socket, and the socket its program(s): find ourselves in the kernel's table",
            "ip + 端口找到套接字，套接字再找到它所属的程序：在内核的表里找到我们自己"
        ),
    );
    sockets::find_ourselves()?;
    step(
        3,
        tr!(
            "a URL identifies a resource: scheme, host, port, path, query",
            "URL 标识一个资源：协议、主机、端口、路径、查询串"
        ),
    );
    for u in URLS {
        url::show(u, false)?;
    }
    step(
        4,
        tr!(
            "well-known ports: a server everyone must find binds a fixed port",
            "知名端口：要让所有人都找得到的服务端，必须绑定一个固定的端口"
        ),
    );
    for (name, proto) in [("http", "tcp"), ("domain", "udp"), ("bootps", "udp")] {
        let (port, src) = services::port_of(name, proto).with_context(|| {
            tr!(
                "no {name}/{proto} in /etc/services",
                "/etc/services 里没有 {name}/{proto}"
            )
        })?;
        say(
            Side::Kernel,
            tr!(
                "{name:<7} {port}/{proto}  (from {})",
                "{name:<7} {port}/{proto}（来自 {}）",
                src.describe()
            ),
        );
    }
    step(
        5,
        tr!(
            "DNS is a protocol of its own on UDP: a fixed 12-byte header, then a body",
            "DNS 是跑在 UDP 上的一个独立协议：先是固定 12 字节的首部，后面是正文"
        ),
    );
    dns_talk::tour()
}
