//! What one `select`, `poll` or `epoll_wait` call costs with many idle
//! sockets and one active one.
//!
//! `select` and `poll` are stateless: every call hands the kernel the whole
//! list, and the kernel checks every socket on it, then the program scans
//! the answer for the few that are ready. Their cost grows with the number
//! of sockets watched, even if only one is busy. `epoll` keeps the list in
//! the kernel (`epoll_ctl` once per socket); a socket that becomes ready puts
//! itself on a ready list, and `epoll_wait` only hands that list over. Its
//! cost follows the number of *ready* sockets, not the number watched.
//!
//! The idle sockets are UDP sockets nobody sends to (one descriptor each, so
//! 10,000 of them fit under the usual 20,000-file limit); the active one is
//! a UDP socket holding one unread datagram, so it stays readable and every
//! call returns exactly one ready socket.

use crate::fdsetsize::insert_checked;
use demo_kit::{bail_msg, tr, Context, Result};
use nix::poll::{poll, PollFd, PollFlags, PollTimeout};
use nix::sys::epoll::{Epoll, EpollCreateFlags, EpollEvent, EpollFlags};
use nix::sys::select::{select, FdSet, FD_SETSIZE};
use nix::sys::socket::{socket, AddressFamily, SockFlag, SockType};
use nix::sys::time::TimeVal;
use std::net::UdpSocket;
use std::os::fd::{AsFd, AsRawFd, OwnedFd};
use std::time::{Duration, Instant};

/// The median time of one call, with `idle` idle sockets and one active.
#[derive(Debug)]
pub struct Cost {
    pub idle: usize,
    pub calls: usize,
    /// `None`: refused, some descriptor is >= `FD_SETSIZE`.
    pub select: Option<Duration>,
    pub poll: Duration,
    pub epoll_wait: Duration,
}

/// Opens `idle` idle sockets and one active one, and times `calls` calls of
/// each (the median is kept).
pub fn measure(idle: usize, calls: usize) -> Result<Cost> {
    let mut idle_sockets: Vec<OwnedFd> = Vec::with_capacity(idle);
    for i in 0..idle {
        let s = socket(
            AddressFamily::Inet,
            SockType::Datagram,
            SockFlag::SOCK_CLOEXEC,
            None,
        )
        .with_context(|| {
            tr!(
                "opening idle socket {} of {idle} (is the open-files limit too low? ulimit -n)",
                "打开第 {} 个空闲套接字（共 {idle} 个）（打开文件数上限太低？ulimit -n）",
                i + 1
            )
        })?;
        idle_sockets.push(s);
    }
    let active = UdpSocket::bind("127.0.0.1:0")
        .map_err(|e| demo_kit::fail::bind_error("127.0.0.1:0", &e))?;
    let me = active
        .local_addr()
        .context("reading the UDP socket's address")?;
    active
        .send_to(b"ready", me)
        .context("sending a datagram to myself")?;
    let mut all: Vec<_> = idle_sockets.iter().map(|s| s.as_fd()).collect();
    all.push(active.as_fd());

    // select: the fd_set is rebuilt before every call, because select
    // overwrites it with the answer; that rebuild is part of its cost.
    let fits = all.iter().all(|fd| (fd.as_raw_fd() as usize) < FD_SETSIZE);
    let nfds = all.iter().map(|fd| fd.as_raw_fd()).max().unwrap_or(0) + 1;
    let select = if fits {
        Some(median(calls, || {
            let mut set = FdSet::new();
            for fd in &all {
                insert_checked(&mut set, *fd)?;
            }
            let mut zero = TimeVal::new(0, 0);
            // nfds: the highest descriptor + 1, so the kernel checks bits 0..nfds.
            let n = select(nfds, &mut set, None, None, &mut zero).context("select")?;
            Ok(n as usize)
        })?)
    } else {
        None
    };

    // poll: one array, reused; the kernel writes the answers into it.
    let mut fds: Vec<PollFd> = all
        .iter()
        .map(|fd| PollFd::new(*fd, PollFlags::POLLIN))
        .collect();
    let poll_cost = median(calls, || {
        let n = poll(&mut fds, PollTimeout::ZERO).context("poll")?;
        Ok(n as usize)
    })?;

    // epoll: every socket is registered once; each wait hands over the ready list.
    let epoll = Epoll::new(EpollCreateFlags::EPOLL_CLOEXEC).context("epoll_create1")?;
    for (i, fd) in all.iter().enumerate() {
        epoll
            .add(fd, EpollEvent::new(EpollFlags::EPOLLIN, i as u64))
            .context("epoll_ctl(EPOLL_CTL_ADD)")?;
    }
    let mut events = [EpollEvent::empty(); 64];
    let epoll_cost = median(calls, || {
        let n = epoll.wait(&mut events, 0u8).context("epoll_wait")?;
        Ok(n)
    })?;
    Ok(Cost {
        idle,
        calls,
        select,
        poll: poll_cost,
        epoll_wait: epoll_cost,
    })
}

/// Times `calls` runs of `call`, each of which must find exactly one ready
/// socket; returns the median.
fn median(calls: usize, mut call: impl FnMut() -> Result<usize>) -> Result<Duration> {
    let mut times = Vec::with_capacity(calls);
    for _ in 0..calls.max(1) {
        let started = Instant::now();
        let ready = call()?;
        times.push(started.elapsed());
        if ready != 1 {
            return bail_msg(tr!(
                "expected exactly 1 ready socket, the kernel said {ready}",
                "应当正好有 1 个就绪的套接字，内核说有 {ready} 个"
            ));
        }
    }
    times.sort();
    Ok(times[times.len() / 2])
}
