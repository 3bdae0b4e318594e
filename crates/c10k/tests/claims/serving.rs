//! Each server model alone, as `c10k serve` runs it, and its accept path in
//! this process: what lesson 20's servers promise besides "500 clients
//! passed" (models.rs). A frame comes back at once; a burst larger than the
//! socket buffers comes back whole and in order, though the server had to
//! hold an echo back (epoll: `pending`, then `EPOLLOUT`); a client that
//! resets while its echo waits is closed and its descriptor freed; a
//! listener whose `accept` fails for good stops the server with that error,
//! not a spin; the roles' options; and what a run gives its server.
//!
//! Every wait has a limit. [`assert_echoes`] is what the long runs (`cli`,
//! `lang`, `models`) call first, so a server that echoes nothing fails them
//! in 2 s rather than at the load generator's time limit.

use std::io::{self, BufRead, BufReader, ErrorKind, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::os::unix::process::CommandExt;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_c10k");
/// How long an echo on loopback may take before the server counts as stuck.
const WAIT: Duration = Duration::from_secs(2);
/// The largest body a server takes (lib.rs: `MAX_FRAME`, the limit included).
const BODY: usize = 64 * 1024;

/// A `c10k serve` child, killed and reaped when dropped.
pub(crate) struct Server {
    child: Child,
    pub(crate) addr: String,
    stderr: Option<JoinHandle<String>>,
}

impl Server {
    /// `serve --model MODEL --addr 127.0.0.1:0 --seconds 60 ARGS`, its
    /// open-files soft limit set to `soft` if given; returns once it listens.
    pub(crate) fn start(model: &str, args: &[&str], soft: Option<u64>) -> Server {
        let mut cmd = Command::new(BIN);
        cmd.args(["serve", "--model", model, "--addr", "127.0.0.1:0"])
            .args(["--seconds", "60"])
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        if let Some(soft) = soft {
            soft_limit(&mut cmd, soft);
        }
        let mut child = cmd.spawn().expect("starting c10k serve");
        let (out, err) = (child.stdout.take().unwrap(), child.stderr.take().unwrap());
        let stderr = std::thread::spawn(move || {
            let mut text = String::new();
            let _ = BufReader::new(err).read_to_string(&mut text);
            text
        });
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut lines = BufReader::new(out).lines();
            let _ = tx.send(lines.next().and_then(|l| l.ok()));
            for _ in lines {}
        });
        let mut server = Server {
            child,
            addr: String::new(),
            stderr: Some(stderr),
        };
        let line = rx.recv_timeout(Duration::from_secs(10)).ok().flatten();
        server.addr = line
            .as_deref()
            .and_then(|l| l.strip_prefix("listening on ")?.split(' ').next())
            .unwrap_or_else(|| panic!("the {model} server did not say where it listens: {line:?}"))
            .to_string();
        server
    }

    fn pid(&self) -> i32 {
        self.child.id() as i32
    }

    fn fds(&self) -> u64 {
        c10k::procstat::snapshot(self.pid())
            .expect("the server's /proc entry")
            .fds
    }

    /// Stops the server; returns what it wrote on stderr.
    pub(crate) fn stop(mut self) -> String {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let err = self.stderr.take().unwrap();
        err.join().unwrap_or_default()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait(); // reaped: nothing left running
    }
}

/// Sets the open-files soft limit of `cmd`'s process to `soft` (the hard
/// one unchanged).
fn soft_limit(cmd: &mut Command, soft: u64) {
    // SAFETY: only getrlimit and setrlimit between fork and exec.
    unsafe {
        cmd.pre_exec(move || {
            let mut lim = nix::libc::rlimit {
                rlim_cur: 0,
                rlim_max: 0,
            };
            if nix::libc::getrlimit(nix::libc::RLIMIT_NOFILE, &mut lim) != 0 {
                return Err(io::Error::last_os_error());
            }
            lim.rlim_cur = soft;
            if nix::libc::setrlimit(nix::libc::RLIMIT_NOFILE, &lim) != 0 {
                return Err(io::Error::last_os_error());
            }
            Ok(())
        });
    }
}

fn connect(addr: &str) -> TcpStream {
    let conn = TcpStream::connect(addr).unwrap();
    conn.set_read_timeout(Some(WAIT)).unwrap();
    conn
}

