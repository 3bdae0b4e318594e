//! The tables the demo reads, checked against the machine's own: the
//! kernel's socket table and `/proc/<pid>/fd`, `/etc/services`,
//! `/etc/nsswitch.conf`; the limits of a host name; and the default run's
//! lines that say what it found.

use address_demo::interfaces::{self, Interface};
use address_demo::services::{self, Source};
use address_demo::{sockets, url};
use demo_kit::testing::run_demo;
use std::net::TcpListener;

/// A line of `/proc/net/tcp` needs its first 10 fields, the inode being
/// the 10th (proc(5)); the rest (timers, refcount, ...) are not read.
#[test]
fn a_socket_line_needs_ten_fields() {
    let ten =
        "0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000 1000 0 4242";
    let s = sockets::parse_line(ten).expect("10 fields are enough");
    assert_eq!((s.uid, s.inode), (1000, 4242));
    let nine = ten.rsplit_once(' ').unwrap().0;
    assert_eq!(sockets::parse_line(nine), None);
}

/// A process holding a socket twice (`dup`: two fds, one socket, one inode)
/// is one owner, listed once.
#[test]
fn two_descriptors_of_one_socket_make_one_owner() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let again = listener.try_clone().unwrap();
    let inode = sockets::inode_of(&listener).unwrap();
    assert_eq!(sockets::inode_of(&again).unwrap(), inode, "one socket");
    let us = std::process::id() as i32;
    let owners = sockets::socket_owners();
    let listed = owners[&inode].iter().filter(|o| o.pid == us).count();
    assert_eq!(listed, 1, "{:?}", owners[&inode]);
}

/// At most 253 bytes in a host name (RFC 1123 §2.1, RFC 1035 §2.3.4).
#[test]
fn a_host_name_of_253_bytes_is_accepted_and_254_refused() {
    demo_kit::lang::set(demo_kit::lang::Lang::En); // the message checked is the English one
    let labels = |last: usize| {
        let l63 = "a".repeat(63);
        format!("{l63}.{l63}.{l63}.{}", "b".repeat(last))
    };
    assert_eq!(labels(61).len(), 253);
    assert_eq!(url::check_host_name(&labels(61)), Ok(()));
    assert_eq!(
        url::check_host_name(&labels(62)),
        Err("host name of 254 bytes: at most 253".to_string())
    );
}

/// The `hosts:` line of `/etc/nsswitch.conf` (nsswitch.conf(5)), read here
/// another way: the first line whose first word is `hosts:`, its words.
#[test]
fn the_hosts_line_is_nsswitch_confs() {
    let want = std::fs::read_to_string("/etc/nsswitch.conf")
        .ok()
        .and_then(|text| {
            text.lines()
                .map(|l| l.find('#').map_or(l, |i| &l[..i]))
                .map(|l| l.split_whitespace().collect::<Vec<_>>())
                .find(|w| w.first().is_some_and(|w| w.starts_with("hosts:")))
                .map(|w| w.join(" "))
        });
    assert_eq!(url::nsswitch_hosts(), want);
    if want.is_none() {
        demo_kit::testing::skip("no hosts: line in /etc/nsswitch.conf");
    }
}

/// Ports come from `/etc/services` where it can be read (the built-in
/// table otherwise: private_ns.rs), and the source is named.
#[test]
fn ports_come_from_etc_services_and_say_so() {
    let Ok(text) = std::fs::read_to_string("/etc/services") else {
        demo_kit::testing::skip("no /etc/services here (private_ns.rs tests the built-in table)");
        return;
    };
    let from = Some((80, Source::EtcServices));
    assert_eq!(services::port_of("http", "tcp"), from);
    assert_eq!(Source::EtcServices.describe(), "/etc/services");
    // A port registered over TCP only: over UDP it has no name.
    let table: Vec<services::Service> = text.lines().filter_map(services::parse_line).collect();
    let (name, port) = table
        .iter()
        .filter(|(_, _, proto, _)| proto == "tcp")
        .find(|(_, p, ..)| !table.iter().any(|(_, q, pr, _)| q == p && pr == "udp"))
        .map(|(n, p, ..)| (n.clone(), *p))
        .expect("a port registered over TCP only");
    assert_eq!(services::name_of(port, "udp"), None, "{name} {port}");
    let want = Some((name, Source::EtcServices));
    assert_eq!(services::name_of(port, "tcp"), want);
}

/// A MAC of all zeros is no MAC (loopback's); any other is one, written as
/// six hex bytes.
#[test]
fn a_mac_is_six_hex_bytes_and_zeros_are_none() {
    let with = |mac| Interface {
        mac,
        ..Interface::default()
    };
    assert!(with(Some([2, 0xfc, 0, 0, 0, 1])).has_mac());
    assert!(!with(Some([0; 6])).has_mac());
    assert!(!with(None).has_mac());
    let mac = [2, 0xfc, 0, 0, 0xab, 1];
    assert_eq!(interfaces::show_mac(&mac), "02:fc:00:00:ab:01");
}

/// Loopback is up, and `/sys/class/net/lo/type` says what it is: 772,
/// ARPHRD_LOOPBACK (include/uapi/linux/if_arp.h).
#[test]
fn loopback_is_up_and_of_type_loopback() {
    let all = interfaces::list().unwrap();
    let lo = all.iter().find(|i| i.name == "lo").expect("lo");
    assert_eq!((lo.up, lo.loopback, lo.hw_type), (true, true, Some(772)));
}

/// The default run's own account: the listener it binds is the one it
/// finds in the kernel's table (same address, same inode), the only one
/// listening on its port, although this test holds two listeners of its
/// own; loopback is shown as such; the ports name their source.
#[test]
fn the_default_run_finds_its_own_listener_and_names_its_sources() {
    let _others = [0, 1].map(|_| TcpListener::bind("127.0.0.1:0").unwrap());
    let (code, out, err) = run_demo(env!("CARGO_BIN_EXE_address-demo"), &[]);
    assert_eq!(code, 0, "{err}");
    let after = |marker: &str| -> Vec<&str> {
        let rest = out
            .split(marker)
            .nth(1)
            .unwrap_or_else(|| panic!("{marker:?}: {out}"));
        rest.split([' ', ',', ';', '\n']).collect()
    };
    let (addr, inode) = (
        after("the kernel gave me ")[0],
        after("my socket is inode ")[0],
    );
    let table = format!(
        "; {addr} LISTEN, uid {}, inode {inode}\n",
        nix::unistd::getuid()
    );
    assert!(out.contains(&table), "{table:?} in {out}");
    let port = addr.rsplit(':').next().unwrap();
    let note = format!("[note] 1 listening socket(s) on port {port}, held by 1 process(es)");
    assert!(out.contains(&note), "{note:?} in {out}");
    let lo = "[kernel] lo     UP   loopback no MAC (the kernel shows 00:00:00:00:00:00: no hardware, no wire); IP: 127.0.0.1/8";
    assert!(out.lines().any(|l| l.starts_with(lo)), "{lo:?} in {out}");
    if std::fs::read_to_string("/etc/services").is_ok() {
        assert!(
            out.contains("[kernel] http    80/tcp  (from /etc/services)\n"),
            "{out}"
        );
    }
}
