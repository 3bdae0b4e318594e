//! Out of descriptors (`EMFILE`): the server sheds clients without
//! spinning and recovers; the load generator refuses clearly. The limit is
//! lowered in a CHILD process only (never in this test process).

use demo_kit::testing::OutputWithin;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::os::unix::process::CommandExt;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_c10k");
/// The child's open-files limit, soft AND hard: `serve` raises its soft
/// limit to the hard one, so both must come down.
const LIMIT: u64 = 40;

fn limited(cmd: &mut Command) -> &mut Command {
    // SAFETY: only setrlimit between fork and exec.
    unsafe {
        cmd.pre_exec(|| {
            let lim = nix::libc::rlimit {
                rlim_cur: LIMIT,
                rlim_max: LIMIT,
            };
            if nix::libc::setrlimit(nix::libc::RLIMIT_NOFILE, &lim) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        })
    }
}

/// The child, its address, and its stderr's lines as they come.
struct Server(Child, String, mpsc::Receiver<String>);

impl Server {
    /// Stops the server; returns every line it wrote on stderr.
    fn stop(&mut self) -> Vec<String> {
        let _ = self.0.kill();
        let _ = self.0.wait();
        self.2.iter().collect()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait(); // reaped: nothing left running
    }
}

fn start(model: &str) -> Server {
    let mut child = limited(Command::new(BIN).args([
        "serve",
        "--model",
        model,
        "--addr",
        "127.0.0.1:0",
        "--seconds",
        "60",
        "--quiet",
    ]))
    .stdin(Stdio::null())
    .stdout(Stdio::piped())
    .stderr(Stdio::piped())
    .spawn()
    .unwrap();
    let (tx, lines) = mpsc::channel();
    let err = BufReader::new(child.stderr.take().unwrap());
    std::thread::spawn(move || {
        for line in err.lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let addr = line
        .strip_prefix("listening on ")
        .unwrap()
        .split(' ')
        .next()
        .unwrap()
        .to_string();
    Server(child, addr, lines)
}

/// Sends one frame; true if it came back whole, false if the server
/// closed the connection (a shed client). Never waits more than 5 s.
fn echoed(conn: &mut TcpStream) -> bool {
    conn.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let frame = c10k::load::frame(1, 2);
    if conn.write_all(&frame).is_err() {
        return false;
    }
    let mut got = Vec::new();
    match conn.take(frame.len() as u64).read_to_end(&mut got) {
        Ok(_) if got == frame => true,
        Ok(_) => {
            assert!(got.is_empty() || frame.starts_with(&got), "wrong bytes");
            false
        }
        Err(e) => {
            assert_ne!(
                e.kind(),
                std::io::ErrorKind::WouldBlock,
                "a shed client must be closed, not left waiting"
            );
            false
        }
    }
}

fn sheds_without_spinning(model: &str) {
    let mut server = start(model);
    let pid = server.0.id() as i32;
    let mut conns: Vec<TcpStream> = (0..60)
        .map(|_| TcpStream::connect(&server.1).unwrap())
        .collect();
    // The first in the queue is accepted first, and served: a server that
    // serves nobody fails here, in 5 s, not after 60 clients' 5 s each.
    assert!(
        echoed(&mut conns[0]),
        "{model}: the first client was not served"
    );
    let served = 1 + conns[1..].iter_mut().map(echoed).filter(|&ok| ok).count();
    assert!(
        (20..=50).contains(&served),
        "{model}: {served} of 60 served under a limit of {LIMIT}"
    );
    // 60 clients are still connected, the queue may refill: the server must
    // idle, not spin. Half a second is 50 clock ticks of CPU time: a server
    // that spins uses most of them, an idle one none.
    let cpu = c10k::procstat::cpu_time(pid).unwrap();
    let started = Instant::now();
    std::thread::sleep(Duration::from_millis(500));
    let used = c10k::procstat::cpu_time(pid).unwrap() - cpu;
    assert!(
        used < started.elapsed() / 4,
        "{model}: the server burned {used:?} in {:?}: spinning on EMFILE?",
        started.elapsed()
    );
    // Free descriptors: it serves again.
    conns.clear();
    let again = demo_kit::wait::until(Duration::from_secs(10), || {
        let mut c = TcpStream::connect(&server.1).ok()?;
        echoed(&mut c).then_some(())
    });
    assert!(again.is_some(), "{model}: no recovery after clients left");
    assert!(!demo_kit::procfs::is_gone(pid), "{model}: the server died");
    // At least 10 clients were shed; the server said so for the first
    // three only, not once per client.
    let said = server.stop();
    let sheds = said
        .iter()
        .filter(|l| l.contains("out of descriptors (EMFILE)"));
    assert_eq!(sheds.count(), 3, "{model}, {served} of 60 served: {said:?}");
}

#[test]
fn epoll_server_sheds_clients_on_emfile() {
    sheds_without_spinning("epoll");
}

#[test]
fn async_server_sheds_clients_on_emfile() {
    sheds_without_spinning("async");
}

#[test]
fn thread_server_sheds_clients_on_emfile() {
    sheds_without_spinning("thread");
}

#[test]
fn load_generator_refuses_more_conns_than_its_limit() {
    let out = limited(Command::new(BIN).args([
        "load",
        "--addr",
        "127.0.0.1:9",
        "--conns",
        "500",
        "--rounds",
        "1",
    ]))
    .output_within();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("--conns 500") && err.contains(&LIMIT.to_string()),
        "{err}"
    );
    assert!(!err.contains("panicked"), "{err}");
}
