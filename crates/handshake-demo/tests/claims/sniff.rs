//! The `sniff` claims: the handshake's seq/ack arithmetic and the four-way
//! teardown read from real packets (needs root or CAP_NET_RAW, as in CI),
//! and the unprivileged path: EPERM, a clear message, exit status 77.

use demo_kit::testing::OutputWithin;
use handshake_demo::packet::{ACK, FIN, SYN};
use handshake_demo::sniff;
use handshake_demo::wire::{record, Capture};
use nix::errno::Errno;

/// True if this process may open a raw socket; otherwise the test is
/// skipped (a failure under CI, which runs as root).
fn privileged() -> bool {
    match sniff::open_raw() {
        Ok(_) => true,
        Err(e) => {
            demo_kit::testing::skip(&format!("no raw socket here ({e})"));
            false
        }
    }
}

fn check_handshake(c: &Capture) {
    let p = &c.packets;
    assert!(p.len() >= 3, "captured {p:?}");
    let (syn, synack, ack) = (&p[0], &p[1], &p[2]);
    assert!(c.from_client(syn) && syn.flags & (SYN | ACK | FIN) == SYN);
    assert!(!c.from_client(synack) && synack.has(SYN) && synack.has(ACK));
    assert!(c.from_client(ack) && ack.flags & (SYN | ACK | FIN) == ACK);
    let (x, y) = (syn.seq, synack.seq);
    assert_eq!(c.isns(), Some((x, y)));
    assert!(c.handshake_adds_up());
    assert_eq!(synack.ack, x.wrapping_add(1), "SYN|ACK says ack = x+1");
    assert_eq!(ack.seq, x.wrapping_add(1));
    assert_eq!(ack.ack, y.wrapping_add(1), "the last ACK says ack = y+1");
    // Every packet belongs to this connection.
    for s in p {
        assert!(
            (s.src == c.client && s.dst == c.server) || (s.src == c.server && s.dst == c.client)
        );
    }
}

#[test]
fn handshake_and_four_way_teardown_on_the_wire() {
    if !privileged() {
        return;
    }
    let c = record(true).unwrap();
    check_handshake(&c);
    // Data: 5 bytes each way, seq advancing by the payload length.
    let data: Vec<_> = c.packets.iter().filter(|s| s.payload_len > 0).collect();
    assert_eq!(data.len(), 2);
    let t = c.teardown();
    let shape: Vec<(bool, bool, bool)> = t
        .iter()
        .map(|s| (c.from_client(s), s.has(FIN), s.has(ACK)))
        .collect();
    assert_eq!(
        shape,
        vec![
            (true, true, true),
            (false, false, true),
            (false, true, true),
            (true, false, true)
        ],
        "client FIN, server ACK, server FIN, client ACK: {t:?}"
    );
    assert_eq!(
        t[1].ack,
        t[0].seq.wrapping_add(1),
        "the FIN takes one sequence number"
    );
    assert_eq!(t[3].ack, t[2].seq.wrapping_add(1));
}

#[test]
fn closing_at_once_still_acknowledges_the_fin() {
    if !privileged() {
        return;
    }
    let c = record(false).unwrap();
    check_handshake(&c);
    let t = c.teardown();
    // Three packets (ACK piggybacked on the server's FIN) or four, by timing;
    // either way the server's FIN|ACK acknowledges the client's FIN.
    assert!(t.len() == 3 || t.len() == 4, "{t:?}");
    let server_fin = t.iter().find(|s| !c.from_client(s) && s.has(FIN)).unwrap();
    assert!(server_fin.has(ACK));
    assert_eq!(server_fin.ack, t[0].seq.wrapping_add(1));
}

/// A capture keeps at most PACKET_CAP packets, however many pass: here a
/// ping-pong of 100 one-byte messages, over 200 packets.
#[test]
fn a_capture_keeps_at_most_packet_cap_packets() {
    use std::io::{Read, Write};
    if !privileged() {
        return;
    }
    let raw = sniff::open_raw().unwrap();
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    sniff::watch_port(&raw, port).unwrap();
    let mut client = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    let (mut server, _) = listener.accept().unwrap();
    let mut byte = [0u8; 1];
    for _ in 0..100 {
        client.write_all(b"p").unwrap();
        server.read_exact(&mut byte).unwrap();
        server.write_all(b"q").unwrap();
        client.read_exact(&mut byte).unwrap();
    }
    let packets = sniff::read_packets(&raw, port).unwrap();
    assert_eq!(packets.len(), sniff::PACKET_CAP);
    assert!(packets
        .iter()
        .all(|s| s.src.port() == port || s.dst.port() == port));
    assert!(
        packets.iter().any(|s| s.src.port() == port),
        "server's packets kept"
    );
    assert!(
        packets.iter().any(|s| s.dst.port() == port),
        "client's packets kept"
    );
}

