//! The figures lesson 20 prints are what happened: the load generator
//! (`load`) checks every echoed byte, counts each connection's end once and
//! times each round trip from its own send; it reads the server's memory,
//! descriptors and CPU from `/proc` (`procstat`) once the server holds
//! every connection; the report, table and picture carry those figures as
//! measured (`report`, `table`, `plot`).
//!
//! `load::run` runs here in this process, against servers a test scripts
//! (one that never answers, closes, resets, or echoes a frame in two
//! pieces) or the real `epoll` server, on a thread of its own given a
//! bounded time: a load generator that loops for ever fails the test with a
//! message instead of hanging it.

use c10k::load::{self, frame, BODY};
use c10k::report::{LoadReport, ServerFigures};
use c10k::run::Outcome;
use demo_kit::testing::OutputWithin;
use nix::sys::socket::{setsockopt, sockopt};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::os::unix::process::CommandExt;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_c10k");
const FRAME: usize = 4 + BODY;

// ---------------------------------------------------------------- helpers

/// `load::run` on a thread of its own; `tid` is that thread's id (for
/// `/proc/self/task/TID`).
struct Load {
    rx: mpsc::Receiver<(Result<LoadReport, String>, Duration)>,
    tid: i32,
}

fn start_load(
    addr: SocketAddr,
    conns: usize,
    rounds: usize,
    pid: Option<i32>,
    limit: Duration,
) -> Load {
    let (tx, rx) = mpsc::channel();
    let (tid_tx, tid_rx) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = tid_tx.send(nix::unistd::gettid().as_raw());
        let t = Instant::now();
        let r = load::run(addr, conns, rounds, pid, limit).map_err(|e| format!("{e:#}"));
        let _ = tx.send((r, t.elapsed()));
    });
    let tid = tid_rx
        .recv_timeout(Duration::from_secs(5))
        .expect("the load thread started");
    Load { rx, tid }
}

impl Load {
    /// Its report and how long `load::run` took; fails the test if it
    /// does not return within `within`.
    fn wait(self, within: Duration) -> (LoadReport, Duration) {
        match self.rx.recv_timeout(within) {
            Ok((Ok(r), took)) => (r, took),
            Ok((Err(e), _)) => panic!("load::run failed: {e}"),
            Err(mpsc::RecvTimeoutError::Timeout) => {
                panic!("load::run did not return within {within:?}: it loops or waits for ever")
            }
            Err(mpsc::RecvTimeoutError::Disconnected) => panic!("load::run panicked (above)"),
        }
    }
}

fn run_load(
    addr: SocketAddr,
    conns: usize,
    rounds: usize,
    limit: Duration,
) -> (LoadReport, Duration) {
    start_load(addr, conns, rounds, None, limit).wait(limit + Duration::from_secs(3))
}

/// The first line `out` prints, within 10 s; the pipe is drained after it.
fn first_line(out: impl Read + Send + 'static) -> String {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut lines = BufReader::new(out).lines();
        let _ = tx.send(lines.next().and_then(|l| l.ok()));
        for _ in lines {}
    });
    rx.recv_timeout(Duration::from_secs(10))
        .ok()
        .flatten()
        .expect("the child's first line within 10 s")
}

/// The real `epoll` server, as a child (`c10k serve`), killed and reaped
/// when dropped.
struct Server {
    child: Child,
    addr: SocketAddr,
}

