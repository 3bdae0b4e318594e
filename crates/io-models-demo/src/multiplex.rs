//! I/O multiplexing (IO多路复用): one thread serves several clients.
//!
//! The thread never calls `accept` or `recv` blindly. It first asks the
//! kernel which of its sockets are ready — the listening socket (a client is
//! waiting to be accepted) or a connection (data has arrived) — and then
//! serves exactly those, each call returning at once. Three ways to ask:
//!
//! * `select`: bitmaps of descriptors, rebuilt before every call;
//! * `poll`: an array of `pollfd`, one per socket;
//! * `epoll`: the list lives in the kernel (`epoll_ctl` to add or remove a
//!   socket), `epoll_wait` returns only the ready ones.
//!
//! Python's `selectors.DefaultSelector` picks `epoll` on Linux for the same
//! reason [`crate::cost`] measures.

use crate::fdsetsize::insert_checked;
use demo_kit::{bail_msg, Context, Result};
use nix::poll::{poll, PollFd, PollFlags, PollTimeout};
use nix::sys::epoll::{Epoll, EpollCreateFlags, EpollEvent, EpollFlags};
use nix::sys::select::{select, FdSet};
use nix::sys::time::TimeVal;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::os::fd::AsFd;
use std::time::Duration;

/// Which call the server waits in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Model {
    Select,
    Poll,
    Epoll,
}

/// What one server thread did for all its clients.
#[derive(Debug)]
pub struct MultiplexRun {
    pub model: Model,
    pub clients: usize,
    /// Calls of select/poll/epoll_wait the server made.
    pub waits: u64,
    /// Messages it echoed.
    pub echoes: u64,
    /// Did every client get every message back unchanged?
    pub all_echoed: bool,
}

/// A listener marker among the ready list, next to connection indexes.
const LISTENER: usize = usize::MAX;
/// No wait may last longer: a silent client is a bug here, not a state.
const IDLE_LIMIT_S: i64 = 5;

/// One server thread with `model`; `clients` clients in this thread each
/// send `rounds` messages and read each echo back.
pub fn run(model: Model, clients: usize, rounds: usize) -> Result<MultiplexRun> {
    let listener = TcpListener::bind("127.0.0.1:0")
        .map_err(|e| demo_kit::fail::bind_error("127.0.0.1:0", &e))?;
    let addr = listener
        .local_addr()
        .context("reading the listener's address")?;
    let server = std::thread::spawn(move || serve(model, listener, clients));
    let mut conns = Vec::new();
    for i in 0..clients {
        let c = TcpStream::connect(addr).with_context(|| format!("client {i} connecting"))?;
        c.set_read_timeout(Some(Duration::from_secs(5)))
            .context("SO_RCVTIMEO")?;
        conns.push(c);
    }
    let mut all_echoed = true;
    for round in 0..rounds {
        for (i, c) in conns.iter_mut().enumerate() {
            c.write_all(format!("client {i} round {round}").as_bytes())
                .context("client send")?;
        }
        for (i, c) in conns.iter_mut().enumerate() {
            let want = format!("client {i} round {round}");
            let mut got = vec![0u8; want.len()];
            c.read_exact(&mut got)
                .with_context(|| format!("client {i} reading its echo"))?;
            all_echoed &= got == want.as_bytes();
        }
    }
    drop(conns); // each client closes: the server sees end-of-file and stops
    let (waits, echoes) = match server.join() {
        Ok(r) => r?,
        Err(_) => return bail_msg("the server thread panicked"),
    };
    Ok(MultiplexRun {
        model,
        clients,
        waits,
        echoes,
        all_echoed,
    })
}

