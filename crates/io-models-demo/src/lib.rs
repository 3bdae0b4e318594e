//! `io-models-demo`: the course's I/O models (IO模型), each one live.
//!
//! A server spends most of its life *waiting*: for a client to connect, for
//! the next request to arrive. How a program waits is its I/O model:
//!
//! * [`blocking`] (阻塞IO): `recv` puts the thread to sleep until data comes;
//! * [`nonblocking`] (非阻塞IO): `recv` returns `EAGAIN` at once, and a loop
//!   that keeps asking burns a CPU;
//! * [`multiplex`] (IO多路复用): one thread asks the kernel "which of these
//!   sockets is ready?" with `select`, `poll` or `epoll`; [`fdsetsize`] shows
//!   `select`'s hard limit, [`cost`] what one call costs as the number of
//!   sockets grows, and [`edge`] level- against edge-triggered `epoll`.
//!
//! Asynchronous I/O (异步IO) is in the lesson (docs/18-io-models.md) only.

pub mod blocking;
pub mod cost;
pub mod edge;
pub mod fdsetsize;
pub mod multiplex;
pub mod nonblocking;

use demo_kit::{Context, Result};
use nix::sys::resource::{getrlimit, getrusage, setrlimit, Resource, UsageWho};
use std::net::{TcpListener, TcpStream};
use std::time::Duration;

/// A connected TCP pair on loopback: `(client, server)`.
pub fn loopback_pair() -> Result<(TcpStream, TcpStream)> {
    let listener = TcpListener::bind("127.0.0.1:0")
        .map_err(|e| demo_kit::fail::bind_error("127.0.0.1:0", &e))?;
    let addr = listener
        .local_addr()
        .context("reading the listener's address")?;
    let client = TcpStream::connect(addr).with_context(|| format!("connecting to {addr}"))?;
    let (server, _) = listener.accept().context("accepting the client")?;
    Ok((client, server))
}

/// CPU time (user + system) the *calling thread* has used so far:
/// `getrusage(RUSAGE_THREAD)`.
pub fn thread_cpu() -> Result<Duration> {
    let usage = getrusage(UsageWho::RUSAGE_THREAD).context("getrusage(RUSAGE_THREAD)")?;
    let micros = |t: nix::sys::time::TimeVal| t.tv_sec() as u64 * 1_000_000 + t.tv_usec() as u64;
    Ok(Duration::from_micros(
        micros(usage.user_time()) + micros(usage.system_time()),
    ))
}

/// Raises the soft open-files limit (`RLIMIT_NOFILE`) to the hard one, as a
/// server with many sockets must; returns the new `(soft, hard)`.
pub fn raise_nofile() -> Result<(u64, u64)> {
    let (soft, hard) = getrlimit(Resource::RLIMIT_NOFILE).context("getrlimit(RLIMIT_NOFILE)")?;
    if soft < hard {
        setrlimit(Resource::RLIMIT_NOFILE, hard, hard).context("setrlimit(RLIMIT_NOFILE)")?;
    }
    Ok((hard, hard))
}
