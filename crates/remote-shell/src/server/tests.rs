//! A real server on 127.0.0.1:0, run on a thread until its stop flag is
//! set: it serves, counts its connections, and on stop shuts the open ones
//! down. Every wait is bounded, so a server that stops serving or never
//! returns fails a test instead of hanging it. The framed protocol's
//! frames and the simple server's client count are checked here too: these
//! tests run before the claims binary, so a server that goes silent fails
//! them within 10 s instead of hanging the claims' 30 s waits one after
//! the other.

use super::*;
use std::io::{Read, Write};
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

/// A framed server on a thread, and a raw client that has said hello.
fn framed_session() -> (
    TcpStream,
    Arc<AtomicBool>,
    mpsc::Receiver<Result<Summary, String>>,
) {
    let server = bind(Config {
        protocol: Protocol::Framed,
        ..config()
    })
    .unwrap();
    let addr = server.local_addr().unwrap();
    let stop = Arc::new(AtomicBool::new(false));
    let (done, summary) = mpsc::channel();
    let flag = Arc::clone(&stop);
    std::thread::spawn(move || done.send(server.run(flag).map_err(|e| e.to_string())));
    let mut c = TcpStream::connect(addr).unwrap();
    c.set_read_timeout(Some(PATIENCE)).unwrap();
    // Written by hand, not with `framed_proto::send`: the server's side is
    // under test.
    c.write_all(&[0, 0, 0, 1, framed_proto::HELLO]).unwrap();
    assert_eq!(next_frame(&mut c), b"kremote-shell/1");
    (c, stop, summary)
}

fn next_frame(c: &mut TcpStream) -> Vec<u8> {
    framing::Codec::network()
        .read_frame(c)
        .expect("a whole frame within the patience")
        .expect("a frame, not the end of the stream")
}

/// Send `command`; return every frame up to and including the exit frame.
/// Bounded: a server that sends output frames for ever fails the test.
fn frames_of(c: &mut TcpStream, command: &str) -> Vec<Vec<u8>> {
    let len = (1 + command.len()) as u32;
    c.write_all(&[&len.to_be_bytes()[..], b"c", command.as_bytes()].concat())
        .unwrap();
    let deadline = std::time::Instant::now() + PATIENCE;
    let mut frames = Vec::new();
    loop {
        let n = frames.len();
        assert!(
            std::time::Instant::now() < deadline,
            "{n} frames and no end"
        );
        let frame = next_frame(c);
        let last = frame.first() != Some(&framed_proto::STDOUT)
            && frame.first() != Some(&framed_proto::STDERR);
        frames.push(frame);
        if last {
            return frames;
        }
    }
}

fn exit_json(frame: &[u8]) -> serde_json::Value {
    assert_eq!(
        frame[0],
        framed_proto::EXIT,
        "{}",
        String::from_utf8_lossy(frame)
    );
    serde_json::from_slice(&frame[1..]).unwrap()
}

