//! The reactor: one `epoll` instance, and for each socket the wakers of the
//! tasks waiting on it.
//!
//! A socket future first *tries* its call (`read`, `write`, `accept`). Only
//! when the kernel says `EAGAIN` does it register here: "wake task T when
//! fd F is readable" (or writable). The first registration of a socket adds
//! it to epoll, edge-triggered, for both directions; later ones only store
//! the waker. `epoll_wait` then hands over the sockets that became ready,
//! and the reactor wakes exactly the tasks registered on them.
//!
//! Edge-triggered is safe here because a task registers only after `EAGAIN`:
//! the buffer was empty (or full), so the next change of state is a new
//! edge, and epoll(7) reports it. A socket added while already ready is
//! reported at once (epoll checks readiness on `EPOLL_CTL_ADD`).

use super::trace::{Kind, Trace};
use super::Event;
use nix::sys::epoll::{Epoll, EpollCreateFlags, EpollEvent, EpollFlags, EpollTimeout};
use nix::sys::eventfd::EventFd;
use std::cell::RefCell;
use std::collections::HashMap;
use std::io;
use std::os::fd::{AsFd, BorrowedFd, RawFd};
use std::sync::atomic::{AtomicBool, Ordering::SeqCst};
use std::task::Waker;

/// The eventfd that another thread's wake writes to (see `Shared::poke`).
const POKE: u64 = u64::MAX;

/// Which way a task waits on a socket.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Dir {
    Read,
    Write,
}

#[derive(Default)]
struct Waiting {
    reader: Option<(usize, Waker)>,
    writer: Option<(usize, Waker)>,
    /// True from an `EAGAIN` (or a read that emptied the buffer) until
    /// the next readable edge: a read before that would only say `EAGAIN`.
    drained: bool,
    /// The peer closed its side (`EPOLLRDHUP`) or the socket failed
    /// (`EPOLLHUP`, `EPOLLERR`): for good, so `drained` no longer holds.
    /// A read returns at once (0, or the error), and no edge will come to
    /// say so again: the FIN's edge may have come before the short read
    /// that emptied the buffer. tokio keeps its closed readiness the same
    /// way ("closed states are final", ScheduledIo::clear_readiness in
    /// tokio/src/runtime/io/scheduled_io.rs).
    closed: bool,
}

pub(super) struct Reactor {
    epoll: Epoll,
    poke: RawFd,
    sockets: RefCell<HashMap<RawFd, Waiting>>,
    events: RefCell<Vec<EpollEvent>>,
}

impl Reactor {
    pub(super) fn new(poke: &EventFd) -> io::Result<Reactor> {
        let epoll = Epoll::new(EpollCreateFlags::EPOLL_CLOEXEC)?;
        epoll.add(poke.as_fd(), EpollEvent::new(EpollFlags::EPOLLIN, POKE))?;
        use std::os::fd::AsRawFd;
        Ok(Reactor {
            epoll,
            poke: poke.as_fd().as_raw_fd(),
            sockets: RefCell::new(HashMap::new()),
            events: RefCell::new(vec![EpollEvent::empty(); 256]),
        })
    }

    /// Task `task` waits until `fd` is ready for `dir`: keep its waker.
    pub(super) fn register(
        &self,
        fd: RawFd,
        dir: Dir,
        task: usize,
        waker: &Waker,
    ) -> io::Result<()> {
        let mut sockets = self.sockets.borrow_mut();
        let waiting = match sockets.entry(fd) {
            std::collections::hash_map::Entry::Occupied(e) => e.into_mut(),
            std::collections::hash_map::Entry::Vacant(e) => {
                let flags = EpollFlags::EPOLLIN
                    | EpollFlags::EPOLLOUT
                    | EpollFlags::EPOLLRDHUP
                    | EpollFlags::EPOLLET;
                // SAFETY: the socket future that calls us owns `fd` and
                // calls `forget` before it closes it.
                let borrowed = unsafe { BorrowedFd::borrow_raw(fd) };
                self.epoll
                    .add(borrowed, EpollEvent::new(flags, fd as u64))?;
                e.insert(Waiting::default())
            }
        };
        if dir == Dir::Read {
            waiting.drained = true; // the read said EAGAIN: nothing until the next edge
        }
        let place = match dir {
            Dir::Read => &mut waiting.reader,
            Dir::Write => &mut waiting.writer,
        };
        match place {
            Some((t, w)) if *t == task && w.will_wake(waker) => {}
            _ => *place = Some((task, waker.clone())),
        }
        Ok(())
    }