impl Server {
    fn start() -> Server {
        let mut cmd = Command::new(BIN);
        cmd.args([
            "serve",
            "--model",
            "epoll",
            "--addr",
            "127.0.0.1:0",
            "--seconds",
            "30",
            "--quiet",
        ])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
        // SAFETY: only prctl between fork and exec.
        unsafe {
            cmd.pre_exec(|| {
                nix::libc::prctl(nix::libc::PR_SET_PDEATHSIG, nix::libc::SIGKILL);
                Ok(())
            });
        }
        let mut child = cmd.spawn().expect("starting c10k serve");
        let line = first_line(child.stdout.take().unwrap());
        let addr = line
            .strip_prefix("listening on ")
            .and_then(|l| l.split(' ').next()?.parse().ok())
            .unwrap_or_else(|| panic!("no address in {line:?}"));
        // It says where it listens, then opens its epoll instance and then
        // its spare descriptor (/dev/null, the lowest number free): wait for
        // both, so that the load's first reading counts them.
        let pid = child.id();
        let ready = || {
            let links: Vec<(u32, String)> = std::fs::read_dir(format!("/proc/{pid}/fd"))
                .ok()?
                .filter_map(|e| {
                    let e = e.ok()?;
                    let fd = e.file_name().to_str()?.parse().ok()?;
                    Some((fd, std::fs::read_link(e.path()).ok()?.display().to_string()))
                })
                .collect();
            let epoll = links.iter().find(|(_, l)| l == "anon_inode:[eventpoll]")?.0;
            links
                .iter()
                .any(|(fd, l)| *fd > epoll && l == "/dev/null")
                .then_some(())
        };
        demo_kit::wait::until(Duration::from_secs(10), ready)
            .expect("the epoll server ready within 10 s");
        Server { child, addr }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A stand-in for a server's pid whose open descriptors grow by exactly 4
/// when told (`sh` dups its stdin to 3..=6, closed at its start), so the
/// load generator's wait for "the server holds every connection" ends when
/// the test says. Its memory and thread count do not move.
struct Holder {
    child: Child,
    stdin: Option<ChildStdin>,
}

const HELD: usize = 4;

impl Holder {
    fn start() -> Holder {
        let script =
            "exec 3<&- 4<&- 5<&- 6<&-; echo ready; read go; exec 3<&0 4<&0 5<&0 6<&0; read end";
        let mut child = Command::new("sh")
            .args(["-c", script])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("starting sh");
        assert_eq!(first_line(child.stdout.take().unwrap()), "ready");
        let stdin = child.stdin.take();
        Holder { child, stdin }
    }

    fn pid(&self) -> i32 {
        self.child.id() as i32
    }

    fn fds(&self) -> usize {
        std::fs::read_dir(format!("/proc/{}/fd", self.pid()))
            .unwrap()
            .count()
    }

    /// Its stdin, to write `go` to (from another thread).
    fn trigger(&mut self) -> ChildStdin {
        self.stdin.take().unwrap()
    }
}

impl Drop for Holder {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A listener on 127.0.0.1:0 whose accepted connections go to `each`, on a
/// thread, for `n` connections.
fn scripted(n: usize, each: impl Fn(TcpStream) + Send + 'static) -> (SocketAddr, Done) {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = l.local_addr().unwrap();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for _ in 0..n {
            let (s, _) = l.accept().unwrap();
            each(s);
        }
        let _ = tx.send(());
    });
    (addr, Done(rx))
}

/// A scripted server's end.
struct Done(mpsc::Receiver<()>);

impl Done {
    /// Fails the test unless the server served all its connections within
    /// 5 s of this call (it waits for them in `accept`).
    fn wait(self) {
        match self.0.recv_timeout(Duration::from_secs(5)) {
            Ok(()) => {}
            Err(mpsc::RecvTimeoutError::Timeout) => {
                panic!("the scripted server still waits for its connections after 5 s")
            }
            Err(mpsc::RecvTimeoutError::Disconnected) => {
                panic!("the scripted server panicked (above)")
            }
        }
    }
}

/// Closes `s` with a reset (`SO_LINGER` 0, socket(7)) instead of a FIN.
fn reset(s: TcpStream) {
    let off = nix::libc::linger {
        l_onoff: 1,
        l_linger: 0,
    };
    setsockopt(&s, sockopt::Linger, &off).unwrap();
}

/// This process's CPU time, all threads (`getrusage(RUSAGE_SELF)`).
fn process_cpu() -> Duration {
    use nix::sys::resource::{getrusage, UsageWho};
    let u = getrusage(UsageWho::RUSAGE_SELF).unwrap();
    let us = |t: nix::sys::time::TimeVal| t.tv_sec() as u64 * 1_000_000 + t.tv_usec() as u64;
    Duration::from_micros(us(u.user_time()) + us(u.system_time()))
}

/// utime and stime of this process, in clock ticks: fields 14 and 15 of
/// `/proc/self/stat` (proc(5)), counted from the end of the command name.
fn own_ticks() -> (u64, u64) {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap();
    let (_, rest) = stat.rsplit_once(") ").unwrap();
    let f: Vec<&str> = rest.split(' ').collect(); // f[0] is field 3, the state
    (f[11].parse().unwrap(), f[12].parse().unwrap())
}

fn outcome(model: &str, report: LoadReport) -> Outcome {
    Outcome {
        model: model.into(),
        server_pid: 11,
        load_pid: 12,
        report,
    }
}

// ------------------------------------------------------------ the frames

/// Each frame names its connection and round, and its body is a pattern
/// made from both and each byte's place, so an echo mixed up between
/// connections or rounds, or shifted by a byte, is seen.
#[test]
fn a_frame_carries_its_connection_its_round_and_a_pattern() {
    let f = frame(1, 2);
    assert_eq!(f.len(), 68);
    assert_eq!(f[..4], 64i32.to_le_bytes(), "struct.pack('i', 64)");
    assert_eq!(f[4..8], 1u32.to_le_bytes());
    assert_eq!(f[8..12], 2u32.to_le_bytes());
    // Byte 12 + j is 31 * conn + 7 * round + j.
    let body: Vec<u8> = (0..56).map(|j| (31 + 14 + j) as u8).collect();
    assert_eq!(f[12..], body[..]);
    assert_eq!(frame(0, 0)[12..16], [0, 1, 2, 3]);
    assert_eq!(frame(9, 40)[12], (9 * 31 + 40 * 7) as u8);
}

