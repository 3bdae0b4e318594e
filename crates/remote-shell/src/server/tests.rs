//! A real server on 127.0.0.1:0, run on a thread until its stop flag is
//! set: it serves, counts its connections, and on stop shuts the open ones
//! down. Every wait is bounded, so a server that stops serving or never
//! returns fails a test instead of hanging it.

use super::*;
use std::io::Read;
use std::sync::mpsc;

/// Long enough for a loaded 2-core machine to fork a keeper and run a shell
/// (well under 1 s here at load 45), short enough that the lib tests which
/// wait for a reply that never comes (8 at most) fail within
/// cargo-mutants' 60 s instead of timing out.
const PATIENCE: Duration = Duration::from_secs(10);

fn config() -> Config {
    Config {
        addr: "127.0.0.1:0".parse().unwrap(),
        protocol: Protocol::Course,
        timeout: PATIENCE,
        write_timeout: PATIENCE,
        idle_timeout: PATIENCE,
        hello_timeout: PATIENCE,
        allow_remote: false,
        token: None,
    }
}

#[test]
fn it_serves_counts_connections_and_closes_them_on_stop() {
    // The idle timeout outlasts the clients' patience: an end of stream
    // below can only come from the stop's shutdown, never from a
    // connection closed for being idle. (With both at PATIENCE, a stop that
    // shut down only the last connection passed: the server's idle timer,
    // started first, closed the other one just before the client gave up.)
    let server = bind(Config {
        idle_timeout: PATIENCE * 3,
        ..config()
    })
    .unwrap();
    let addr = server.local_addr().unwrap();
    assert!(addr.ip().is_loopback() && addr.port() != 0, "{addr}");
    let stop = Arc::new(AtomicBool::new(false));
    let (done, summary) = mpsc::channel();
    let flag = Arc::clone(&stop);
    std::thread::spawn(move || done.send(server.run(flag).map_err(|e| e.to_string())));
    let mut clients = Vec::new();
    for n in 0..2 {
        let mut c = TcpStream::connect(addr).unwrap();
        c.set_read_timeout(Some(PATIENCE)).unwrap();
        let mut out = Vec::new();
        course_proto::request(&mut c, format!("echo {n}").as_bytes(), &mut out).unwrap();
        assert_eq!(out, format!("{n}\n").as_bytes());
        clients.push(c);
    }
    stop.store(true, Ordering::SeqCst);
    let summary = summary.recv_timeout(PATIENCE).expect("run did not return");
    assert_eq!(summary, Ok(Summary { connections: 2 }));
    // Both idle connections were shut down: end of stream, not a timeout.
    for mut c in clients {
        assert_eq!(c.read(&mut [0u8; 1]).unwrap(), 0);
    }
}

#[test]
fn prepare_sets_the_write_timeout_and_nodelay_on_a_blocking_socket() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let _client = TcpStream::connect(listener.local_addr().unwrap()).unwrap();
    let (conn, _) = listener.accept().unwrap();
    let timeout = Duration::from_millis(300);
    prepare(&conn, timeout).unwrap();
    assert_eq!(conn.write_timeout().unwrap(), Some(timeout));
    assert!(conn.nodelay().unwrap());
}

#[test]
fn the_stop_names_the_keepers_it_told_and_is_silent_about_none() {
    // The English line (set here: a learner's zh locale would pick Chinese).
    demo_kit::lang::set(demo_kit::lang::Lang::En);
    assert_eq!(told(0), None);
    let line = "told 1 keeper(s) to kill their running command and all it started";
    assert_eq!(told(1).as_deref(), Some(line));
    assert!(told(3).is_some_and(|l| l.starts_with("told 3 keeper(s)")));
}
