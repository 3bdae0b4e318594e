//! Well-known ports: the table every Unix keeps in `/etc/services`
//! (`getent services http`), the IANA registry's numbers. A server that
//! everyone must find binds a fixed, agreed port (the notes: a server
//! 必须绑定一个固定的地址): HTTP 80, DNS 53, DHCP's server 67.
//!
//! `/etc/services` comes with Debian's `netbase` package and may be missing
//! in a small container; then the few numbers this demo needs come from a
//! table built in here, and the demo says so.

use demo_kit::lang::pick;

/// Where a port number came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Source {
    EtcServices,
    /// Built into this demo (the IANA numbers), because `/etc/services` is missing.
    BuiltIn,
}

/// The IANA numbers the demo uses, for machines without `/etc/services`.
const BUILT_IN: &[(&str, u16, &str)] = &[
    ("http", 80, "tcp"),
    ("https", 443, "tcp"),
    ("ftp", 21, "tcp"),
    ("ssh", 22, "tcp"),
    ("domain", 53, "udp"),
    ("domain", 53, "tcp"),
    ("bootps", 67, "udp"),
    ("bootpc", 68, "udp"),
];

/// One service: name, port, protocol, aliases.
pub type Service = (String, u16, String, Vec<String>);

/// One `/etc/services` line: `http  80/tcp  www  # WorldWideWeb HTTP`.
pub fn parse_line(line: &str) -> Option<Service> {
    let line = line.split('#').next()?;
    let mut f = line.split_whitespace();
    let name = f.next()?.to_string();
    let (port, proto) = f.next()?.split_once('/')?;
    Some((
        name,
        port.parse().ok()?,
        proto.to_string(),
        f.map(String::from).collect(),
    ))
}

fn table() -> Option<Vec<Service>> {
    let text = std::fs::read_to_string("/etc/services").ok()?;
    Some(text.lines().filter_map(parse_line).collect())
}

/// The port of service `name` (or an alias) over `proto` ("tcp"/"udp").
pub fn port_of(name: &str, proto: &str) -> Option<(u16, Source)> {
    match table() {
        Some(t) => t
            .iter()
            .find(|(n, _, p, aliases)| {
                p == proto && (n == name || aliases.iter().any(|a| a == name))
            })
            .map(|(_, port, _, _)| (*port, Source::EtcServices)),
        None => BUILT_IN
            .iter()
            .find(|(n, _, p)| *n == name && *p == proto)
            .map(|(_, port, _)| (*port, Source::BuiltIn)),
    }
}

/// The service name registered for `port` over `proto`.
pub fn name_of(port: u16, proto: &str) -> Option<(String, Source)> {
    match table() {
        Some(t) => t
            .into_iter()
            .find(|(_, p, pr, _)| *p == port && pr == proto)
            .map(|(n, ..)| (n, Source::EtcServices)),
        None => BUILT_IN
            .iter()
            .find(|(_, p, pr)| *p == port && *pr == proto)
            .map(|(n, ..)| (n.to_string(), Source::BuiltIn)),
    }
}

impl Source {
    pub fn describe(self) -> &'static str {
        match self {
            Source::EtcServices => "/etc/services",
            Source::BuiltIn => pick(
                "built in (no /etc/services here: package netbase)",
                "程序内置（这台机器没有 /etc/services：它由 netbase 包提供）",
            ),
        }
    }
}