// ---------------------------------------------- limits and the time limit

/// A socket bound to 127.0.0.1:0 that does not listen: a connect to it is
/// refused (a reset for the SYN).
fn refusing() -> (std::os::fd::OwnedFd, SocketAddr) {
    use nix::sys::socket::{
        bind, getsockname, socket, AddressFamily, SockFlag, SockType, SockaddrIn,
    };
    use std::os::fd::AsRawFd;
    let fd = socket(
        AddressFamily::Inet,
        SockType::Stream,
        SockFlag::SOCK_CLOEXEC,
        None,
    )
    .unwrap();
    bind(fd.as_raw_fd(), &SockaddrIn::new(127, 0, 0, 1, 0)).unwrap();
    let port = getsockname::<SockaddrIn>(fd.as_raw_fd()).unwrap().port();
    (fd, SocketAddr::from(([127, 0, 0, 1], port)))
}

/// `--conns` up to the open-files limit less the spare is tried; one more
/// is refused before any connection is made.
#[test]
fn the_load_takes_as_many_connections_as_descriptors_allow_and_no_more() {
    let (_fd, addr) = refusing();
    let most = c10k::limits::max_conns(c10k::limits::hard_nofile().unwrap()) as usize;
    let err = load::run(addr, most + 1, 1, None, Duration::from_secs(1)).unwrap_err();
    let text = format!("{err:#}");
    assert!(
        text.contains(&format!("--conns {}", most + 1)) && text.contains("open-files limit"),
        "{text}"
    );
    // At the limit it starts, and stops at the first refused connect.
    let (r, _) = run_load(addr, most, 1, Duration::from_secs(1));
    assert_eq!(
        (r.connected, r.errors, r.round_trips, r.timed_out),
        (0, 1, 0, false),
        "{r:?}"
    );
    let first = r.first_error.unwrap();
    assert!(
        first.starts_with(&format!("connection 0 of {most} failed")),
        "{first}"
    );
}

/// Connecting stops once the time limit has passed (here at once: 0 s).
#[test]
fn connecting_stops_at_the_time_limit() {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let (r, _) = run_load(l.local_addr().unwrap(), 3, 1, Duration::ZERO);
    assert_eq!((r.connected, r.errors, r.timed_out), (0, 1, false), "{r:?}");
    assert_eq!(
        r.first_error.as_deref(),
        Some("connecting took longer than 0ns: stopped at 0")
    );
}

/// A server that takes the connections but never answers: the round trips
/// stop at the time limit, marked as timed out, not as errors.
#[test]
fn a_server_that_never_answers_is_timed_out() {
    let l = TcpListener::bind("127.0.0.1:0").unwrap(); // never accepts
    let (r, took) = run_load(l.local_addr().unwrap(), 2, 1, Duration::from_millis(100));
    assert!(r.timed_out, "{r:?}");
    assert_eq!((r.connected, r.round_trips, r.errors), (2, 0, 0), "{r:?}");
    assert!(
        r.elapsed_s >= 0.1 && took >= Duration::from_millis(100),
        "{r:?}"
    );
}

// ------------------------------------------- each connection ends once

/// The server closes each connection after reading its first frame: each
/// ends with one error, and the run ends then, not at its time limit.
#[test]
fn a_server_that_closes_ends_each_connection_with_one_error() {
    let (addr, t) = scripted(2, |mut s| {
        let mut f = [0u8; FRAME];
        s.read_exact(&mut f).unwrap(); // then dropped: a FIN
    });
    let (r, took) = run_load(addr, 2, 2, Duration::from_secs(3));
    t.wait();
    assert!(
        !r.timed_out && took < Duration::from_secs(2),
        "{took:?} {r:?}"
    );
    assert_eq!((r.connected, r.errors, r.round_trips), (2, 2, 0), "{r:?}");
    let first = r.first_error.unwrap();
    assert!(
        first.ends_with("the server closed it after 0 of 2 rounds"),
        "{first}"
    );
}