/// Writes `bytes` and reads as many back, each read waiting at most [`WAIT`].
fn echo_of(conn: &mut TcpStream, bytes: &[u8]) -> Result<Vec<u8>, String> {
    conn.write_all(bytes).map_err(|e| format!("write: {e}"))?;
    let mut got = vec![0; bytes.len()];
    conn.read_exact(&mut got)
        .map_err(|e| format!("read: {e}"))?;
    Ok(got)
}

/// A `model` server echoes one frame within 2 s (else the test fails now).
pub(crate) fn assert_echoes(model: &str) {
    let server = Server::start(model, &["--quiet"], None);
    let frame = c10k::load::frame(1, 2);
    match echo_of(&mut connect(&server.addr), &frame) {
        Ok(got) => assert!(got == frame, "{model}: wrong bytes in the echo"),
        Err(e) => panic!("the {model} server did not echo one frame within {WAIT:?} ({e})"),
    }
}

/// Frame `i` of a burst: a 64 KiB body, its first 4 bytes the number `i`.
fn big_frame(i: u32, pattern: &[u8]) -> Vec<u8> {
    let mut f = Vec::with_capacity(4 + BODY);
    f.extend_from_slice(&(BODY as i32).to_le_bytes());
    f.extend_from_slice(&i.to_le_bytes());
    f.extend_from_slice(&pattern[4..]);
    f
}

/// Small socket buffers (no autotuning), and a write that makes no progress
/// for 100 ms fails with `WouldBlock`: the sign that everything on the way
/// is full, the server no longer reading because it holds an echo back.
fn small_buffers(conn: &TcpStream) {
    let fd = std::os::fd::AsFd::as_fd(conn);
    nix::sys::socket::setsockopt(&fd, nix::sys::socket::sockopt::RcvBuf, &262144).unwrap();
    conn.set_write_timeout(Some(Duration::from_millis(100)))
        .unwrap();
}

/// Writes `f`; at each write that waited 100 ms for nothing, asks
/// `stalled` whether to go on (`Ok(false)`: it said no). Gives up after
/// `deadline`.
fn write_noting_stalls(
    mut conn: &TcpStream,
    f: &[u8],
    deadline: Instant,
    mut stalled: impl FnMut() -> bool,
) -> io::Result<bool> {
    let mut at = 0;
    while at < f.len() {
        match conn.write(&f[at..]) {
            Ok(n) => at += n,
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
                if !stalled() {
                    return Ok(false);
                }
                if Instant::now() > deadline {
                    return Err(io::Error::other("no progress for 10 s"));
                }
            }
            Err(e) => return Err(e),
        }
    }
    Ok(true)
}

/// The burst: 64 KiB frames until the server stops taking them, then 4
/// more, while this thread reads every echo back and compares it.
fn burst_comes_back_whole(model: &str, addr: &str) {
    let conn = connect(addr);
    small_buffers(&conn);
    let pattern: Vec<u8> = (0..BODY).map(|j| (j % 251) as u8).collect();
    let writer = conn.try_clone().unwrap();
    let (total_tx, total_rx) = mpsc::channel();
    let pattern_w = pattern.clone();
    let sent = std::thread::spawn(move || -> io::Result<()> {
        let deadline = Instant::now() + Duration::from_secs(10);
        let mut total = None;
        let mut i = 0u32;
        while total.is_none_or(|t| i < t) {
            let f = big_frame(i, &pattern_w);
            write_noting_stalls(&writer, &f, deadline, || {
                if total.is_none() {
                    total = Some(i + 5);
                    let _ = total_tx.send(i + 5);
                }
                true
            })?;
            i += 1;
            if i > 1024 {
                return Err(io::Error::other("64 MiB taken without a reader"));
            }
        }
        Ok(())
    });
    let Ok(total) = total_rx.recv_timeout(Duration::from_secs(10)) else {
        panic!("{model}: the burst never filled the way: {:?}", sent.join());
    };
    let mut frame = vec![0u8; 4 + BODY];
    for got in 0..total {
        if let Err(e) = (&conn).read_exact(&mut frame) {
            panic!("{model}: echo of frame {got} of {total} not back within {WAIT:?}, the server having held it back: {e}");
        }
        assert!(
            frame == big_frame(got, &pattern),
            "{model}: frame {got} came back wrong"
        );
    }
    sent.join().unwrap().expect("the burst's writer");
}

