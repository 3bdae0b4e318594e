//! Level-triggered against edge-triggered `epoll` (`EPOLLET`).
//!
//! Level-triggered (the default, and what `select`/`poll` do): `epoll_wait`
//! reports a socket as long as its receive buffer is not empty. Read half of
//! the data, wait again, and it is reported again at once.
//!
//! Edge-triggered (`EPOLLET`): a socket is reported when it *becomes*
//! readable — when new data arrives — and not again for data that was
//! already there. Read half, wait again, and the wait stalls although the
//! other half sits in the buffer: nothing new has arrived. The rule that
//! fixes it: with `EPOLLET`, always read until `recv` says `EAGAIN` (so the
//! socket must be non-blocking, or the last read would block forever).

use crate::loopback_pair;
use demo_kit::{bail_msg, Context, Result};
use nix::errno::Errno;
use nix::sys::epoll::{Epoll, EpollCreateFlags, EpollEvent, EpollFlags};
use nix::sys::socket::{recv, MsgFlags};
use std::io::Write;
use std::net::TcpStream;
use std::os::fd::AsRawFd;
use std::time::{Duration, Instant};

/// One wait after a partial read.
#[derive(Debug)]
pub struct PartialRead {
    pub edge_triggered: bool,
    pub sent: usize,
    /// What the first (only) `recv` took.
    pub first_read: usize,
    /// Was the socket reported again by the second `epoll_wait`?
    pub reported_again: bool,
    /// How long the second `epoll_wait` took.
    pub second_wait: Duration,
    /// Bytes still in the receive buffer (`FIONREAD`) after it.
    pub left_in_buffer: usize,
}

/// The client sends `sent` bytes; the server waits, reads `first` bytes
/// only, and waits again for at most `wait`.
pub fn partial_read(
    edge_triggered: bool,
    sent: usize,
    first: usize,
    wait: Duration,
) -> Result<PartialRead> {
    let (mut client, server, epoll) = watched_pair(edge_triggered)?;
    client
        .write_all(&vec![b'e'; sent])
        .context("the client sends")?;
    wait_ready(&epoll, Duration::from_secs(5))?
        .then_some(())
        .context("epoll_wait did not report the first data within 5 s")?;
    let mut buf = vec![0u8; first];
    let first_read = recv(server.as_raw_fd(), &mut buf, MsgFlags::empty()).context("recv")?;
    let started = Instant::now();
    let reported_again = wait_ready(&epoll, wait)?;
    let second_wait = started.elapsed();
    let left_in_buffer = demo_kit::sock::queued_bytes(&server).context("ioctl(FIONREAD)")?;
    Ok(PartialRead {
        edge_triggered,
        sent,
        first_read,
        reported_again,
        second_wait,
        left_in_buffer,
    })
}

/// The fix, edge-triggered.
#[derive(Debug)]
pub struct ReadUntilEagain {
    pub sent: usize,
    /// Total bytes read before `EAGAIN`.
    pub read: usize,
    /// `recv` calls, the last of which returned `EAGAIN`.
    pub recv_calls: usize,
    /// After new data arrived, was the socket reported again?
    pub new_data_reported: bool,
}

/// With `EPOLLET`: wait, read until `EAGAIN` with `chunk`-byte reads, then
/// check that new data makes a new edge.
pub fn read_until_eagain(sent: usize, chunk: usize) -> Result<ReadUntilEagain> {
    let (mut client, server, epoll) = watched_pair(true)?;
    client
        .write_all(&vec![b'e'; sent])
        .context("the client sends")?;
    wait_ready(&epoll, Duration::from_secs(5))?
        .then_some(())
        .context("epoll_wait did not report the data within 5 s")?;
    let (mut read, mut recv_calls) = (0, 0);
    let mut buf = vec![0u8; chunk];
    loop {
        recv_calls += 1;
        match recv(server.as_raw_fd(), &mut buf, MsgFlags::empty()) {
            Ok(0) => return bail_msg("the client closed early"),
            Ok(n) => read += n,
            Err(Errno::EAGAIN) => break,
            Err(e) => return Err(e).context("recv"),
        }
    }
    client.write_all(b"more").context("the client sends more")?;
    let new_data_reported = wait_ready(&epoll, Duration::from_secs(5))?;
    Ok(ReadUntilEagain {
        sent,
        read,
        recv_calls,
        new_data_reported,
    })
}

/// A loopback pair whose server side is non-blocking and registered with a
/// new epoll instance, edge-triggered or not.
fn watched_pair(edge_triggered: bool) -> Result<(TcpStream, TcpStream, Epoll)> {
    let (client, server) = loopback_pair()?;
    server.set_nonblocking(true).context("setting O_NONBLOCK")?;
    let epoll = Epoll::new(EpollCreateFlags::EPOLL_CLOEXEC).context("epoll_create1")?;
    let mut flags = EpollFlags::EPOLLIN;
    if edge_triggered {
        flags |= EpollFlags::EPOLLET;
    }
    epoll
        .add(&server, EpollEvent::new(flags, 1))
        .context("epoll_ctl(EPOLL_CTL_ADD)")?;
    Ok((client, server, epoll))
}

/// One `epoll_wait` with a timeout: was the socket reported?
fn wait_ready(epoll: &Epoll, timeout: Duration) -> Result<bool> {
    let ms = u16::try_from(timeout.as_millis()).unwrap_or(u16::MAX);
    let mut events = [EpollEvent::empty(); 4];
    let n = epoll.wait(&mut events, ms).context("epoll_wait")?;
    Ok(n == 1 && events[0].data() == 1)
}
