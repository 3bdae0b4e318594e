//! The server's limits hold under pressure: a silent client is dropped
//! after the hello timeout, the 129th client is refused with a message and
//! the server recovers, a client that stops reading 100 MB of output costs
//! no memory and is ended by the write timeout, and 1,000 connections in a
//! row leave no descriptor, thread or process behind.

use crate::common::{assert_command_gone, ServerProc, PATIENCE};
use framing::Codec;
use remote_shell::client::Client;
use remote_shell::framed_proto::{self, COMMAND, ERROR};
use remote_shell::security::MAX_CLIENTS;
use remote_shell::Protocol;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

/// A field of /proc/PID/status, in its unit (kB for memory).
fn status_field(pid: i32, name: &str) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let line = status.lines().find(|l| l.starts_with(name)).unwrap();
    line.split_whitespace().nth(1).unwrap().parse().unwrap()
}

fn open_fds(pid: i32) -> usize {
    std::fs::read_dir(format!("/proc/{pid}/fd"))
        .unwrap()
        .count()
}

/// Live children of `pid` (the keepers of running commands).
fn children(pid: i32) -> usize {
    std::fs::read_dir("/proc")
        .unwrap()
        .filter_map(|e| e.ok()?.file_name().to_str()?.parse::<i32>().ok())
        .filter_map(demo_kit::procfs::stat)
        .filter(|s| s.ppid == pid)
        .count()
}

fn echo(client: &mut Client, text: &str) {
    let (mut out, mut err) = (Vec::new(), Vec::new());
    client
        .run(format!("echo {text}").as_bytes(), &mut out, &mut err)
        .unwrap();
    assert_eq!(out, format!("{text}\n").as_bytes());
}

/// The same code path as the 10 s default, with `--hello-timeout 0.5`.
#[test]
fn a_client_that_never_says_hello_is_dropped_after_the_hello_timeout() {
    let server = ServerProc::start(&["--hello-timeout", "0.5", "--idle-timeout", "300"]);
    let mut silent = TcpStream::connect(server.addr).unwrap();
    silent.set_read_timeout(Some(PATIENCE)).unwrap();
    let start = Instant::now();
    let mut reply = Vec::new();
    let _ = silent.read_to_end(&mut reply);
    let took = start.elapsed();
    assert!(
        took >= Duration::from_millis(450),
        "closed too early: {took:?}"
    );
    assert!(took < Duration::from_secs(10), "closed too late: {took:?}");
    let frame = Codec::network()
        .read_frame(&mut &reply[..])
        .unwrap()
        .unwrap();
    assert_eq!(frame[0], ERROR);
    assert_eq!(&frame[1..], b"no hello within 500ms");
    server.expect_log("no hello within 500ms; closing");
    let mut good = Client::connect(server.addr, Protocol::Framed, None).unwrap();
    echo(&mut good, "served");
}

#[test]
fn the_129th_client_is_refused_with_a_reason_and_the_server_recovers() {
    let server = ServerProc::start(&[]);
    let mut clients: Vec<Client> = (0..MAX_CLIENTS)
        .map(|_| Client::connect(server.addr, Protocol::Framed, None).unwrap())
        .collect();
    let start = Instant::now();
    let err = Client::connect(server.addr, Protocol::Framed, None)
        .err()
        .expect("the 129th client must be refused");
    assert!(
        start.elapsed() < Duration::from_secs(10),
        "refusal took {:?}",
        start.elapsed()
    );
    assert!(
        err.to_string().contains("server busy: already 128 clients"),
        "{err}"
    );
    server.expect_log("refused, already 128 clients");
    // The 128 are still served.
    echo(&mut clients[0], "first");
    echo(&mut clients[127], "last");
    // One leaves: a newcomer gets its place (as soon as the server has
    // seen the close, which takes one read).
    drop(clients.pop());
    let mut newcomer = demo_kit::wait::until(PATIENCE, || {
        Client::connect(server.addr, Protocol::Framed, None).ok()
    })
    .expect("no place freed after a client left");
    echo(&mut newcomer, "newcomer");
    drop(clients);
    drop(newcomer);
}

#[test]
fn a_framed_client_that_stops_reading_100_mb_costs_no_memory_and_times_out() {
    stops_reading_100_mb(Protocol::Framed);
}

