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
//! message instead of hanging it. The helpers are here; the tests are in
//! `generator` (counts and limits), `timing` (reads and times), `readings`
//! (/proc) and `figures` (report, table, picture, python3, tokio).

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

mod figures;
mod generator;
mod readings;
mod timing;

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

/// Is thread `tid` of this process asleep (`clock_nanosleep`, which
/// `std::thread::sleep` calls)? (`/proc/self/task/TID/syscall`, proc(5).)
fn asleep(tid: i32) -> bool {
    let s = std::fs::read_to_string(format!("/proc/self/task/{tid}/syscall")).unwrap_or_default();
    let nr = s.split(' ').next().and_then(|n| n.parse::<i64>().ok());
    nr == Some(nix::libc::SYS_clock_nanosleep) || nr == Some(nix::libc::SYS_nanosleep)
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