/// A client fills the way, then resets (`SO_LINGER` 0) while the server
/// holds its echo back: the server must close that connection.
fn reset_while_held_back(addr: &str) {
    let conn = connect(addr);
    small_buffers(&conn);
    let pattern = vec![7u8; BODY];
    let deadline = Instant::now() + Duration::from_secs(10);
    for i in 0.. {
        if !write_noting_stalls(&conn, &big_frame(i, &pattern), deadline, || false).unwrap() {
            break;
        }
        assert!(i < 1024, "64 MiB taken without a reader");
    }
    let linger = nix::libc::linger {
        l_onoff: 1,
        l_linger: 0,
    };
    nix::sys::socket::setsockopt(&conn, nix::sys::socket::sockopt::Linger, &linger).unwrap();
    drop(conn); // RST
}

/// The epoll server, out of the way of its socket buffers: a burst it must
/// hold back (`pending`, `EPOLLOUT`) comes back whole and in order, and a
/// client that resets while its echo is held back is closed; it also raises
/// its soft open-files limit to the hard one, and says so (no `--quiet`).
#[test]
fn epoll_server_holds_echoes_back_frees_resets_and_raises_its_limit() {
    let hard = c10k::limits::hard_nofile().unwrap();
    if hard <= 64 {
        demo_kit::testing::skip("the open-files hard limit is 64 or less");
        return;
    }
    let server = Server::start("epoll", &[], Some(64));
    let frame = c10k::load::frame(3, 4);
    let mut one = connect(&server.addr);
    assert_eq!(echo_of(&mut one, &frame), Ok(frame.to_vec()), "epoll");
    // Counted once the server serves (its spare and epoll descriptors
    // open after the "listening" line), with this one connection open.
    let before = server.fds();
    let addr = server.addr.clone();
    let reset = std::thread::spawn(move || reset_while_held_back(&addr));
    burst_comes_back_whole("epoll", &server.addr);
    reset.join().unwrap();
    let back = demo_kit::wait::until(Duration::from_secs(3), || {
        (server.fds() == before).then_some(())
    });
    assert!(
        back.is_some(),
        "epoll: {} descriptors 3 s after two clients left, {before} before them: the reset client still held?",
        server.fds()
    );
    drop(one);
    let limits = std::fs::read_to_string(format!("/proc/{}/limits", server.pid())).unwrap();
    assert_eq!(nofile_soft(&limits), hard.to_string(), "{limits}");
    let err = server.stop();
    assert!(err.contains(&format!("open-files limit {hard}")), "{err}");
}

/// Every model echoes a frame at once, and says nothing with `--quiet`.
#[test]
fn every_model_echoes_a_frame_at_once_and_quiet_is_quiet() {
    for model in ["thread", "pool", "epoll", "epoll-cores", "async"] {
        let server = Server::start(model, &["--quiet"], None);
        let frame = c10k::load::frame(3, 4);
        match echo_of(&mut connect(&server.addr), &frame) {
            Ok(got) => assert!(got == frame, "{model}: wrong bytes in the echo"),
            Err(e) => panic!("the {model} server did not echo one frame within {WAIT:?} ({e})"),
        }
        let err = server.stop();
        assert!(
            !err.contains("open-files limit"),
            "{model}: --quiet, yet: {err}"
        );
    }
}

/// The soft "Max open files" of a /proc/PID/limits text.
fn nofile_soft(limits: &str) -> String {
    let line = limits
        .lines()
        .find(|l| l.starts_with("Max open files"))
        .unwrap();
    line.split_whitespace().nth(3).unwrap().to_string()
}

/// `--model bare`: bytes straight back, no framing.
#[test]
fn bare_server_echoes_raw_bytes() {
    let server = Server::start("bare", &["--quiet"], None);
    let bytes = b"not a frame, just bytes\n";
    let got = echo_of(&mut connect(&server.addr), bytes);
    assert_eq!(got.as_deref(), Ok(&bytes[..]), "bare");
}

/// A pool of one serves the next client only when the first leaves.
#[test]
fn a_pool_of_one_serves_a_second_client_after_the_first() {
    let server = Server::start("pool", &["--threads", "1", "--quiet"], None);
    let frame = c10k::load::frame(5, 6);
    let mut first = connect(&server.addr);
    assert_eq!(echo_of(&mut first, &frame), Ok(frame.to_vec()));
    let mut second = connect(&server.addr);
    second.write_all(&frame).unwrap();
    second
        .set_read_timeout(Some(Duration::from_millis(300)))
        .unwrap();
    let mut got = vec![0u8; frame.len()];
    let early = second.read(&mut got);
    assert!(
        early
            .as_ref()
            .is_err_and(|e| e.kind() == ErrorKind::WouldBlock),
        "a pool of 1 answered a second client while the first was there: {early:?}"
    );
    drop(first);
    second.set_read_timeout(Some(WAIT)).unwrap();
    second.read_exact(&mut got).unwrap();
    assert!(got == frame);
}