/// The server: wait, then serve the ready sockets; stop when `clients`
/// clients came and went. Returns (waits, echoes).
fn serve(model: Model, listener: TcpListener, clients: usize) -> Result<(u64, u64)> {
    let mut conns: Vec<Option<TcpStream>> = Vec::new();
    let (mut waits, mut echoes) = (0u64, 0u64);
    let epoll = Epoll::new(EpollCreateFlags::EPOLL_CLOEXEC).context("epoll_create1")?;
    if model == Model::Epoll {
        epoll
            .add(
                &listener,
                EpollEvent::new(EpollFlags::EPOLLIN, LISTENER as u64),
            )
            .context("epoll_ctl(ADD, listener)")?;
    }
    while conns.len() < clients || conns.iter().any(Option::is_some) {
        waits += 1;
        let ready = match model {
            Model::Select => wait_select(&listener, &conns)?,
            Model::Poll => wait_poll(&listener, &conns)?,
            Model::Epoll => wait_epoll(&epoll)?,
        };
        for i in ready {
            if i == LISTENER {
                let (stream, _) = listener.accept().context("accept")?;
                if model == Model::Epoll {
                    let event = EpollEvent::new(EpollFlags::EPOLLIN, conns.len() as u64);
                    epoll
                        .add(&stream, event)
                        .context("epoll_ctl(ADD, connection)")?;
                }
                conns.push(Some(stream));
                continue;
            }
            let Some(conn) = conns[i].as_mut() else {
                continue;
            };
            let mut buf = [0u8; 4096];
            // Ready means this read returns at once: data, or 0 for end-of-file.
            let n = conn.read(&mut buf).context("server read")?;
            if n == 0 {
                if model == Model::Epoll {
                    epoll.delete(&*conn).context("epoll_ctl(DEL)")?;
                }
                conns[i] = None; // close
            } else {
                conn.write_all(&buf[..n]).context("server write")?;
                echoes += 1;
            }
        }
    }
    Ok((waits, echoes))
}

fn wait_select(listener: &TcpListener, conns: &[Option<TcpStream>]) -> Result<Vec<usize>> {
    let mut set = FdSet::new();
    insert_checked(&mut set, listener.as_fd())?;
    for c in conns.iter().flatten() {
        insert_checked(&mut set, c.as_fd())?;
    }
    let mut timeout = TimeVal::new(IDLE_LIMIT_S, 0);
    if select(None, &mut set, None, None, &mut timeout).context("select")? == 0 {
        return bail_msg("select: no client activity for 5 s");
    }
    // select overwrote the set with the answer: scan every socket for its bit.
    let mut ready: Vec<usize> = conns
        .iter()
        .enumerate()
        .filter(|(_, c)| c.as_ref().is_some_and(|c| set.contains(c.as_fd())))
        .map(|(i, _)| i)
        .collect();
    if set.contains(listener.as_fd()) {
        ready.push(LISTENER);
    }
    Ok(ready)
}

fn wait_poll(listener: &TcpListener, conns: &[Option<TcpStream>]) -> Result<Vec<usize>> {
    let mut owners = vec![LISTENER];
    let mut fds = vec![PollFd::new(listener.as_fd(), PollFlags::POLLIN)];
    for (i, c) in conns.iter().enumerate() {
        if let Some(c) = c {
            owners.push(i);
            fds.push(PollFd::new(c.as_fd(), PollFlags::POLLIN));
        }
    }
    let ms = PollTimeout::from(IDLE_LIMIT_S as u16 * 1000);
    if poll(&mut fds, ms).context("poll")? == 0 {
        return bail_msg("poll: no client activity for 5 s");
    }
    // poll wrote each answer into its pollfd: scan them all.
    Ok(fds
        .iter()
        .zip(owners)
        .filter(|(fd, _)| fd.revents().is_some_and(|r| !r.is_empty()))
        .map(|(_, owner)| owner)
        .collect())
}

fn wait_epoll(epoll: &Epoll) -> Result<Vec<usize>> {
    let mut events = [EpollEvent::empty(); 64];
    let n = epoll
        .wait(&mut events, IDLE_LIMIT_S as u16 * 1000)
        .context("epoll_wait")?;
    if n == 0 {
        return bail_msg("epoll_wait: no client activity for 5 s");
    }
    // Only the ready sockets come back: nothing to scan.
    Ok(events[..n].iter().map(|e| e.data() as usize).collect())
}