/// The filter keeps other traffic out and every read is bounded: on a port
/// nobody uses, a capture ends empty once the socket was quiet for QUIET,
/// however busy the machine's loopback is. (A watchdog thread turns a read
/// that never ends into a failure instead of a hung test.)
#[test]
fn a_capture_of_a_silent_port_ends_empty() {
    if !privileged() {
        return;
    }
    let raw = sniff::open_raw().unwrap();
    // A port bound, so nobody else's connection uses it, but never listening.
    let idle = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    let port = idle.local_addr().unwrap().port();
    sniff::watch_port(&raw, port).unwrap();
    // What was queued before the filter was attached: read it away.
    let _ = sniff::read_packets(&raw, port).unwrap();
    // Traffic on another port, while the filter is attached.
    let other = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let _peer = std::net::TcpStream::connect(other.local_addr().unwrap()).unwrap();
    let (done, finished) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let started = std::time::Instant::now();
        let _ = done.send((
            sniff::read_packets(&raw, port).map(|p| p.len()),
            started.elapsed(),
        ));
    });
    let (kept, took) = finished
        .recv_timeout(std::time::Duration::from_secs(8))
        .expect("read_packets returns: its reads are bounded");
    assert_eq!(kept.unwrap(), 0);
    assert!(took >= sniff::QUIET, "it waited for QUIET: {took:?}");
}

/// The binary as root: the ladder of each connection, the handshake's
/// arithmetic, and a teardown note that matches the packets it counted.
#[test]
fn binary_prints_the_packets_and_explains_them() {
    if !privileged() {
        return;
    }
    let (code, text, err) =
        demo_kit::testing::run_demo(env!("CARGO_BIN_EXE_handshake-demo"), &["sniff"]);
    assert_eq!(code, 0, "{err}");
    for line in [
        "|--- SYN  seq=x+0 (",
        "|<-- SYN|ACK  seq=y+0 (",
        "|--- ACK  seq=x+1 (",
        "— exactly the course's seq=x -> ack=x+1",
        "the SYN carries no data but uses one sequence number",
        "teardown seen: 4 packets: client FIN|ACK, server ACK, server FIN|ACK, client ACK\n",
    ] {
        assert!(text.contains(line), "no {line:?} in:\n{text}");
    }
    assert_eq!(
        text.matches("|--- SYN  seq=x+0 (").count(),
        2,
        "two connections: {text}"
    );
    // The second connection's note matches its own count.
    let second = text.split("── step 2:").nth(1).expect("step 2");
    let n: usize = demo_kit::testing::number_after(second, "teardown seen: ");
    let three = second.contains("three packets: the server's FIN|ACK also acknowledges");
    let four = second.contains("this time the ACK left before the server's close()");
    assert_eq!((three, four), (n == 3, n == 4), "{second}");
}

/// As root: fork, drop to nobody in the child, and try the raw socket.
#[test]
fn without_privilege_the_raw_socket_fails_with_eperm() {
    use nix::sys::wait::{waitpid, WaitStatus};
    use nix::unistd::{fork, setgid, setgroups, setuid, ForkResult, Gid, Uid};
    if !Uid::effective().is_root() {
        let e = sniff::open_raw().map(|_| ()).unwrap_err();
        assert_eq!(e.raw_os_error(), Some(Errno::EPERM as i32));
        assert_eq!(e.exit_code(), sniff::NO_PRIVILEGE_EXIT);
        return;
    }
    demo_kit::child::flush_before_fork();
    // SAFETY: the child only drops privileges, makes one socket() call and
    // _exits (demo_kit::child::child_main).
    match unsafe { fork() }.unwrap() {
        ForkResult::Child => demo_kit::child::child_main(|| {
            let dropped = setgroups(&[]).is_ok()
                && setgid(Gid::from_raw(65534)).is_ok()
                && setuid(Uid::from_raw(65534)).is_ok();
            if !dropped {
                return 3;
            }
            match sniff::open_raw() {
                Err(e) if e.raw_os_error() == Some(Errno::EPERM as i32) => 0,
                Err(_) => 2,
                Ok(_) => 1,
            }
        }),
        ForkResult::Parent { child } => {
            let status = waitpid(child, None).unwrap();
            assert_eq!(
                status,
                WaitStatus::Exited(child, 0),
                "0 = EPERM seen as nobody"
            );
        }
    }
}

/// The binary itself, run as nobody (or as this non-root user): a clear
/// message on stderr, exit status 77, no panic.
#[test]
fn binary_explains_missing_privilege() {
    use std::os::unix::process::CommandExt;
    let bin = env!("CARGO_BIN_EXE_handshake-demo");
    let mut cmd;
    let _dir;
    if nix::unistd::Uid::effective().is_root() {
        // Copy the binary where `nobody` can surely execute it.
        let dir = std::env::temp_dir().join(format!(
            "handshake-eperm-{}-{}",
            nix::unistd::getuid(),
            std::process::id()
        ));
        std::fs::create_dir_all(&dir).unwrap();
        let copy = dir.join("handshake-demo");
        std::fs::copy(bin, &copy).unwrap();
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();
        cmd = std::process::Command::new(&copy);
        cmd.uid(65534).gid(65534);
        _dir = Some(RemoveOnDrop(dir));
    } else {
        cmd = std::process::Command::new(bin);
        _dir = None;
    }
    let out = cmd.arg("sniff").env("NO_COLOR", "1").output_within();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(77), "stderr: {err}");
    assert!(err.contains("setcap cap_net_raw+ep"), "{err}");
    assert!(err.contains("sudo"), "{err}");
    assert!(err.contains("EPERM"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
}

struct RemoveOnDrop(std::path::PathBuf);
impl Drop for RemoveOnDrop {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
