//! The load generator: `--conns` connections, each doing `--rounds` round
//! trips of a 64-byte frame, all at once, from ONE thread with `epoll`.
//!
//! It runs in its own process (its descriptors and CPU are its own, and it
//! can read the server's `/proc` entry from outside). Every echoed byte is
//! compared with what was sent: each body carries its connection and round
//! number and a pattern made from both. Its own CPU time is reported, so a
//! reader can see whether the *client* was the limit.

use crate::limits::{max_conns, raise_nofile};
use crate::procstat::{snapshot, Snapshot};
use crate::report::{LoadReport, ServerFigures};
use demo_kit::{bail_msg, Context, Result};
use nix::sys::epoll::{Epoll, EpollCreateFlags, EpollEvent, EpollFlags};
use std::io::{ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, Instant};

/// The body of every frame.
pub const BODY: usize = 64;
const FRAME: usize = 4 + BODY;

/// The frame connection `conn` sends in round `round`.
pub fn frame(conn: usize, round: usize) -> [u8; FRAME] {
    let mut f = [0u8; FRAME];
    f[..4].copy_from_slice(&(BODY as i32).to_le_bytes()); // struct.pack('i', 64)
    f[4..8].copy_from_slice(&(conn as u32).to_le_bytes());
    f[8..12].copy_from_slice(&(round as u32).to_le_bytes());
    for (j, b) in f[12..].iter_mut().enumerate() {
        *b = (conn.wrapping_mul(31) + round.wrapping_mul(7) + j) as u8;
    }
    f
}

/// One connection's progress.
struct Conn {
    stream: TcpStream,
    round: usize,
    /// Bytes of the current echo received (and checked) so far.
    got: usize,
    /// Bytes of the current frame written so far.
    sent: usize,
    sent_at: Instant,
    /// Registered for EPOLLOUT (a frame did not fit in the send buffer)?
    waiting_out: bool,
}

/// Drives `addr` and measures; `server_pid` lets it read the server's /proc.
pub fn run(
    addr: SocketAddr,
    conns: usize,
    rounds: usize,
    server_pid: Option<i32>,
    limit: Duration,
) -> Result<LoadReport> {
    let nofile = raise_nofile()?;
    if conns as u64 > max_conns(nofile) {
        return bail_msg(format!(
            "--conns {conns} needs {conns} descriptors plus a few, but the open-files limit is {nofile} \
             (ulimit -Hn): use --conns {} or fewer, or raise the hard limit",
            max_conns(nofile)
        ));
    }
    let mut report = LoadReport {
        conns,
        rounds,
        ..LoadReport::default()
    };
    let before = server_pid.and_then(snapshot);
    let kstack_before = crate::procstat::kernel_stack_kib();
    let started = Instant::now();
    let mut live: Vec<Option<Conn>> = Vec::with_capacity(conns);
    for i in 0..conns {
        if started.elapsed() > limit {
            report.note_error(format!(
                "connecting took longer than {limit:?}: stopped at {i}"
            ));
            break;
        }
        match TcpStream::connect_timeout(&addr, Duration::from_secs(5)) {
            Ok(s) => {
                s.set_nodelay(true).context("TCP_NODELAY")?;
                s.set_nonblocking(true).context("O_NONBLOCK")?;
                live.push(Some(Conn {
                    stream: s,
                    round: 0,
                    got: 0,
                    sent: 0,
                    sent_at: Instant::now(),
                    waiting_out: false,
                }));
            }
            Err(e) => {
                report.note_error(format!("connection {i} of {conns} failed: {e}"));
                break;
            }
        }
    }
    report.connected = live.len();
    let after =
        server_pid.and_then(|pid| settled(pid, before.map_or(0, |b| b.fds) + live.len() as u64));
    let kstack = (kstack_before, crate::procstat::kernel_stack_kib());

    let epoll = Epoll::new(EpollCreateFlags::EPOLL_CLOEXEC).context("epoll_create1")?;
    for (i, c) in live
        .iter()
        .enumerate()
        .filter_map(|(i, c)| Some((i, c.as_ref()?)))
    {
        epoll
            .add(&c.stream, EpollEvent::new(EpollFlags::EPOLLIN, i as u64))
            .context("epoll_ctl(ADD)")?;
    }
    let server_cpu_start = server_pid.and_then(crate::procstat::cpu_time);
    let my_cpu_start = own_cpu()?;
    let rounds_started = Instant::now();
    let mut latencies: Vec<u32> = Vec::with_capacity(live.len() * rounds);
    let mut open = live.len();
    for (i, slot) in live.iter_mut().enumerate() {
        if let Err(e) = send(slot, i, &epoll) {
            report.note_error(e);
            open -= 1;
        }
    }
    let mut events = vec![EpollEvent::empty(); 1024];
    let mut buf = [0u8; 4096];
    while open > 0 {
        if rounds_started.elapsed() > limit {
            report.timed_out = true;
            break;
        }
        let n = epoll.wait(&mut events, 100u16).context("epoll_wait")?;
        for event in &events[..n] {
            let i = event.data() as usize;
            let result = if event.events().contains(EpollFlags::EPOLLOUT) {
                send(&mut live[i], i, &epoll).map(|_| false)
            } else {
                receive(&mut live[i], i, rounds, &mut buf, &mut latencies, &epoll)
            };
            match result {
                Ok(false) => {}
                Ok(true) => open -= 1, // all rounds done: closed
                Err(e) => {
                    report.note_error(e);
                    live[i] = None;
                    open -= 1;
                }
            }
        }
    }
    let elapsed = rounds_started.elapsed();
    report.finish(elapsed, own_cpu()? - my_cpu_start, &mut latencies);
    if let (Some(before), Some(after), Some(pid)) = (before, after, server_pid) {
        let end = snapshot(pid).unwrap_or(after);
        let cpu = server_cpu_start
            .map(|s| end.cpu.saturating_sub(s))
            .unwrap_or_default();
        report.server = Some(ServerFigures::new(
            before,
            after,
            end,
            cpu,
            report.round_trips,
            kstack,
        ));
    }
    Ok(report)
}