/// What one `write` put in the pipe leaves as one frame (the server asks
/// the pipe how much it holds, FIONREAD, which waits for the pipe's lock,
/// held for the whole of a write that fits: fs/pipe.c), stderr in its own
/// frame, no empty frame at either pipe's end, then the exit frame with
/// the status and the counts. The output is moved with `splice(2)`, so this
/// checks the prefix, the tag and the length that `splice_frame` sends.
#[test]
fn framed_output_goes_out_as_whole_frames_then_the_exit() {
    let (mut c, stop, summary) = framed_session();
    // 60,000 bytes in one write: under the default pipe size (64 KiB), so
    // it fits in the pipe whatever size the server could give it.
    let cmd = "dd if=/dev/zero bs=60000 count=1 2>/dev/null; printf e >&2; exit 3";
    let frames = frames_of(&mut c, cmd);
    let tags: Vec<(u8, usize)> = frames.iter().map(|f| (f[0], f.len() - 1)).collect();
    assert_eq!(&tags[..2], [(b'o', 60_000), (b'e', 1)], "{tags:?}");
    assert_eq!(frames.len(), 3, "{tags:?}");
    assert!(frames[0][1..].iter().all(|&b| b == 0) && frames[1][1..] == *b"e");
    let exit = exit_json(&frames[2]);
    assert_eq!(
        (&exit["code"], &exit["signal"], &exit["timed_out"]),
        (&3.into(), &serde_json::Value::Null, &false.into())
    );
    assert_eq!(
        (&exit["stdout_bytes"], &exit["stderr_bytes"]),
        (&60_000.into(), &1.into())
    );

    // More than a pipe holds and more than a chunk: several frames, none
    // empty, none over a chunk, every byte once.
    let frames = frames_of(&mut c, "head -c 300000 /dev/zero | tr '\\0' z");
    let (exit, output) = frames.split_last().unwrap();
    assert!(output
        .iter()
        .all(|f| f[0] == b'o' && (2..=1 + crate::exec::CHUNK).contains(&f.len())));
    let bytes: Vec<u8> = output.iter().flat_map(|f| f[1..].to_vec()).collect();
    assert!(bytes.len() == 300_000 && bytes.iter().all(|&b| b == b'z'));
    assert_eq!(exit_json(exit)["stdout_bytes"], 300_000);

    // A command killed by a signal: no code, the signal.
    let frames = frames_of(&mut c, "kill -TERM $$");
    let exit = exit_json(&frames[0]);
    assert_eq!(
        (&exit["code"], &exit["signal"]),
        (&serde_json::Value::Null, &15.into())
    );
    stop.store(true, Ordering::SeqCst);
    let summary = summary.recv_timeout(PATIENCE).expect("run did not return");
    assert_eq!(summary, Ok(Summary { connections: 1 }));
}

/// A command that floods stdout and writes nothing on stderr: the server
/// reads stdout only when poll says it has bytes, and stderr only when it
/// has bytes or has ended, so no read blocks on the silent pipe while the
/// command blocks on the full one (3 MB: more than its pipe holds).
#[test]
fn a_stdout_flood_with_a_silent_stderr_does_not_block_the_server() {
    let (mut c, stop, _summary) = framed_session();
    let frames = frames_of(&mut c, "head -c 3000000 /dev/zero");
    let exit = exit_json(frames.last().unwrap());
    assert_eq!(
        (&exit["code"], &exit["stdout_bytes"]),
        (&0.into(), &3_000_000.into())
    );
    stop.store(true, Ordering::SeqCst);
}

/// A framed client that hangs up (its FIN: `POLLRDHUP` on the server's
/// socket, poll(2)) while its command runs: the server kills the command
/// and closes the connection at once, with no exit frame, instead of
/// letting it run to its timeout.
#[test]
fn a_client_hanging_up_ends_its_command_at_once() {
    let (mut c, stop, _summary) = framed_session();
    let len = (1 + "echo go; exec sleep 30".len()) as u32;
    c.write_all(&[&len.to_be_bytes()[..], b"cecho go; exec sleep 30"].concat())
        .unwrap();
    assert_eq!(next_frame(&mut c), b"ogo\n");
    c.shutdown(std::net::Shutdown::Write).unwrap();
    let end = framing::Codec::network().read_frame(&mut c);
    assert!(matches!(end, Ok(None)), "not an end of stream: {end:?}");
    stop.store(true, Ordering::SeqCst);
}

/// `simple-server --clients N` serves N clients, one after the other, and
/// returns: none at all for 0, exactly one for 1.
#[test]
fn the_simple_server_serves_as_many_clients_as_asked() {
    for clients in [0, 1] {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let (done, served) = mpsc::channel();
        std::thread::spawn(move || {
            done.send(crate::simple::run(&listener, Some(clients)).map_err(|e| e.to_string()))
        });
        if clients == 1 {
            let mut c = TcpStream::connect(addr).unwrap();
            c.set_read_timeout(Some(PATIENCE)).unwrap();
            let codec = framing::Codec::course();
            codec.write_frame(&mut c, b"echo one").unwrap();
            let header = codec.read_header(&mut c).unwrap().expect("a reply");
            let mut body = vec![0; framing::total_size(&header).unwrap() as usize];
            c.read_exact(&mut body).unwrap();
            assert_eq!(body, b"one\n");
        }
        let result = served.recv_timeout(PATIENCE);
        assert_eq!(
            result,
            Ok(Ok(())),
            "--clients {clients}: run did not return"
        );
    }
}