/// Runs `f` on a thread of its own; its result, or a failure after `limit`
/// (a loop that never ends fails the test instead of hanging it).
pub(crate) fn within<T: Send + 'static>(
    limit: Duration,
    what: &str,
    f: impl FnOnce() -> T + Send + 'static,
) -> T {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(f());
    });
    rx.recv_timeout(limit)
        .unwrap_or_else(|_| panic!("{what}: no answer within {limit:?}"))
}

/// `accept` returns a waiting client, and on a non-blocking listener with
/// nobody waiting says `WouldBlock` (the epoll loop's "queue drained").
#[test]
fn accept_returns_a_waiting_client_and_would_block_when_none_waits() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let mut spare = c10k::accept::Spare::new().unwrap();
    let empty = c10k::accept::accept(&listener, &mut spare);
    assert!(
        empty
            .as_ref()
            .is_err_and(|e| e.kind() == ErrorKind::WouldBlock),
        "nobody waiting: {empty:?}"
    );
    let client = TcpStream::connect(listener.local_addr().unwrap()).unwrap();
    let got = demo_kit::wait::until(WAIT, || match c10k::accept::accept(&listener, &mut spare) {
        Ok(Some(conn)) => Some(conn),
        _ => None,
    })
    .expect("the waiting client, accepted");
    assert_eq!(got.peer_addr().unwrap(), client.local_addr().unwrap());
}

/// A socket bound to 127.0.0.1 but not listening: `accept` on it fails
/// for good (`EINVAL`, accept(2)), and a connect to it is refused.
pub(crate) fn not_listening() -> TcpListener {
    use nix::sys::socket::{bind, socket, AddressFamily, SockFlag, SockType, SockaddrIn};
    let fd = socket(
        AddressFamily::Inet,
        SockType::Stream,
        SockFlag::SOCK_CLOEXEC,
        None,
    )
    .unwrap();
    bind(
        std::os::fd::AsRawFd::as_raw_fd(&fd),
        &SockaddrIn::new(127, 0, 0, 1, 0),
    )
    .unwrap();
    TcpListener::from(fd)
}

/// An accept error that no retry can change stops every server with that
/// error, at once, instead of a loop that spins on it.
#[test]
fn every_server_stops_on_an_accept_that_fails_for_good() {
    type Serve = fn(TcpListener) -> io::Result<()>;
    let servers: [(&str, Serve); 6] = [
        ("thread", c10k::serve_thread::serve),
        ("bare", c10k::serve_thread::serve_bare),
        ("pool", |l| c10k::serve_pool::serve(l, 2)),
        ("epoll", c10k::serve_epoll::serve),
        ("epoll-cores", c10k::serve_epoll_cores::serve),
        ("async", c10k::serve_async::serve),
    ];
    for (model, serve) in servers {
        let listener = not_listening();
        let stopped = within(WAIT, model, move || serve(listener));
        assert_eq!(
            stopped.as_ref().map_err(|e| e.raw_os_error()),
            Err(Some(nix::libc::EINVAL)),
            "{model}: {stopped:?}"
        );
    }
}

fn frames_end(data: Vec<u8>) -> io::Result<usize> {
    within(WAIT, "complete_frames", move || {
        c10k::conn::complete_frames(&data)
    })
}

fn prefixed(len: i32, body: usize) -> Vec<u8> {
    let mut f = len.to_le_bytes().to_vec();
    f.resize(4 + body, 0x5a);
    f
}

/// `complete_frames` counts whole frames only, and takes a length up to
/// 64 KiB (lib.rs: `MAX_FRAME`), the limit included, and refuses one above.
#[test]
fn complete_frames_counts_whole_frames_up_to_64_kib() {
    let one = c10k::load::frame(1, 1).to_vec();
    assert_eq!(frames_end(one.clone()).unwrap(), 68, "one whole frame");
    let mut two = [one.clone(), one.clone()].concat();
    assert_eq!(frames_end(two.clone()).unwrap(), 136, "two whole frames");
    two.extend_from_slice(&one[..5]);
    assert_eq!(frames_end(two).unwrap(), 136, "two and a bit");
    assert_eq!(frames_end(prefixed(65536, 65536)).unwrap(), 65540);
    assert_eq!(
        frames_end(prefixed(65536, 100)).unwrap(),
        0,
        "not yet whole"
    );
    for len in [65537, -1] {
        let refused = frames_end(prefixed(len, 0));
        assert!(
            refused
                .as_ref()
                .is_err_and(|e| e.kind() == ErrorKind::InvalidData),
            "a length of {len}: {refused:?}"
        );
    }
}

