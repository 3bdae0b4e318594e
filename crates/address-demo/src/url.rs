//! A URL identifies one resource in the world (the notes: url地址 标识全世界
//! 范围内独一无二的一个资源). Taken apart by hand (RFC 3986 §3), it is the
//! other addresses stacked up: `scheme://host:port/path?query` — the *host*
//! becomes an IP address (the resolver), the *port* picks the program on
//! that machine (given, or the default port the scheme's own specification
//! names), and the *path* and the *query* are names only that program
//! understands.
//!
//! The demo sends nothing beyond loopback, so it resolves only names the
//! machine knows by itself (`localhost`, names in `/etc/hosts`) and IP
//! literals. Any other name would need a query to a DNS server elsewhere.

use demo_kit::say::say;
use demo_kit::tr;
use demo_kit::Side;
use std::net::{IpAddr, SocketAddr, ToSocketAddrs};

/// A URL, parsed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Url {
    pub scheme: String,
    pub host: String,
    /// The port written in the URL, if any.
    pub port: Option<u16>,
    /// The path, `/` if none was given.
    pub path: String,
    /// The query, after `?` (without it), if any. The fragment, after `#`,
    /// is dropped: it never leaves the browser.
    pub query: Option<String>,
}

/// Splits `text` into scheme, host, port and path; a clear error if it is
/// not an absolute URL we understand.
///
/// ```
/// let u = address_demo::url::parse("http://[::1]:8080/a?b=1#top").unwrap();
/// assert_eq!((u.scheme.as_str(), u.host.as_str(), u.port, u.path.as_str()), ("http", "::1", Some(8080), "/a"));
/// assert_eq!(u.query.as_deref(), Some("b=1"));
/// ```
pub fn parse(text: &str) -> Result<Url, String> {
    let (scheme, rest) = text.split_once("://").ok_or_else(|| {
        tr!(
            "{text:?} has no scheme: write it as scheme://host/path, e.g. http://localhost/",
            "{text:?} 缺少协议：要写成 scheme://host/path，例如 http://localhost/"
        )
    })?;
    let good_scheme = scheme
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic())
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c));
    if !good_scheme {
        return Err(tr!(
            "bad scheme {scheme:?}: letters, digits, + - . only",
            "协议名 {scheme:?} 不对：只能用字母、数字和 + - ."
        ));
    }
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(end);
    if authority.contains('@') {
        return Err(tr!(
            "a user name in the URL (user@host) is not supported here",
            "这里不支持在 URL 里写用户名（user@host）"
        ));
    }
    let (host, port) = if let Some(v6) = authority.strip_prefix('[') {
        let (ip, after) = v6.split_once(']').ok_or_else(|| {
            tr!(
                "an IPv6 host needs its closing ']'",
                "IPv6 主机地址缺少右边的 ']'"
            )
        })?;
        ip.parse::<std::net::Ipv6Addr>()
            .map_err(|_| tr!("{ip:?} is not an IPv6 address", "{ip:?} 不是 IPv6 地址"))?;
        (ip.to_string(), after.strip_prefix(':'))
    } else {
        match authority.split_once(':') {
            Some((h, p)) => (h.to_string(), Some(p)),
            None => (authority.to_string(), None),
        }
    };
    let port = match port {
        None | Some("") => None,
        Some(p) => Some(p.parse::<u16>().map_err(|_| {
            tr!(
                "port {p:?} is not a number from 0 to 65535",
                "端口 {p:?} 不是 0 到 65535 之间的数"
            )
        })?),
    };
    if host.parse::<IpAddr>().is_err() {
        check_host_name(&host)?;
    }
    let before_fragment = tail.split('#').next().unwrap_or("");
    let (path, query) = match before_fragment.split_once('?') {
        Some((p, q)) => (p, Some(q.to_string())),
        None => (before_fragment, None),
    };
    let path = if path.starts_with('/') {
        path.to_string()
    } else {
        format!("/{path}")
    };
    Ok(Url {
        scheme: scheme.to_ascii_lowercase(),
        host: host.to_ascii_lowercase(),
        port,
        path,
        query,
    })
}

/// A host name (RFC 1123): dot-separated labels of 1 to 63 letters, digits
/// and hyphens, not starting or ending with a hyphen; 253 bytes at most.
pub fn check_host_name(host: &str) -> Result<(), String> {
    if host.is_empty() {
        return Err(tr!("the URL has no host", "URL 里没有主机"));
    }
    if host.len() > 253 {
        return Err(tr!(
            "host name of {} bytes: at most 253",
            "主机名有 {} 个字节：最多只能 253 个",
            host.len()
        ));
    }
    for label in host.trim_end_matches('.').split('.') {
        let ok = (1..=63).contains(&label.len())
            && label
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-')
            && !label.starts_with('-')
            && !label.ends_with('-');
        if !ok {
            return Err(tr!(
                "bad host name {host:?}: label {label:?} must be 1-63 letters, digits or '-'",
                "主机名 {host:?} 不对：标签 {label:?} 必须由 1-63 个字母、数字或 '-' 组成"
            ));
        }
    }
    Ok(())
}

/// Default ports, each from its scheme's specification (RFC 3986 §3.2.3:
/// the scheme defines it). A browser knows these itself; it does not look
/// them up in `/etc/services`.
pub const DEFAULT_PORTS: &[(&str, u16, &str)] = &[
    ("http", 80, "RFC 9110 §4.2.1"),
    ("https", 443, "RFC 9110 §4.2.2"),
    ("ws", 80, "RFC 6455 §3"),
    ("wss", 443, "RFC 6455 §3"),
    ("ftp", 21, "RFC 1738 §3.2"),
];