    /// True if the last read of registered `fd` emptied its buffer and no
    /// readable edge came since: reading again now would only say `EAGAIN`.
    pub(super) fn drained(&self, fd: RawFd) -> bool {
        self.sockets
            .borrow()
            .get(&fd)
            .is_some_and(|w| w.drained && !w.closed)
    }

    /// A read returned fewer bytes than asked: the kernel's buffer was empty
    /// then, and the next data will be a new edge (tokio does the same).
    pub(super) fn mark_drained(&self, fd: RawFd) {
        if let Some(w) = self.sockets.borrow_mut().get_mut(&fd) {
            w.drained = true;
        }
    }

    /// The socket is being closed: drop its wakers and its epoll entry (a
    /// later socket may get the same number).
    pub(super) fn forget(&self, fd: RawFd) {
        if self.sockets.borrow_mut().remove(&fd).is_some() {
            // SAFETY: called by the socket's owner just before it closes fd.
            let _ = self.epoll.delete(unsafe { BorrowedFd::borrow_raw(fd) });
        }
    }

    /// Sleeps in `epoll_wait` and wakes the tasks waiting on the sockets it
    /// reports. `None`: nothing is registered and nothing happened for
    /// `stall`, so no task is likely ever to be woken.
    /// `sleeping` is cleared as soon as `epoll_wait` returns: the wakes
    /// below need not poke the eventfd.
    pub(super) fn wait(
        &self,
        trace: &Trace,
        sleeping: &AtomicBool,
        stall: std::time::Duration,
    ) -> io::Result<Option<usize>> {
        let idle = self.sockets.borrow().is_empty();
        let timeout = if idle {
            EpollTimeout::try_from(stall).unwrap_or(EpollTimeout::MAX)
        } else {
            EpollTimeout::NONE
        };
        let mut events = self.events.borrow_mut();
        let waited = self.epoll.wait(&mut events, timeout);
        sleeping.store(false, SeqCst);
        let n = match waited {
            Ok(n) => n,
            Err(nix::errno::Errno::EINTR) => return Ok(Some(0)),
            Err(e) => return Err(e.into()),
        };
        if n == 0 && idle {
            return Ok(None);
        }
        let mut ready = Vec::with_capacity(if trace.on() { n } else { 0 });
        let mut woken = Vec::new();
        let mut sockets = self.sockets.borrow_mut();
        for ev in &events[..n] {
            if ev.data() == POKE {
                let mut eight = [0u8; 8];
                // SAFETY: the eventfd lives in `Shared`, as long as the runtime.
                let _ = nix::unistd::read(unsafe { BorrowedFd::borrow_raw(self.poke) }, &mut eight);
                continue;
            }
            let fd = ev.data() as RawFd;
            let flags = ev.events();
            let bad = EpollFlags::EPOLLHUP | EpollFlags::EPOLLERR;
            let readable = flags.intersects(EpollFlags::EPOLLIN | EpollFlags::EPOLLRDHUP | bad);
            let writable = flags.intersects(EpollFlags::EPOLLOUT | bad);
            if trace.on() {
                ready.push((fd, readable, writable));
            }
            let Some(waiting) = sockets.get_mut(&fd) else {
                continue;
            };
            if flags.intersects(EpollFlags::EPOLLRDHUP | bad) {
                waiting.closed = true;
            }
            if readable {
                waiting.drained = false;
                if let Some((task, w)) = waiting.reader.take() {
                    woken.push((task, fd, Dir::Read, w));
                }
            }
            if writable {
                if let Some((task, w)) = waiting.writer.take() {
                    woken.push((task, fd, Dir::Write, w));
                }
            }
        }
        drop(sockets);
        trace.note(Kind::Wait, || Event::Wait { ready });
        for (task, fd, dir, w) in woken {
            trace.note(Kind::Wake, || Event::Wake { task, fd, dir });
            w.wake();
        }
        Ok(Some(n))
    }
}
