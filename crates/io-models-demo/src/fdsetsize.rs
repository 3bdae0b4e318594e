//! `select`'s hard limit: `FD_SETSIZE`, 1024 descriptors.
//!
//! `select` takes its sockets as bitmaps (`fd_set`) of a fixed size:
//! `FD_SETSIZE` = 1024 bits. Descriptor 1024 has no bit. In C, `FD_SET(1024,
//! &set)` is undefined behaviour: it writes past the end of the bitmap (a
//! classic memory corruption), or, built with `_FORTIFY_SOURCE`, glibc's
//! check aborts the program; nix's `FdSet::insert` panics. Either
//! way a server using `select` cannot serve a socket whose *number* is 1024
//! or more, however few sockets it watches. So we check the number
//! *before* the bitmap is touched ([`insert_checked`]) and refuse with a
//! clear message. `poll` and `epoll` take a list, not a bitmap: no such limit.

use crate::{loopback_pair, raise_nofile};
use demo_kit::{bail_msg, tr, Context, Result};
use nix::fcntl::{fcntl, FcntlArg};
use nix::poll::{poll, PollFd, PollFlags, PollTimeout};
use nix::sys::epoll::{Epoll, EpollCreateFlags, EpollEvent, EpollFlags};
use nix::sys::select::{FdSet, FD_SETSIZE};
use std::io::Write;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, FromRawFd, OwnedFd};

/// `FD_SET` with the check C leaves out: a descriptor of `FD_SETSIZE` or
/// above is refused with an error, before the bitmap is touched.
pub fn insert_checked<'fd>(set: &mut FdSet<'fd>, fd: BorrowedFd<'fd>) -> Result<()> {
    let raw = fd.as_raw_fd();
    if usize::try_from(raw).map_or(true, |n| n >= FD_SETSIZE) {
        return bail_msg(tr!(
            "select() cannot watch fd {raw}: its fd_set has room for fds 0..{FD_SETSIZE} only \
             (FD_SETSIZE); use poll() or epoll for this socket",
            "select() 不能监视 fd {raw}：它的 fd_set 只能放 fd 0..{FD_SETSIZE}（FD_SETSIZE）；\
             这个套接字请用 poll() 或 epoll"
        ));
    }
    set.insert(fd);
    Ok(())
}

/// What each call made of a readable socket numbered 1024 or above.
#[derive(Debug)]
pub struct FdSetSizeRun {
    /// The high descriptor we made (`fcntl(F_DUPFD, 1024)`).
    pub high_fd: i32,
    /// `select`'s refusal, as the error message.
    pub select_refused: Option<String>,
    /// Did `poll` report it readable?
    pub poll_readable: bool,
    /// Did `epoll_wait` report it readable?
    pub epoll_readable: bool,
}

/// Duplicates a readable socket to a descriptor >= 1024 and offers it to
/// `select`, `poll` and `epoll`.
pub fn run() -> Result<FdSetSizeRun> {
    let (soft, _) = raise_nofile()?;
    if soft <= FD_SETSIZE as u64 {
        return bail_msg(tr!(
            "the open-files limit is {soft} (ulimit -Hn), so no descriptor can reach \
             {FD_SETSIZE}: raise the hard limit to show select's limit",
            "打开文件数上限是 {soft}（ulimit -Hn），所以没有描述符能到 {FD_SETSIZE}：\
             要展示 select 的上限，请先提高硬上限"
        ));
    }
    let (mut client, server) = loopback_pair()?;
    client
        .write_all(b"x")
        .context("making the socket readable")?;
    // F_DUPFD returns the lowest free descriptor >= 1024.
    let raw = fcntl(&server, FcntlArg::F_DUPFD_CLOEXEC(FD_SETSIZE as i32))
        .context("fcntl(F_DUPFD_CLOEXEC, 1024)")?;
    // SAFETY: `raw` is a fresh descriptor that nothing else owns.
    let high = unsafe { OwnedFd::from_raw_fd(raw) };

    let mut set = FdSet::new();
    let select_refused = insert_checked(&mut set, high.as_fd())
        .err()
        .map(|e| e.to_string());

    let mut fds = [PollFd::new(high.as_fd(), PollFlags::POLLIN)];
    let n = poll(&mut fds, PollTimeout::from(1000u16)).context("poll")?;
    let poll_readable = n == 1
        && fds[0]
            .revents()
            .is_some_and(|r| r.contains(PollFlags::POLLIN));

    let epoll = Epoll::new(EpollCreateFlags::EPOLL_CLOEXEC).context("epoll_create1")?;
    epoll
        .add(&high, EpollEvent::new(EpollFlags::EPOLLIN, raw as u64))
        .context("epoll_ctl(EPOLL_CTL_ADD)")?;
    let mut events = [EpollEvent::empty(); 4];
    let n = epoll.wait(&mut events, 1000u16).context("epoll_wait")?;
    let epoll_readable = n == 1 && events[0].data() == raw as u64;
    Ok(FdSetSizeRun {
        high_fd: raw,
        select_refused,
        poll_readable,
        epoll_readable,
    })
}