/// The port to connect to: the URL's (`None` as the source), or the
/// scheme's default port and the specification that names it.
pub fn port(url: &Url) -> Result<(u16, Option<&'static str>), String> {
    if let Some(p) = url.port {
        return Ok((p, None));
    }
    DEFAULT_PORTS
        .iter()
        .find(|(scheme, _, _)| *scheme == url.scheme)
        .map(|(_, p, spec)| (*p, Some(*spec)))
        .ok_or_else(|| {
            tr!(
                "no default port known for scheme {:?}: write one, e.g. {}://{}:8080/",
                "不知道协议 {:?} 的默认端口：请写明端口，例如 {}://{}:8080/",
                url.scheme,
                url.scheme,
                url.host
            )
        })
}

/// How a host became addresses.
#[derive(Debug)]
pub enum Resolved {
    /// It was an IP address already: no lookup.
    Literal(SocketAddr),
    /// The system resolver (`getaddrinfo`) answered; the name is in
    /// `/etc/hosts`, so no DNS query was needed.
    Found(Vec<SocketAddr>),
}

/// Resolves `host` for `port` without sending anything beyond loopback.
pub fn resolve(host: &str, port: u16) -> Result<Resolved, String> {
    if let Ok(ip) = host.parse::<IpAddr>() {
        return Ok(Resolved::Literal(SocketAddr::new(ip, port)));
    }
    if !known_locally(host) {
        return Err(tr!(
            "cannot resolve {host:?}: it is not in /etc/hosts, and asking a DNS server \
             would send a query off this machine, which this demo never does (try `getent hosts {host}` yourself)",
            "无法解析 {host:?}：它不在 /etc/hosts 里，而问 DNS 服务器就要把查询发出本机，\
             这个演示程序从不这样做（可以自己试试 `getent hosts {host}`）"
        ));
    }
    // getaddrinfo(): the C library's resolver. It asks the sources that
    // the `hosts:` line of /etc/nsswitch.conf names, in that order
    // (usually `files dns`: /etc/hosts, then DNS).
    match (host, port).to_socket_addrs() {
        Ok(addrs) => Ok(Resolved::Found(addrs.collect())),
        Err(e) => Err(tr!(
            "the system resolver could not resolve {host:?}: {e}",
            "系统的解析器无法解析 {host:?}：{e}"
        )),
    }
}

/// Is `host` listed in `/etc/hosts`? (`localhost` normally is.) Only such
/// names are resolved without asking a DNS server.
pub fn known_locally(host: &str) -> bool {
    let host = host.trim_end_matches('.');
    let hosts = std::fs::read_to_string("/etc/hosts").unwrap_or_default();
    hosts.lines().any(|l| {
        let l = l.split('#').next().unwrap_or("");
        l.split_whitespace()
            .skip(1)
            .any(|name| name.eq_ignore_ascii_case(host))
    })
}

/// The `hosts:` line of `/etc/nsswitch.conf`, e.g. `hosts: files dns`.
pub fn nsswitch_hosts() -> Option<String> {
    let text = std::fs::read_to_string("/etc/nsswitch.conf").ok()?;
    text.lines()
        .map(|l| l.split('#').next().unwrap_or("").trim())
        .find(|l| l.starts_with("hosts:"))
        .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
}

/// Step 3 of the demo: one URL taken apart and resolved. With `strict`,
/// a name that cannot be resolved is an error (the `--url` option).
pub fn show(text: &str, strict: bool) -> demo_kit::Result<()> {
    let u = parse(text).map_err(|e| demo_kit::Error::msg(tr!("bad URL: {e}", "URL 不对：{e}")))?;
    let (port, src) = port(&u).map_err(demo_kit::Error::msg)?;
    let from = src
        .map(|spec| {
            tr!(
                "the scheme's default port, {spec}",
                "协议的默认端口，见 {spec}"
            )
        })
        .unwrap_or_else(|| tr!("written in the URL", "URL 里写明的"));
    say(Side::Client, text);
    let query = u
        .query
        .as_ref()
        .map(|q| tr!("  query {q:?}", "  查询串 {q:?}"))
        .unwrap_or_default();
    say(
        Side::Client,
        tr!(
            "  scheme {:?}  host {:?}  port {port} ({from})  path {:?}{query}",
            "  协议 {:?}  主机 {:?}  端口 {port}（{from}）  路径 {:?}{query}",
            u.scheme,
            u.host,
            u.path
        ),
    );
    match resolve(&u.host, port) {
        Ok(Resolved::Literal(a)) => say(
            Side::Client,
            tr!(
                "  host is an IP address already: connect to {a}",
                "  主机本身就是 IP 地址：直接连接 {a}"
            ),
        ),
        Ok(Resolved::Found(addrs)) => {
            let list: Vec<String> = addrs.iter().map(|a| a.to_string()).collect();
            say(
                Side::Client,
                tr!(
                    "  getaddrinfo({:?}), sources in the order of /etc/nsswitch.conf ({}): {}",
                    "  getaddrinfo({:?})，按 /etc/nsswitch.conf 的顺序查（{}）：{}",
                    u.host,
                    nsswitch_hosts().unwrap_or_else(|| tr!("no hosts: line", "没有 hosts: 这一行")),
                    list.join(", ")
                ),
            );
        }
        Err(e) if strict => return Err(demo_kit::Error::msg(e)),
        Err(e) => say(Side::Note, format!("  {e}")),
    }
    Ok(())
}