/// A reset while waiting for the echo is a failed receive, with its error.
#[test]
fn a_reset_is_reported_as_a_failed_receive() {
    let (addr, t) = scripted(2, |mut s| {
        let mut f = [0u8; FRAME];
        s.read_exact(&mut f).unwrap();
        reset(s);
    });
    let (r, took) = run_load(addr, 2, 2, Duration::from_secs(3));
    t.wait();
    assert!(
        !r.timed_out && took < Duration::from_secs(2),
        "{took:?} {r:?}"
    );
    assert_eq!((r.connected, r.errors, r.round_trips), (2, 2, 0), "{r:?}");
    let first = r.first_error.unwrap();
    assert!(
        first.contains("round 0: recv failed: Connection reset by peer"),
        "{first}"
    );
}

/// Is thread `tid` of this process asleep (`clock_nanosleep`, which
/// `std::thread::sleep` calls)? (`/proc/self/task/TID/syscall`, proc(5).)
fn asleep(tid: i32) -> bool {
    let s = std::fs::read_to_string(format!("/proc/self/task/{tid}/syscall")).unwrap_or_default();
    let nr = s.split(' ').next().and_then(|n| n.parse::<i64>().ok());
    nr == Some(nix::libc::SYS_clock_nanosleep) || nr == Some(nix::libc::SYS_nanosleep)
}

/// Connections reset before their first frame: each first send fails, is
/// counted once, and the run ends at once. The load generator waits for
/// the server to hold every connection before it sends (the only sleep in
/// `load::run` is that wait): the stand-in server's descriptors grow only
/// after the resets, so every reset is in before the first send. The
/// server figures are read then: descriptors before and after, exactly.
#[test]
fn connections_reset_before_the_first_send_fail_once_each() {
    let mut holder = Holder::start();
    let fds_before = holder.fds();
    let mut go = holder.trigger();
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    l.set_nonblocking(true).unwrap();
    let load = start_load(
        l.local_addr().unwrap(),
        HELD,
        3,
        Some(holder.pid()),
        Duration::from_secs(2),
    );
    let mut held = Vec::new();
    demo_kit::wait::until(Duration::from_secs(5), || {
        held.extend(std::iter::from_fn(|| l.accept().ok().map(|(s, _)| s)));
        (held.len() == HELD).then_some(())
    })
    .expect("the load generator's 4 connections within 5 s");
    // Once it has connected everyone it waits for the server's descriptors
    // (its only sleep). Reset every connection (not at accept: a reset
    // before connect_timeout looks at the socket fails the connect), then
    // let the descriptors grow.
    let tid = load.tid;
    let _ = demo_kit::wait::until(Duration::from_secs(2), || asleep(tid).then_some(()));
    held.into_iter().for_each(reset);
    writeln!(go, "go").unwrap();
    let (r, took) = load.wait(Duration::from_secs(15));
    assert!(
        !r.timed_out && took < Duration::from_secs(2),
        "{took:?} {r:?}"
    );
    assert_eq!(
        (r.connected, r.errors, r.round_trips),
        (HELD, HELD as u64, 0),
        "{r:?}"
    );
    let first = r.first_error.clone().unwrap();
    assert!(
        first.contains("round 0: send failed: Connection reset by peer"),
        "{first}"
    );
    let s = r.server.expect("the stand-in server's /proc figures");
    assert_eq!(
        (s.fds_before, s.fds_after),
        (fds_before as u64, (fds_before + HELD) as u64),
        "{s:?}"
    );
    assert_eq!(s.threads_after, 1, "sh has one thread: {s:?}");
    assert!(
        s.rss_before_kib > 0 && s.hwm_kib >= s.rss_after_kib,
        "{s:?}"
    );
}

/// Waits (at most 2 s) until the client at the other end of `s` has read
/// everything `s` sent: its kernel acknowledged it (`SIOCOUTQ` on `s` is 0,
/// tcp(7)) and nothing is left to read on its socket (`SIOCINQ`). The
/// client is `load::run` in this process: its socket is the descriptor of
/// ours whose address and peer are `s`'s the other way round (or gone).
/// (Not /proc/net/tcp: with the TIME_WAIT records of the 500-connection
/// runs, one read of it can take seconds.)
fn until_read(s: &TcpStream) {
    use nix::sys::socket::{getpeername, getsockname, SockaddrIn};
    use std::os::fd::AsRawFd;
    let (client, server) = (s.peer_addr().unwrap(), s.local_addr().unwrap());
    let queued = |fd: i32, request| {
        let mut n: nix::libc::c_int = 0;
        // SAFETY: SIOCINQ and SIOCOUTQ write one int to the pointer given.
        let rc = unsafe { nix::libc::ioctl(fd, request, &mut n) };
        if rc == 0 {
            n
        } else {
            0
        }
    };
    let port = |a: SockaddrIn| a.port();
    let unread = || {
        let fds = std::fs::read_dir("/proc/self/fd").unwrap();
        fds.filter_map(|e| e.ok()?.file_name().to_str()?.parse::<i32>().ok())
            .find(|&fd| {
                getsockname::<SockaddrIn>(fd).map(port) == Ok(client.port())
                    && getpeername::<SockaddrIn>(fd).map(port) == Ok(server.port())
            })
            .map_or(0, |fd| queued(fd, nix::libc::FIONREAD))
    };
    demo_kit::wait::until(Duration::from_secs(2), || {
        (queued(s.as_raw_fd(), nix::libc::TIOCOUTQ) == 0 && unread() == 0).then_some(())
    })
    .expect("the client read the first piece within 2 s");
}