/// `--conns` up to the open-files hard limit less `SPARE_FDS`, the limit
/// included; `--rounds` up to 1,000,000.
#[test]
fn counts_are_checked_at_their_limits() {
    use c10k::entry::check_counts;
    let most = c10k::limits::max_conns(c10k::limits::hard_nofile().unwrap()) as usize;
    assert!(check_counts(most, 1).is_ok(), "--conns {most}");
    assert!(check_counts(most + 1, 1).is_err(), "--conns {}", most + 1);
    assert!(check_counts(1, 1_000_000).is_ok());
    assert!(check_counts(1, 1_000_001).is_err());
}

/// Runs `c10k --model MODEL --conns 1 --rounds 500 --time-limit 7` with an
/// open-files soft limit of 64, and returns the server that run started,
/// read while it runs: its arguments and its soft limit.
fn server_of_a_run(model: &str) -> Option<(Vec<String>, String)> {
    let mut cmd = Command::new(BIN);
    cmd.args(["--model", model, "--conns", "1", "--rounds", "500"])
        .args(["--time-limit", "7"])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    soft_limit(&mut cmd, 64);
    let mut run = cmd.spawn().unwrap();
    let pid = run.id();
    let deadline = Instant::now() + Duration::from_secs(20);
    let mut seen = None;
    // Polled: /proc says nothing when a process starts. 1 ms apart, since
    // the server lives only as long as the run's 500 round trips.
    while seen.is_none() && Instant::now() < deadline {
        let kids = std::fs::read_to_string(format!("/proc/{pid}/task/{pid}/children"));
        for kid in kids.unwrap_or_default().split_whitespace() {
            let Ok(cmdline) = std::fs::read(format!("/proc/{kid}/cmdline")) else {
                continue;
            };
            let argv: Vec<String> = cmdline
                .split(|b| *b == 0)
                .map(|a| String::from_utf8_lossy(a).into_owned())
                .collect();
            // Before its exec a child still shows the run's own arguments.
            let server =
                argv.get(1).is_some_and(|a| a == "serve") || argv.iter().any(|a| a == "-c");
            if let (true, Ok(limits)) = (
                server,
                std::fs::read_to_string(format!("/proc/{kid}/limits")),
            ) {
                seen = Some((argv, nofile_soft(&limits)));
            }
        }
        if seen.is_none() && run.try_wait().unwrap().is_some() {
            break;
        }
        std::thread::sleep(Duration::from_millis(1));
    }
    let ended = demo_kit::wait::until(Duration::from_secs(20), || run.try_wait().unwrap());
    if ended.is_none() {
        let _ = run.kill();
        let _ = run.wait();
        panic!("c10k --model {model} did not end within 20 s");
    }
    seen
}

/// What a run gives its server: a stop time of its own, 3 x the load's
/// time limit + 60 s (`--time-limit 7`: `--seconds 81`), so that it never
/// stops before the load and never runs for ever; and the open-files soft
/// limit raised to the hard one before `exec`, as Python's servers do not
/// raise their own.
#[test]
fn a_run_gives_its_server_a_stop_time_and_the_hard_limit() {
    let hard = c10k::limits::hard_nofile().unwrap();
    if hard <= 64 {
        demo_kit::testing::skip("the open-files hard limit is 64 or less");
        return;
    }
    let python = c10k::python::missing();
    // Both runs at once: each waits mostly for its server and its load.
    let (epoll, py) = std::thread::scope(|s| {
        let py = s.spawn(|| python.is_none().then(|| server_of_a_run("py-asyncio")));
        (server_of_a_run("epoll"), py.join().unwrap())
    });
    let (argv, _) = epoll.expect("the epoll run's server, seen running");
    let seconds = argv
        .windows(2)
        .find(|w| w[0] == "--seconds")
        .map(|w| w[1].as_str());
    assert_eq!(seconds, Some("81"), "{argv:?}");
    let Some(py) = py else {
        demo_kit::testing::skip(&python.unwrap_or_default());
        return;
    };
    let (argv, soft) = py.expect("the py-asyncio run's server, seen running");
    assert_eq!(soft, hard.to_string(), "{argv:?}");
}

