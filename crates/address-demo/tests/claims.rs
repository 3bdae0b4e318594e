//! The demo's claims about addresses, checked on this machine.

// The demo told in Chinese: in this binary, so it runs alongside the claims.
#[path = "claims/lang.rs"]
mod lang;

#[path = "claims/dns_bytes.rs"]
mod dns_bytes;

#[path = "claims/tables.rs"]
mod tables;

#[path = "claims/private_ns.rs"]
mod private_ns;

use address_demo::dns::{self, Header};
use address_demo::{dns_talk, interfaces, services, sockets, url};
use demo_kit::testing::run_demo;
use proptest::prelude::*;
use std::net::{IpAddr, Ipv4Addr};

#[test]
fn loopback_is_an_interface_without_a_mac() {
    let all = interfaces::list().unwrap();
    let lo = all
        .iter()
        .find(|i| i.loopback)
        .expect("a loopback interface");
    assert!(!lo.has_mac(), "{lo:?}");
    assert!(
        lo.ips
            .iter()
            .any(|(ip, _)| *ip == IpAddr::V4(Ipv4Addr::LOCALHOST)),
        "{lo:?}"
    );
    assert!(
        lo.ips.iter().any(|(ip, p)| ip.is_loopback() && *p == 8),
        "127.0.0.1/8: {lo:?}"
    );
}

#[test]
fn our_listener_is_found_by_inode_and_owned_by_us() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let inode = sockets::inode_of(&listener).unwrap();
    let table = sockets::tcp_table().unwrap();
    let me = table
        .iter()
        .find(|s| s.inode == inode)
        .expect("in /proc/net/tcp");
    assert_eq!(me.local, listener.local_addr().unwrap());
    assert_eq!(me.state, sockets::LISTEN);
    assert_eq!(me.uid, nix::unistd::getuid().as_raw());
    let owners = sockets::socket_owners();
    let pids: Vec<i32> = owners[&inode].iter().map(|o| o.pid).collect();
    let us = std::process::id() as i32;
    assert!(pids.contains(&us), "{pids:?}");
    // Any other owner can only be a child of this test binary caught
    // between fork and exec (another test starting a demo at that moment):
    // a forked child holds every descriptor until exec closes the
    // close-on-exec ones (fork(2), execve(2)).
    for pid in pids.iter().filter(|p| **p != us) {
        let parent = demo_kit::procfs::stat(*pid).map(|s| s.ppid);
        assert!(
            parent.is_none() || parent == Some(us),
            "pid {pid} (parent {parent:?}) holds our listener: {pids:?}"
        );
    }
}

#[test]
fn a_connection_is_named_by_both_ends() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let client = std::net::TcpStream::connect(listener.local_addr().unwrap()).unwrap();
    let (server, _) = listener.accept().unwrap();
    let table = sockets::tcp_table().unwrap();
    let accepted = table
        .iter()
        .find(|s| s.inode == sockets::inode_of(&server).unwrap())
        .unwrap();
    assert_eq!(
        accepted.local,
        listener.local_addr().unwrap(),
        "same ip:port as the listener"
    );
    assert_eq!(
        accepted.remote,
        client.local_addr().unwrap(),
        "told apart by the remote end"
    );
    assert_eq!(accepted.state, 0x01, "ESTABLISHED");
}

#[test]
fn proc_net_tcp6_lines_parse() {
    let s = sockets::parse_line("0: 00000000000000000000000001000000:1F90 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000 0 0 77 1").unwrap();
    assert_eq!(
        (s.local.to_string(), s.inode),
        ("[::1]:8080".to_string(), 77)
    );
    assert!(sockets::parse_line("garbage").is_none());
}

#[test]
fn urls_are_taken_apart() {
    demo_kit::lang::set(demo_kit::lang::Lang::En); // the messages checked are the English ones
    let u = url::parse("HTTP://LocalHost/index.html?lang=zh#top").unwrap();
    assert_eq!(
        (u.scheme.as_str(), u.host.as_str(), u.port, u.path.as_str()),
        ("http", "localhost", None, "/index.html")
    );
    assert_eq!(
        u.query.as_deref(),
        Some("lang=zh"),
        "the query is its own part"
    );
    assert_eq!(
        url::port(&u).unwrap(),
        (80, Some("RFC 9110 §4.2.1")),
        "the default port comes from the scheme's specification"
    );
    let u = url::parse("http://x/?").unwrap();
    assert_eq!((u.path.as_str(), u.query.as_deref()), ("/", Some("")));
    let u = url::parse("https://127.0.0.1:8443").unwrap();
    assert_eq!((u.port, u.path.as_str(), u.query), (Some(8443), "/", None));
    assert_eq!(
        url::port(&url::parse("https://x/").unwrap()).unwrap().0,
        443
    );
    assert!(url::port(&url::parse("gopherx://x/").unwrap())
        .unwrap_err()
        .contains("no default port"));
}

#[test]
fn bad_urls_get_clear_errors() {
    demo_kit::lang::set(demo_kit::lang::Lang::En); // the messages checked are the English ones
    for (bad, says) in [
        ("localhost/index.html", "no scheme"),
        ("1http://x/", "bad scheme"),
        ("http://x:70000/", "0 to 65535"),
        ("http://x:port/", "0 to 65535"),
        ("http://user@x/", "user name"),
        ("http://[::1/", "closing ']'"),
        ("http://[nonsense]/", "not an IPv6"),
        ("http:///path", "no host"),
        ("http://bad_name/", "bad host name"),
    ] {
        let e = url::parse(bad).unwrap_err();
        assert!(e.contains(says), "{bad}: {e}");
    }
    let long = format!("http://{}.example/", "a".repeat(64));
    assert!(url::parse(&long).unwrap_err().contains("1-63"));
}