/// An echo server that sends each frame back in two pieces, the second
/// (with `extra` after it) only once the client has read the first.
fn split_echo(rounds: usize, extra: &'static [u8]) -> (SocketAddr, Done) {
    scripted(1, move |mut s| {
        let mut f = [0u8; FRAME];
        for _ in 0..rounds {
            s.read_exact(&mut f).unwrap();
            s.write_all(&f[..10]).unwrap();
            until_read(&s);
            let _ = s.write_all(&[&f[10..], extra].concat());
        }
    })
}

/// A frame that arrives in two reads is one round trip, not two.
#[test]
fn an_echo_read_in_two_pieces_is_one_round_trip() {
    let (addr, t) = split_echo(2, &[]);
    let (r, _) = run_load(addr, 1, 2, Duration::from_secs(3));
    t.wait();
    assert!(r.clean() && r.round_trips == 2, "{r:?}");
}

/// After the first piece, a read asks only for the rest of the frame: a
/// byte the server adds after it is read as the next round's, and is wrong.
#[test]
fn a_byte_after_the_frame_is_wrong_in_the_next_round() {
    let (addr, t) = split_echo(1, &[0xee; 10]);
    let (r, _) = run_load(addr, 1, 2, Duration::from_secs(3));
    t.wait();
    assert_eq!((r.round_trips, r.errors), (1, 1), "{r:?}");
    assert_eq!(
        r.first_error.as_deref(),
        Some("connection 0, round 1: WRONG BYTES in the echo")
    );
}

// -------------------------------------------------- a measured clean run

/// The load generator finishes a small run against the epoll server within
/// 3 s, every byte checked and the server's descriptors read. A test that
/// drives a long run (500 connections, or the demo's every model) calls
/// this first, so that a load generator that never finishes, or waits 10
/// s for the server's figures, fails it in seconds, not at its 60 s limit.
pub(crate) fn assert_load_runs() {
    let server = Server::start();
    let pid = server.child.id() as i32;
    let load = start_load(server.addr, 3, 2, Some(pid), Duration::from_secs(2));
    let (r, _) = load.wait(Duration::from_secs(3));
    assert!(r.clean() && !r.timed_out, "a run of 3 x 2: {r:?}");
    let s = r.server.expect("the server's /proc figures");
    // At least, as the load waits for: once, in a mutation run beside the
    // other tests, the server held one more (11 -> 15).
    assert!(s.fds_after >= s.fds_before + 3, "{s:?}");
}

/// A round trip is timed from its own send, not from the connect: with 100
/// ms between connecting and the first send (the load generator waits for
/// the stand-in server's descriptors until then), every round trip still
/// lies within the round trips' time.
#[test]
fn a_round_trip_is_timed_from_its_own_send() {
    let server = Server::start();
    let mut holder = Holder::start();
    let mut go = holder.trigger();
    let load = start_load(
        server.addr,
        HELD,
        2,
        Some(holder.pid()),
        Duration::from_secs(3),
    );
    let tid = load.tid;
    demo_kit::wait::until(Duration::from_secs(5), || asleep(tid).then_some(()))
        .expect("the load generator waits for the server's descriptors");
    std::thread::sleep(Duration::from_millis(100)); // the gap itself, not a wait for an event
    writeln!(go, "go").unwrap();
    let (r, _) = load.wait(Duration::from_secs(15));
    assert!(r.clean() && r.round_trips == 8, "{r:?}");
    let rounds_us = r.elapsed_s * 1e6;
    assert!(r.p50_us <= rounds_us && r.p99_us <= rounds_us, "{r:?}");
}