#[test]
fn a_course_client_that_stops_reading_100_mb_costs_no_memory_and_times_out() {
    stops_reading_100_mb(Protocol::Course);
}

/// The client sends a command printing 100 MB, then never reads. Framed:
/// the server blocks in one write until `--write-timeout`; course: it
/// spools to a file, then `sendfile` blocks. Either way its peak memory
/// (VmHWM) grows by less than 8 MiB and the client is dropped; a framed
/// command, still writing, is killed (a course one has already ended).
/// (One test per protocol, so the two run at the same time.)
fn stops_reading_100_mb(proto: Protocol) {
    let name = proto.to_string();
    let server = ServerProc::start(&["--protocol", &name, "--write-timeout", "0.3"]);
    let mut warm = Client::connect(server.addr, proto, None).unwrap();
    echo(&mut warm, "warm-up"); // threads, buffers: the baseline
    let before = status_field(server.pid(), "VmHWM:");
    let stuck = Client::connect(server.addr, proto, None).unwrap();
    let mut s: &TcpStream = stuck.stream();
    let cmd = b"echo $$ >&2; head -c 100000000 /dev/zero";
    match proto {
        Protocol::Framed => framed_proto::send(&mut s, COMMAND, cmd).unwrap(),
        Protocol::Course => s.write_all(cmd).unwrap(),
    }
    let line = server.expect_log("not reading its output");
    let after = status_field(server.pid(), "VmHWM:");
    eprintln!("{name}: VmHWM {before} kB before, {after} kB after; {line}");
    assert!(
        after - before < 8 * 1024,
        "{name}: VmHWM grew from {before} to {after} kB"
    );
    // Framed: the log names the command's pid; it is gone.
    if proto == Protocol::Framed {
        let log = server.expect_log("output failed");
        let pid: i32 = demo_kit::testing::number_after(&log, "pid ");
        assert_command_gone(pid);
    }
    echo(&mut warm, "still served");
}

#[test]
fn a_thousand_connections_in_a_row_leave_nothing_behind() {
    let server = ServerProc::start(&[]);
    let pid = server.pid();
    let mut first = Client::connect(server.addr, Protocol::Framed, None).unwrap();
    echo(&mut first, "warm-up");
    drop(first);
    let settled = |fds: usize, threads: u64| {
        demo_kit::wait::until(PATIENCE, || {
            (open_fds(pid) == fds && status_field(pid, "Threads:") == threads && children(pid) == 0)
                .then_some(())
        })
    };
    // Once the warm-up connection's thread is gone: main + ctrlc's thread.
    let threads = 2;
    demo_kit::wait::until(PATIENCE, || {
        (status_field(pid, "Threads:") == threads).then_some(())
    })
    .expect("the warm-up connection's thread never ended");
    let fds = open_fds(pid);
    for i in 0..1000 {
        let mut c = Client::connect(server.addr, Protocol::Framed, None).unwrap();
        if i % 10 == 0 {
            echo(&mut c, &format!("n{i}"));
        }
    }
    assert!(
        settled(fds, threads).is_some(),
        "after 1000 connections: {} fds (was {fds}), {} threads (was {threads}), {} children",
        open_fds(pid),
        status_field(pid, "Threads:"),
        children(pid)
    );
    server.expect_log("n990");
}

/// The course protocol's spool keeps a command's output in memory up to
/// `MEMORY_LIMIT` bytes exactly; one byte more, in one push or in two, and
/// it moves to a file, whatever the output's size.
#[test]
fn the_spool_keeps_up_to_its_memory_limit_in_memory() {
    use remote_shell::spool::{Spool, MEMORY_LIMIT};
    let mut two = Spool::new();
    assert!(two.is_empty());
    two.push(&vec![b'a'; MEMORY_LIMIT]).unwrap();
    assert!(!two.is_empty());
    assert!(!two.on_disk(), "exactly the limit stays in memory");
    two.push(b"b").unwrap();
    assert!(two.on_disk(), "one byte over goes to a file");
    let mut one = Spool::new();
    one.push(&vec![b'a'; MEMORY_LIMIT + 1]).unwrap();
    assert!(one.on_disk(), "one byte over, in one push");
}