/// Writes (the rest of) connection `i`'s current frame.
fn send(slot: &mut Option<Conn>, i: usize, epoll: &Epoll) -> std::result::Result<(), String> {
    let Some(c) = slot.as_mut() else {
        return Ok(());
    };
    if c.sent == 0 {
        c.sent_at = Instant::now();
    }
    let f = frame(i, c.round);
    match (&c.stream).write(&f[c.sent..]) {
        Ok(k) => c.sent += k,
        Err(e) if e.kind() == ErrorKind::WouldBlock => {}
        Err(e) => {
            return Err(format!(
                "connection {i}, round {}: send failed: {e}",
                c.round
            ))
        }
    }
    // Wait for "writable" only in the rare case the frame did not fit.
    if (c.sent < FRAME) != c.waiting_out {
        c.waiting_out = c.sent < FRAME;
        let want = if c.waiting_out {
            EpollFlags::EPOLLOUT
        } else {
            EpollFlags::EPOLLIN
        };
        epoll
            .modify(&c.stream, &mut EpollEvent::new(want, i as u64))
            .map_err(|e| e.to_string())?;
    }
    Ok(())
}

/// Reads and checks echo bytes; `Ok(true)` once the last round is done.
fn receive(
    slot: &mut Option<Conn>,
    i: usize,
    rounds: usize,
    buf: &mut [u8],
    latencies: &mut Vec<u32>,
    epoll: &Epoll,
) -> std::result::Result<bool, String> {
    let Some(c) = slot.as_mut() else {
        return Ok(false);
    };
    let n = match (&c.stream).read(&mut buf[..FRAME - c.got]) {
        Ok(0) => {
            return Err(format!(
                "connection {i}: the server closed it after {} of {rounds} rounds",
                c.round
            ))
        }
        Ok(n) => n,
        Err(e) if e.kind() == ErrorKind::WouldBlock => return Ok(false),
        Err(e) => {
            return Err(format!(
                "connection {i}, round {}: recv failed: {e}",
                c.round
            ))
        }
    };
    let want = frame(i, c.round);
    if buf[..n] != want[c.got..c.got + n] {
        return Err(format!(
            "connection {i}, round {}: WRONG BYTES in the echo",
            c.round
        ));
    }
    c.got += n;
    if c.got < FRAME {
        return Ok(false);
    }
    latencies.push(c.sent_at.elapsed().as_micros().min(u32::MAX as u128) as u32);
    c.round += 1;
    (c.got, c.sent) = (0, 0);
    if c.round == rounds {
        *slot = None; // close: a pool worker is freed for the next client
        return Ok(true);
    }
    send(slot, i, epoll).map(|_| false)
}

/// Waits (at most 10 s) until the server holds `fds` descriptors (it has
/// accepted everyone) and its memory stopped moving; then reads it.
fn settled(pid: i32, fds: u64) -> Option<Snapshot> {
    let mut last = 0;
    demo_kit::wait::until(Duration::from_secs(10), || {
        let s = snapshot(pid)?;
        let still = s.rss_kib == last;
        last = s.rss_kib;
        (s.fds >= fds && still).then_some(s)
    })
    .or_else(|| snapshot(pid))
}

/// This process's CPU time so far (`getrusage(RUSAGE_SELF)`).
fn own_cpu() -> Result<Duration> {
    use nix::sys::resource::{getrusage, UsageWho};
    let u = getrusage(UsageWho::RUSAGE_SELF).context("getrusage")?;
    let us = |t: nix::sys::time::TimeVal| t.tv_sec() as u64 * 1_000_000 + t.tv_usec() as u64;
    Ok(Duration::from_micros(
        us(u.user_time()) + us(u.system_time()),
    ))
}