/// The real epoll server, 20 connections x 10 round trips: all done, every
/// figure consistent with how it is defined.
#[test]
fn a_clean_run_is_measured_as_defined() {
    let server = Server::start();
    // The load's own CPU is this process's (all threads) over the round
    // trips: it must lie within this process's CPU around the whole run.
    // Spending some first makes a sum of the two readings, instead of
    // their difference, far too large.
    let floor = Duration::from_millis(100);
    let spin = Instant::now();
    while process_cpu() < floor && spin.elapsed() < Duration::from_secs(2) {
        std::hint::black_box((0..std::hint::black_box(10_000u64)).sum::<u64>());
    }
    let cpu_before = process_cpu();
    let load = start_load(
        server.addr,
        20,
        10,
        Some(server.child.id() as i32),
        Duration::from_secs(5),
    );
    let (r, took) = load.wait(Duration::from_secs(20));
    let cpu_during = process_cpu() - cpu_before;
    assert!(
        r.clean() && !r.timed_out && r.first_error.is_none(),
        "{r:?}"
    );
    assert_eq!((r.connected, r.round_trips, r.errors), (20, 200, 0));
    // The server holds every connection at once: read within ms, not after
    // the 10 s wait for it.
    assert!(
        took < Duration::from_secs(3),
        "load::run took {took:?}: {r:?}"
    );
    assert!(
        r.elapsed_s > 0.0 && r.elapsed_s < took.as_secs_f64(),
        "{r:?}"
    );
    assert!(
        (r.req_per_s - 200.0 / r.elapsed_s).abs() < 1e-6 * r.req_per_s,
        "{r:?}"
    );
    // A round trip is timed from its own send: a connection's 10 times
    // add up to at most the run, so at most 3 of each 10 exceed a quarter
    // of it, and the median does not.
    assert!(r.p50_us >= 1.0 && r.p99_us >= r.p50_us, "{r:?}");
    assert!(
        r.p50_us <= r.elapsed_s * 1e6 / 4.0,
        "p50 {} µs of a {} s run: {r:?}",
        r.p50_us,
        r.elapsed_s
    );
    assert!(r.load_cpu_s > 0.0, "{r:?}");
    assert!(
        r.load_cpu_s <= cpu_during.as_secs_f64(),
        "the load's CPU {} s, this process's around it {cpu_during:?}",
        r.load_cpu_s
    );
    let s = r.server.clone().expect("the server's /proc figures");
    assert!(s.fds_after >= s.fds_before + 20, "{s:?}");
    assert!(
        s.threads_after >= 1 && s.rss_before_kib > 0 && s.hwm_kib >= s.rss_after_kib,
        "{s:?}"
    );
    assert!(s.kstack_before_kib > 1 && s.kstack_after_kib > 1, "{s:?}");
    assert!(
        (s.cpu_per_rt_us - s.cpu_s * 1e6 / 200.0).abs() <= 1e-9,
        "{s:?}"
    );
    drop(server);
}

// ------------------------------------------------------------- /proc

/// `snapshot` reads the process's own entry: its descriptors, threads and
/// memory as `/proc/<pid>` shows them.
#[test]
fn a_snapshot_is_the_processs_proc_entry() {
    let h = Holder::start();
    let s = c10k::procstat::snapshot(h.pid()).expect("sh's /proc entry");
    let status = std::fs::read_to_string(format!("/proc/{}/status", h.pid())).unwrap();
    let kib = |name: &str| -> u64 {
        let line = status.lines().find(|l| l.starts_with(name)).unwrap();
        line.split_whitespace().nth(1).unwrap().parse().unwrap()
    };
    assert_eq!(s.fds, h.fds() as u64, "{s:?}");
    assert_eq!(s.threads, 1, "{s:?}");
    assert_eq!(
        (s.rss_kib, s.hwm_kib),
        (kib("VmRSS:"), kib("VmHWM:")),
        "{s:?}"
    );
    assert!(s.rss_kib > 0);
    assert!(c10k::procstat::snapshot(i32::MAX).is_none(), "no such pid");
}

/// `cpu_time` is utime + stime in clock ticks (`sysconf(_SC_CLK_TCK)`),
/// read here between two readings of our own.
#[test]
fn cpu_time_is_user_plus_system_time() {
    // Some of each, so a sum, a difference and a product differ.
    let spin = Instant::now();
    while {
        let (u, s) = own_ticks();
        u < 3 || s < 1
    } {
        std::hint::black_box((0..std::hint::black_box(10_000u64)).sum::<u64>());
        assert!(
            spin.elapsed() < Duration::from_secs(3),
            "3 ticks of user and 1 of system time"
        );
    }
    // SAFETY: sysconf has no memory-safety preconditions.
    let hz = unsafe { nix::libc::sysconf(nix::libc::_SC_CLK_TCK) } as u64;
    let (u0, s0) = own_ticks();
    let cpu = c10k::procstat::cpu_time(std::process::id() as i32).expect("our own /proc/self/stat");
    let (u1, s1) = own_ticks();
    let us = |ticks: u64| Duration::from_micros(ticks * 1_000_000 / hz);
    assert!(
        us(u0 + s0) <= cpu && cpu <= us(u1 + s1),
        "{cpu:?}: ticks {u0}+{s0} .. {u1}+{s1} at {hz} Hz"
    );
}

