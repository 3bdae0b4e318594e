//! The runtime's reactor: one `epoll` instance, and for each socket the
//! wakers of the tasks waiting on it.
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

use super::{Event, Runtime};
use nix::sys::epoll::{EpollEvent, EpollFlags, EpollTimeout};
use std::io;
use std::os::fd::{BorrowedFd, RawFd};
use std::task::Waker;

/// Which way a task waits on a socket (and the index of its waiter).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Dir {
    Read,
    Write,
}

/// Who waits on one socket: a task number and its waker, each way.
#[derive(Default)]
pub(super) struct Waiting {
    /// `[reader, writer]`, indexed by `Dir`.
    waiters: [Option<(usize, Waker)>; 2],
    /// True from a read that emptied the buffer until the next readable
    /// edge: a read before that would only say `EAGAIN`.
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

/// `fd`, for epoll_ctl. SAFETY: the socket futures of `net` own their fd
/// and call `forget` before they close it, so a registered fd is open.
fn borrow(fd: RawFd) -> BorrowedFd<'static> {
    unsafe { BorrowedFd::borrow_raw(fd) }
}

impl Runtime {
    /// The task being polled waits until `fd` is ready for `dir`: keep its
    /// waker. The first time, add `fd` to epoll, both ways, edge-triggered.
    pub(super) fn register(&self, fd: RawFd, dir: Dir, waker: &Waker) -> io::Result<()> {
        let mut sockets = self.sockets.borrow_mut();
        if !sockets.contains_key(&fd) {
            use EpollFlags as F;
            let flags = F::EPOLLIN | F::EPOLLOUT | F::EPOLLRDHUP | F::EPOLLET;
            self.epoll
                .add(borrow(fd), EpollEvent::new(flags, fd as u64))?;
        }
        let waiting = sockets.entry(fd).or_default();
        waiting.waiters[dir as usize] = Some((self.current.get(), waker.clone()));
        Ok(())
    }

    /// True if the last read of registered `fd` emptied its buffer and no
    /// readable edge came since: reading again now would only say `EAGAIN`.
    pub(super) fn drained(&self, fd: RawFd) -> bool {
        matches!(self.sockets.borrow().get(&fd), Some(w) if w.drained && !w.closed)
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
            let _ = self.epoll.delete(borrow(fd));
        }
    }

    /// Sleeps in `epoll_wait` and wakes the tasks waiting on the sockets it
    /// reports. An error, without waiting, if no socket is registered: then
    /// nothing on this thread could ever end the wait.
    pub(super) fn wait(&self) -> io::Result<()> {
        if self.sockets.borrow().is_empty() {
            return Err(io::Error::other(
                "every task is Pending and none can be woken: no socket is registered \
                 (a future returned Pending without keeping its waker?)",
            ));
        }
        let mut events = [EpollEvent::empty(); 256];
        let n = match self.epoll.wait(&mut events, EpollTimeout::NONE) {
            Err(nix::errno::Errno::EINTR) => 0,
            n => n?,
        };
        let (mut ready, mut woken) = (Vec::new(), Vec::new());
        let mut sockets = self.sockets.borrow_mut();
        for ev in &events[..n] {
            let fd = ev.data() as RawFd;
            let (flags, bad) = (ev.events(), EpollFlags::EPOLLHUP | EpollFlags::EPOLLERR);
            let readable = flags.intersects(EpollFlags::EPOLLIN | EpollFlags::EPOLLRDHUP | bad);
            let writable = flags.intersects(EpollFlags::EPOLLOUT | bad);
            ready.push((fd, readable, writable));
            let Some(waiting) = sockets.get_mut(&fd) else {
                continue;
            };
            waiting.closed |= flags.intersects(EpollFlags::EPOLLRDHUP | bad);
            waiting.drained &= !readable;
            for (dir, now) in [(Dir::Read, readable), (Dir::Write, writable)] {
                let waiter = waiting.waiters[dir as usize].take_if(|_| now);
                woken.extend(waiter.map(|(task, w)| (task, fd, dir, w)));
            }
        }
        self.trace.note(Event::Wait { ready });
        for (task, fd, dir, w) in woken {
            self.trace.note(Event::Wake { task, fd, dir });
            w.wake();
        }
        Ok(())
    }
}