#[test]
fn names_resolve_only_from_etc_hosts() {
    demo_kit::lang::set(demo_kit::lang::Lang::En); // the messages checked are the English ones
    assert!(matches!(
        url::resolve("::1", 5).unwrap(),
        url::Resolved::Literal(_)
    ));
    let e = url::resolve("no-such-host.invalid", 80).unwrap_err();
    assert!(e.contains("not in /etc/hosts"), "{e}");
    if !url::known_locally("localhost") {
        demo_kit::testing::skip("/etc/hosts has no localhost line");
        return;
    }
    let url::Resolved::Found(addrs) = url::resolve("localhost", 80).unwrap() else {
        panic!("a lookup")
    };
    assert!(
        addrs.iter().all(|a| a.ip().is_loopback() && a.port() == 80),
        "{addrs:?}"
    );
}

#[test]
fn well_known_ports() {
    assert_eq!(services::port_of("domain", "udp").unwrap().0, 53);
    assert_eq!(services::port_of("bootps", "udp").unwrap().0, 67);
    assert_eq!(services::port_of("http", "tcp").unwrap().0, 80);
    assert_eq!(services::name_of(53, "udp").unwrap().0, "domain");
    let line = services::parse_line("http\t\t80/tcp\t\twww\t\t# WorldWideWeb HTTP").unwrap();
    assert_eq!(
        line,
        ("http".into(), 80, "tcp".into(), vec!["www".to_string()])
    );
}

#[test]
fn dns_query_bytes_are_as_rfc_1035_says() {
    let q = dns::query(0xABCD, "www.example").unwrap();
    assert_eq!(&q[..12], &[0xAB, 0xCD, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0]);
    assert_eq!(&q[12..], b"\x03www\x07example\x00\x00\x01\x00\x01");
}

#[test]
fn the_responder_answers_from_etc_hosts_and_says_nxdomain_otherwise() {
    let r = dns_talk::start_responder().unwrap();
    let x = dns_talk::ask(r.addr, 7, "no-such-host.invalid").unwrap();
    assert_eq!(
        (x.header.id, x.header.qr, x.header.rcode, x.header.ancount),
        (7, true, dns::NXDOMAIN, 0)
    );
    let Some(ip) = dns_talk::etc_hosts("localhost") else {
        demo_kit::testing::skip("/etc/hosts has no IPv4 localhost line");
        return;
    };
    let x = dns_talk::ask(r.addr, 8, "localhost").unwrap();
    assert_eq!((x.header.rcode, x.header.ancount), (dns::NOERROR, 1));
    assert_eq!(x.answers[0].data, ip.octets());
    assert_eq!(
        x.answers[0].name, "localhost",
        "the compression pointer is followed"
    );
}

#[test]
fn a_compression_loop_is_refused_not_followed_forever() {
    let mut msg = Header {
        qdcount: 1,
        ..Header::default()
    }
    .encode()
    .to_vec();
    msg.extend([0xC0, 12]); // a name that points at itself

    // On threads of their own, bounded: a loop that is followed for ever
    // fails here in 2 s instead of hanging the test binary.
    let m = msg.clone();
    assert!(dns_bytes::within_2s(move || dns::decode_name(&m, 12)).is_none());
    assert!(dns_bytes::within_2s(move || dns::respond(&msg, |_| None)).is_none());
}

proptest! {
    #[test]
    fn headers_round_trip(id: u16, qr: bool, opcode in 0u8..16, aa: bool, tc: bool, rd: bool, ra: bool,
                          rcode in 0u8..16, qd: u16, an: u16, ns: u16, ar: u16) {
        let h = Header { id, qr, opcode, aa, tc, rd, ra, rcode, qdcount: qd, ancount: an, nscount: ns, arcount: ar };
        prop_assert_eq!(Header::decode(&h.encode()), Some(h));
    }

    #[test]
    fn garbage_never_crashes_the_responder(bytes in proptest::collection::vec(any::<u8>(), 0..64)) {
        let _ = dns::respond(&bytes, |_| Some(Ipv4Addr::LOCALHOST));
    }
}

#[test]
fn the_default_run_and_bad_input() {
    let bin = env!("CARGO_BIN_EXE_address-demo");
    let (code, out, err) = run_demo(bin, &[]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("is held by address-demo (pid "), "{out}");
    assert!(
        out.contains("held by 1 process(es)") && !out.contains("exactly one program"),
        "{out}"
    );
    assert!(
        out.contains(
            r#"(the scheme's default port, RFC 9110 §4.2.1)  path "/index.html"  query "lang=zh""#
        ),
        "{out}"
    );
    assert!(out.contains("RCODE=3 (no such name)"), "{out}");
    assert!(
        out.contains("domain  53/udp") && out.contains("bootps  67/udp"),
        "{out}"
    );
    let (code, out, _) = run_demo(bin, &["--url", "https://[::1]:8443/x"]);
    assert_eq!(code, 0);
    assert!(out.contains("port 8443 (written in the URL)"), "{out}");
    for (args, says) in [
        (&["--url", "nonsense"][..], "bad URL"),
        (
            &["--url", "http://no-such-host.invalid/"],
            "not in /etc/hosts",
        ),
        (&["--url"], "needs a value"),
        (&["--bogus"], "unexpected argument"),
    ] {
        let (code, _, err) = run_demo(bin, args);
        assert_eq!(code, 1, "{args:?}");
        assert!(
            err.starts_with("error: ") && err.contains(says),
            "{args:?}: {err}"
        );
    }
}