/// `KernelStack` in /proc/meminfo: at least this thread's stack (16 KiB
/// on x86-64, and more than 1 KiB anywhere).
#[test]
fn the_kernel_stacks_are_read_from_meminfo() {
    let k = c10k::procstat::kernel_stack_kib();
    assert!(k >= 8, "KernelStack {k} KiB");
}

// ------------------------------------------------------ report, by hand

#[test]
fn per_connection_figures_divide_the_difference() {
    let s = ServerFigures {
        kstack_before_kib: 1000,
        kstack_after_kib: 1160,
        rss_before_kib: 3000,
        rss_after_kib: 3010,
        ..Default::default()
    };
    assert_eq!(s.kstack_per_conn(10), 16384.0);
    assert_eq!(s.kstack_per_conn(0), 163840.0, "0 connections count as 1");
    assert_eq!(s.rss_per_conn(10), 1024.0);
    let fell = ServerFigures {
        kstack_before_kib: 1160,
        kstack_after_kib: 1000,
        ..Default::default()
    };
    assert_eq!(fell.kstack_per_conn(10), -16384.0);
}

#[test]
fn every_error_is_counted_and_the_first_kept() {
    let mut r = LoadReport::default();
    r.note_error("one".into());
    r.note_error("two".into());
    r.note_error("three".into());
    assert_eq!((r.errors, r.first_error.as_deref()), (3, Some("one")));
}

#[test]
fn finish_gives_the_rate_and_the_percentiles() {
    let mut r = LoadReport::default();
    let mut lat: Vec<u32> = (1..=100).rev().collect();
    r.finish(Duration::from_secs(2), Duration::from_millis(500), &mut lat);
    assert_eq!(r.round_trips, 100);
    assert_eq!((r.elapsed_s, r.req_per_s, r.load_cpu_s), (2.0, 50.0, 0.5));
    // Sorted; p50 is the value at (100 - 1) * 0.50 = 49, p99 at 98.
    assert_eq!((r.p50_us, r.p99_us), (50.0, 99.0));
    assert_eq!(lat[0], 1);
    let mut none = LoadReport::default();
    none.finish(Duration::from_secs(1), Duration::ZERO, &mut []);
    assert_eq!(
        (none.round_trips, none.req_per_s, none.p50_us, none.p99_us),
        (0, 0.0, 0.0, 0.0)
    );
}

/// The `result {json}` line the load process prints reads back the same,
/// with the server's figures and without (no `--server-pid`).
#[test]
fn the_report_survives_its_json_line() {
    let mut r = LoadReport {
        conns: 3,
        rounds: 2,
        connected: 3,
        round_trips: 6,
        errors: 1,
        first_error: Some("x".into()),
        timed_out: true,
        elapsed_s: 0.5,
        req_per_s: 12.0,
        p50_us: 40.0,
        p99_us: 90.0,
        load_cpu_s: 0.25,
        server: None,
    };
    let back = |r: &LoadReport| {
        LoadReport::from_json(&serde_json::from_str(&r.to_json().to_string()).unwrap())
    };
    assert_eq!(back(&r).as_ref(), Some(&r));
    r.server = Some(ServerFigures {
        rss_before_kib: 1,
        rss_after_kib: 2,
        hwm_kib: 3,
        fds_before: 4,
        fds_after: 5,
        threads_after: 6,
        kstack_before_kib: 7,
        kstack_after_kib: 8,
        cpu_s: 0.125,
        cpu_per_rt_us: 9.5,
    });
    assert_eq!(back(&r).as_ref(), Some(&r));
}

// ------------------------------------------------ the table and picture

#[test]
fn the_table_header_names_each_column_over_it() {
    let h = c10k::table::header();
    let names: Vec<&str> = h.split_whitespace().collect();
    assert_eq!(
        names,
        [
            "model",
            "conns",
            "done",
            "req/s",
            "p50",
            "p99",
            "load-cpu",
            "srv-cpu/rt",
            "rss/conn",
            "fds",
            "bef/aft",
            "hwm"
        ]
    );
    let r = LoadReport {
        conns: 10,
        rounds: 1,
        connected: 10,
        round_trips: 10,
        elapsed_s: 1.0,
        server: Some(ServerFigures::default()),
        ..Default::default()
    };
    let row = c10k::table::row(&outcome("epoll", r));
    assert_eq!(
        row.chars().count(),
        h.chars().count(),
        "aligned:\n{h}\n{row}"
    );
}

