//! What this machine may not have, made in namespaces of our own
//! (user_namespaces(7), network_namespaces(7), mount_namespaces(7)), with
//! `unshare -rnm` (util-linux): an Ethernet interface with a MAC, where a
//! test may find only `lo`; and no readable `/etc/services`, which only a
//! small container lacks. Nothing outside the namespaces is touched: their
//! interfaces, their `/sys` and their mounts go when the process ends.

use demo_kit::testing::{run_demo, OutputWithin};
use std::process::Command;

/// Set in the copy of this test binary that runs in the namespaces.
const CHILD: &str = "ADDRESS_DEMO_PRIVATE_NS_CHILD";

/// `unshare` and `ip` are there, and this user may make the namespaces
/// (root, or unprivileged user namespaces); otherwise a skip, with why.
fn namespaces_can_be_made() -> bool {
    for (tool, package) in [("unshare", "util-linux"), ("ip", "iproute2")] {
        if Command::new(tool).arg("-V").output().is_err() {
            demo_kit::testing::skip(&format!("{tool} ({package}) is not installed"));
            return false;
        }
    }
    let probe = Command::new("unshare")
        .args(["-rnm", "true"])
        .output_within();
    if !probe.status.success() {
        let why = String::from_utf8_lossy(&probe.stderr);
        demo_kit::testing::skip(&format!(
            "this user may not make user, network and mount namespaces: {}",
            why.trim()
        ));
        return false;
    }
    true
}

/// Step 1 in a network namespace with `lo` up and a veth pair whose end
/// `v0` has the MAC 02:fc:00:00:00:01, and `/sys` mounted anew so that
/// `/sys/class/net` shows that namespace's interfaces (sysfs shows the
/// network namespace of the process that mounts it).
#[test]
fn an_ethernet_interface_shows_its_mac_and_loopback_none() {
    if !namespaces_can_be_made() {
        return;
    }
    let script = "mount -t sysfs sysfs /sys && ip link set lo up && \
        ip link add v0 address 02:fc:00:00:00:01 type veth peer name v1 && exec \"$0\"";
    let bin = env!("CARGO_BIN_EXE_address-demo");
    let (code, out, err) = run_demo("unshare", &["-rnm", "sh", "-c", script, bin]);
    assert_eq!(code, 0, "{out}{err}");
    let v0 = "[kernel] v0     DOWN Ethernet MAC 02:fc:00:00:00:01; IP: none";
    assert_eq!(
        out.lines().filter(|l| *l == v0).count(),
        1,
        "{v0:?} in {out}"
    );
    let lo = "[kernel] lo     UP   loopback no MAC (the kernel shows 00:00:00:00:00:00: no hardware, no wire); IP: 127.0.0.1/8";
    assert!(out.lines().any(|l| l.starts_with(lo)), "{lo:?} in {out}");
}

/// Without a readable `/etc/services` the ports come from the table built
/// into the demo, and say so. In a mount namespace, a file that is not
/// UTF-8 is mounted over `/etc/services`, so reading it fails as reading a
/// missing one does; a copy of this test binary runs
/// [`in_a_namespace_without_etc_services`] there.
#[test]
fn without_etc_services_the_built_in_table_answers() {
    if !namespaces_can_be_made() {
        return;
    }
    let bad = std::env::temp_dir().join(format!("address-demo-services-{}", std::process::id()));
    std::fs::write(&bad, b"\xff\xfe not UTF-8\n").unwrap();
    // (Where there is no /etc/services at all, there is nothing to hide.)
    let script = "{ [ ! -e /etc/services ] || mount --bind \"$1\" /etc/services; } && exec \"$0\" \
        --exact private_ns::in_a_namespace_without_etc_services --ignored --nocapture --test-threads 1";
    let exe = std::env::current_exe().expect("this test binary");
    let out = Command::new("unshare")
        .args(["-rm", "sh", "-c", script])
        .arg(exe)
        .arg(&bad)
        .env(CHILD, "1")
        .output_within();
    let _ = std::fs::remove_file(&bad);
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success() && text.contains("1 passed"), "{text}");
}

#[test]
#[ignore = "runs in a mount namespace of its own: without_etc_services_the_built_in_table_answers starts it"]
fn in_a_namespace_without_etc_services() {
    use address_demo::services::{name_of, port_of, Source::BuiltIn};
    assert_eq!(
        std::env::var(CHILD).as_deref(),
        Ok("1"),
        "started by without_etc_services_the_built_in_table_answers, never alone"
    );
    assert!(std::fs::read_to_string("/etc/services").is_err());
    let port = |name, proto| port_of(name, proto).map(|(p, s)| (p, s == BuiltIn));
    assert_eq!(port("http", "tcp"), Some((80, true)));
    assert_eq!(port("domain", "udp"), Some((53, true)));
    assert_eq!(port("bootps", "udp"), Some((67, true)));
    assert_eq!(port("http", "udp"), None, "HTTP is registered over TCP");
    let name = |port, proto| name_of(port, proto).map(|(n, s)| (n, s == BuiltIn));
    assert_eq!(name(67, "udp"), Some(("bootps".into(), true)));
    assert_eq!(name(53, "tcp"), Some(("domain".into(), true)));
    assert_eq!(name(80, "udp"), None);
    demo_kit::lang::set(demo_kit::lang::Lang::En);
    assert_eq!(
        BuiltIn.describe(),
        "built in (no /etc/services here: package netbase)"
    );
}