/// The stack of each connection's thread is 64 KiB (serve_thread.rs:
/// `STACK`; the Measured page's "touched pages of its 64 KiB stack"), not
/// the default 2 MiB: seen from outside, the mapping in /proc/PID/maps that
/// holds the stack pointer of each thread blocked in its `read`
/// (/proc/PID/task/TID/syscall, proc(5)).
#[test]
fn each_connections_thread_has_a_64_kib_stack() {
    let server = Server::start("thread", &["--quiet"], None);
    let frame = c10k::load::frame(1, 1);
    let clients: Vec<TcpStream> = (0..2)
        .map(|_| {
            let mut c = connect(&server.addr);
            assert_eq!(echo_of(&mut c, &frame), Ok(frame.to_vec()));
            c
        })
        .collect();
    let pid = server.pid();
    // Once every thread sleeps in a system call, each one's stack pointer.
    let pointers = demo_kit::wait::until(WAIT, || {
        let mut sps = Vec::new();
        for task in std::fs::read_dir(format!("/proc/{pid}/task")).ok()? {
            let path = task.ok()?.path().join("syscall");
            let line = std::fs::read_to_string(path).ok()?;
            let fields: Vec<&str> = line.split_whitespace().collect();
            // "running", or "nr args... sp pc".
            let sp = fields.get(fields.len().checked_sub(2)?)?;
            sps.push(u64::from_str_radix(sp.strip_prefix("0x")?, 16).ok()?);
        }
        (sps.len() == 4).then_some(sps) // main, the --seconds timer, 2 clients
    });
    let Some(pointers) = pointers else {
        let why = "the server's /proc/PID/task/TID/syscall could not be read";
        demo_kit::testing::skip(why);
        return;
    };
    let maps = std::fs::read_to_string(format!("/proc/{pid}/maps")).unwrap();
    let sizes: Vec<u64> = pointers
        .iter()
        .filter_map(|sp| {
            maps.lines().find_map(|l| {
                let (from, to) = l.split_whitespace().next()?.split_once('-')?;
                let (from, to) = (
                    u64::from_str_radix(from, 16).ok()?,
                    u64::from_str_radix(to, 16).ok()?,
                );
                (from <= *sp && *sp < to).then_some(to - from)
            })
        })
        .collect();
    let small = sizes.iter().filter(|&&s| s == 64 * 1024).count();
    assert_eq!(small, clients.len(), "stack mappings: {sizes:?}");
}

/// The epoll loop, in this process, on a listener whose send buffer is
/// 4 KiB (`SO_SNDBUF`, which each accepted socket inherits; Linux doubles
/// it): a 64 KiB echo is then written only in part, and the rest waits in
/// `pending` for `EPOLLOUT`, also when the client then sends nothing more
/// and only waits for it. Stopped by shutting its listener down (`accept`
/// then says `EINVAL`).
#[test]
fn an_echo_written_in_part_is_finished_when_the_socket_is_writable() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    nix::sys::socket::setsockopt(&listener, nix::sys::socket::sockopt::SndBuf, &4096).unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    let stop = listener.try_clone().unwrap();
    let server = std::thread::spawn(move || c10k::serve_epoll::serve(listener));
    let pattern = vec![0x3c; BODY];
    let mut conn = connect(&addr);
    for i in 0..3 {
        let frame = big_frame(i, &pattern);
        match echo_of(&mut conn, &frame) {
            Ok(got) => assert!(got == frame, "frame {i} came back wrong"),
            Err(e) => panic!(
                "frame {i}: its echo, written in part, was not finished within {WAIT:?} ({e})"
            ),
        }
    }
    drop(conn);
    nix::sys::socket::shutdown(
        std::os::fd::AsRawFd::as_raw_fd(&stop),
        nix::sys::socket::Shutdown::Both,
    )
    .unwrap();
    let stopped = demo_kit::wait::until(WAIT, || server.is_finished().then_some(()));
    assert!(
        stopped.is_some(),
        "the epoll loop still runs after its listener was shut down"
    );
    let ended = server.join().unwrap();
    assert_eq!(
        ended.map_err(|e| e.raw_os_error()),
        Err(Some(nix::libc::EINVAL))
    );
}