/// The demo narrates each run: the client's side, then the server's
/// figures from /proc, the descriptors grown by one per connection.
#[test]
fn each_run_is_narrated_with_the_servers_figures() {
    assert_load_runs();
    let args = [
        "--model",
        "epoll",
        "--conns",
        "20",
        "--rounds",
        "2",
        "--time-limit",
        "5",
    ];
    let (code, out, err) = demo_kit::testing::run_demo(BIN, &args);
    assert_eq!(code, 0, "{out}\n{err}");
    let client = out
        .lines()
        .find(|l| l.contains("epoll: server pid "))
        .unwrap_or_else(|| panic!("{out}"));
    assert!(
        client.contains(": 20 of 20 connected, 40 round trips in ")
            && client.ends_with(", 0 errors"),
        "{client}"
    );
    let kernel = out
        .lines()
        .find(|l| l.contains("epoll: VmRSS "))
        .unwrap_or_else(|| panic!("{out}"));
    let fds = kernel
        .split("fds ")
        .nth(1)
        .unwrap()
        .split(',')
        .next()
        .unwrap();
    let (before, after) = fds.split_once(" -> ").unwrap();
    let (before, after): (u64, u64) = (before.parse().unwrap(), after.parse().unwrap());
    // 20 connections at least (and the server's epoll and spare
    // descriptors when its first reading came before it opened them: it
    // says where it listens first, and the load starts then).
    assert!(after >= before + 20, "{kernel}");
    assert!(out.contains(&c10k::table::header()), "{out}");
}

/// Each model's bar is labelled with what it is, in both editions; a
/// figure drawn as measured gets no note.
#[test]
fn the_picture_names_every_model() {
    let rows: Vec<Outcome> = c10k::MODELS
        .iter()
        .map(|m| {
            let r = LoadReport {
                conns: 1,
                rounds: 1,
                connected: 1,
                round_trips: 1,
                server: Some(ServerFigures {
                    rss_before_kib: 100,
                    rss_after_kib: 100,
                    ..Default::default()
                }),
                ..Default::default()
            };
            outcome(m, r)
        })
        .collect();
    let (chart, notes) = c10k::plot::chart(&rows, 1, 1);
    let names: Vec<(&str, &str)> = chart
        .rows
        .iter()
        .map(|r| (r.name.en.as_str(), r.name.zh.as_str()))
        .collect();
    assert_eq!(
        names,
        [
            (
                "thread: a thread per connection",
                "thread：每个连接一个线程"
            ),
            ("pool: a pool of 8 threads", "pool：8 个线程的线程池"),
            ("epoll: one epoll loop", "epoll：一个 epoll 循环"),
            (
                "epoll-cores: an epoll loop per core",
                "epoll-cores：每个核一个 epoll 循环"
            ),
            ("async", "async"),
            (
                "py-threading: Python socketserver (threads)",
                "py-threading：Python socketserver（线程）"
            ),
            ("py-asyncio: Python asyncio", "py-asyncio：Python asyncio"),
        ]
    );
    assert!(
        notes.is_empty(),
        "0 bytes per connection is drawn as measured: {notes:?}"
    );
    assert!(chart.rows.iter().all(|r| r.values[1] == "0"));
}

// ------------------------------------------------- python3 and tokio

/// A `python3` that fails `--version` counts as missing: the Python models
/// are skipped, with why.
#[test]
fn a_python3_that_fails_counts_as_missing() {
    let dir = std::env::temp_dir().join(format!(
        "c10k-nopy-{}-{}",
        nix::unistd::getuid(),
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let fake = dir.join("python3");
    std::fs::write(&fake, "#!/bin/sh\nexit 3\n").unwrap();
    std::fs::set_permissions(&fake, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    // Started once here, so no other test's fork still holds it open for
    // writing (ETXTBSY) when c10k runs it (output_within retries that).
    assert_eq!(Command::new(&fake).output_within().status.code(), Some(3));
    let out = Command::new(BIN)
        .args(["--model", "py-threading", "--conns", "10", "--rounds", "1"])
        .env("PATH", &dir)
        .env("NO_COLOR", "1")
        .env("LANG", "C.UTF-8")
        .env_remove("LC_ALL")
        .output_within();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        text.contains("py-threading: skipped: python3 --version failed (exit status: 3)"),
        "{text}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

/// The tokio reference runs as `current` or `multi`, from its own
/// workspace's release build.
#[test]
fn the_tokio_models_and_their_binary() {
    use c10k::tokio_ref::{binary, flavor, MODELS};
    assert_eq!(MODELS.map(flavor), [Some("current"), Some("multi")]);
    assert_eq!(flavor("epoll"), None);
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tokio-ref");
    assert_eq!(binary(), dir.join("target/release/c10k-tokio-ref"));
    assert!(dir.join("Cargo.toml").is_file());
}
