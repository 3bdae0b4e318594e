//! The machine's interfaces: each is one medium (the notes' 物理连接介质)
//! with its addresses, as `getifaddrs()` returns them (what `ip addr` shows).
//!
//! A MAC address belongs to the link layer: it names a network card on its
//! own wire. IP addresses belong to the interface too, but are routed
//! between networks. Loopback (`lo`) is a medium as well — a software one:
//! packets sent to 127.0.0.1 never leave the kernel, and it has no card, so
//! no MAC (the kernel shows 00:00:00:00:00:00).

use demo_kit::say::say;
use demo_kit::tr;
use demo_kit::Side;
use demo_kit::{Context, Result};
use nix::ifaddrs::getifaddrs;
use nix::net::if_::InterfaceFlags;
use std::net::IpAddr;

/// One interface with all its addresses.
#[derive(Clone, Debug, Default)]
pub struct Interface {
    pub name: String,
    pub up: bool,
    pub loopback: bool,
    /// The link-layer address, if the interface has one (`AF_PACKET`).
    pub mac: Option<[u8; 6]>,
    /// IPv4 and IPv6 addresses with their prefix length (`/8`, `/64`).
    pub ips: Vec<(IpAddr, u32)>,
    /// `/sys/class/net/NAME/type`: 1 Ethernet, 772 loopback (ARPHRD_*).
    pub hw_type: Option<u32>,
}

impl Interface {
    /// Has a real MAC: present and not all zero.
    pub fn has_mac(&self) -> bool {
        self.mac.is_some_and(|m| m != [0; 6])
    }
}

/// `getifaddrs()`: one entry per (interface, address); grouped by interface.
pub fn list() -> Result<Vec<Interface>> {
    let mut out: Vec<Interface> = Vec::new();
    for entry in getifaddrs().context("getifaddrs()")? {
        let i = match out.iter().position(|i| i.name == entry.interface_name) {
            Some(i) => i,
            None => {
                out.push(Interface {
                    name: entry.interface_name.clone(),
                    hw_type: std::fs::read_to_string(format!(
                        "/sys/class/net/{}/type",
                        entry.interface_name
                    ))
                    .ok()
                    .and_then(|t| t.trim().parse().ok()),
                    ..Interface::default()
                });
                out.len() - 1
            }
        };
        let iface = &mut out[i];
        iface.up |= entry.flags.contains(InterfaceFlags::IFF_UP);
        iface.loopback |= entry.flags.contains(InterfaceFlags::IFF_LOOPBACK);
        let Some(addr) = entry.address else { continue };
        if let Some(link) = addr.as_link_addr() {
            iface.mac = link.addr().or(iface.mac);
        } else if let Some(v4) = addr.as_sockaddr_in() {
            let prefix = entry
                .netmask
                .and_then(|m| m.as_sockaddr_in().map(|m| u32::from(m.ip()).count_ones()));
            iface.ips.push((IpAddr::V4(v4.ip()), prefix.unwrap_or(32)));
        } else if let Some(v6) = addr.as_sockaddr_in6() {
            let prefix = entry
                .netmask
                .and_then(|m| m.as_sockaddr_in6().map(|m| u128::from(m.ip()).count_ones()));
            iface.ips.push((IpAddr::V6(v6.ip()), prefix.unwrap_or(128)));
        }
    }
    Ok(out)
}

/// `02:fc:00:00:00:01`
pub fn show_mac(mac: &[u8; 6]) -> String {
    mac.iter()
        .map(|b| format!("{b:02x}"))
        .collect::<Vec<_>>()
        .join(":")
}

/// Step 1 of the demo: every interface, its MAC and its IPs.
pub fn show() -> Result<()> {
    for i in list()? {
        let mac = match i.mac {
            Some(m) if i.has_mac() => format!("MAC {}", show_mac(&m)),
            _ => tr!(
                "no MAC (the kernel shows 00:00:00:00:00:00: no hardware, no wire)",
                "没有 MAC（内核显示 00:00:00:00:00:00：没有硬件，也没有网线）"
            ),
        };
        let kind = match i.hw_type {
            Some(1) => "Ethernet",
            Some(772) => "loopback",
            _ => "other",
        };
        let ips: Vec<String> = i.ips.iter().map(|(ip, p)| format!("{ip}/{p}")).collect();
        say(
            Side::Kernel,
            tr!(
                "{:<6} {} {kind:<8} {mac}; IP: {}",
                "{:<6} {} {kind:<8} {mac}；IP：{}",
                i.name,
                if i.up { "UP  " } else { "DOWN" },
                if ips.is_empty() {
                    tr!("none", "无")
                } else {
                    ips.join(", ")
                }
            ),
        );
    }
    say(
        Side::Note,
        tr!(
            "lo is a medium too: a software one inside the kernel; 127.0.0.1 never reaches a wire",
            "lo 也是一种介质：它是内核里的软件接口；发往 127.0.0.1 的数据永远不会上线路"
        ),
    );
    Ok(())
}
