//! Sockets for `async fn`: `accept`, `connect`, `read` and `write` that try
//! the system call, and on `EAGAIN` register the task with the reactor and
//! return `Pending`.
//!
//! Every socket here is non-blocking, so no call ever puts the thread to
//! sleep: the only place this thread sleeps is `epoll_wait`, in the
//! runtime, when no task can go on. gevent does the same for Python after
//! `monkey.patch_all()`: its socket's `recv` tries the call and, on
//! `EWOULDBLOCK`, waits on the hub's loop (gevent/_socketcommon.py).

use super::{with_current, Dir, Event};
use std::future::poll_fn;
use std::io::{self, ErrorKind, Read, Write};
use std::net::SocketAddr;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::task::{Context, Poll};

/// Task `current` waits until `fd` is ready for `dir`, because its call
/// `op` said `EAGAIN` (or would): the reactor keeps its waker; `Pending`.
fn wait_for<T>(fd: RawFd, dir: Dir, op: &'static str, cx: &Context<'_>) -> Poll<io::Result<T>> {
    let kept = with_current(|rt| {
        rt.register(fd, dir, cx.waker())?;
        let task = rt.current.get();
        rt.trace.note(Event::Register { task, fd, op, dir });
        Ok(())
    });
    match kept.unwrap_or_else(|| Err(io::Error::other("a socket awaited outside block_on"))) {
        Ok(()) => Poll::Pending,
        Err(e) => Poll::Ready(Err(e)),
    }
}

/// A call that went through: `op` on `fd` moved `n` bytes (the narration).
fn did(fd: RawFd, op: &'static str, n: usize) {
    with_current(|rt| {
        let task = rt.current.get();
        rt.trace.note(Event::Io { task, fd, op, n })
    });
}

/// Tries `call` until it is not `EINTR`; on `EAGAIN` keeps the task's waker
/// for `fd` (the reactor) and returns `Pending`.
fn attempt<T>(
    fd: RawFd,
    dir: Dir,
    op: &'static str,
    cx: &mut Context<'_>,
    mut call: impl FnMut() -> io::Result<T>,
) -> Poll<io::Result<T>> {
    loop {
        match call() {
            Err(e) if e.kind() == ErrorKind::Interrupted => continue,
            Err(e) if e.kind() == ErrorKind::WouldBlock => return wait_for(fd, dir, op, cx),
            other => return Poll::Ready(other),
        }
    }
}

/// A listening socket.
pub struct TcpListener {
    inner: std::net::TcpListener,
}

impl TcpListener {
    /// `bind` + `listen`, non-blocking.
    pub fn bind(addr: &str) -> io::Result<TcpListener> {
        TcpListener::from_std(std::net::TcpListener::bind(addr)?)
    }

    pub fn from_std(inner: std::net::TcpListener) -> io::Result<TcpListener> {
        inner.set_nonblocking(true)?;
        Ok(TcpListener { inner })
    }

    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.inner.local_addr()
    }

    /// The next connection; `Pending` while the accept queue is empty.
    pub async fn accept(&self) -> io::Result<(TcpStream, SocketAddr)> {
        let fd = self.inner.as_raw_fd();
        let (s, peer) =
            poll_fn(|cx| attempt(fd, Dir::Read, "accept", cx, || self.inner.accept())).await?;
        did(fd, "accept", s.as_raw_fd() as usize);
        Ok((TcpStream::from_std(s)?, peer))
    }
}

impl TcpListener {
    /// One `accept` without waiting: `WouldBlock` if nobody is queued.
    pub fn accept_now(&self) -> io::Result<TcpStream> {
        TcpStream::from_std(self.inner.accept()?.0)
    }

    /// Waits until a client is queued. Call it right after `accept_now`
    /// said `WouldBlock` (edge-triggered: the next arrival is an edge).
    pub async fn readable(&self) -> io::Result<()> {
        let fd = self.inner.as_raw_fd();
        let mut first = true;
        poll_fn(|cx| match std::mem::take(&mut first) {
            true => wait_for(fd, Dir::Read, "accept", cx),
            false => Poll::Ready(Ok(())),
        })
        .await
    }
}

impl AsRawFd for TcpListener {
    fn as_raw_fd(&self) -> RawFd {
        self.inner.as_raw_fd()
    }
}

impl Drop for TcpListener {
    fn drop(&mut self) {
        with_current(|rt| rt.forget(self.inner.as_raw_fd()));
    }
}

/// A connected socket.
pub struct TcpStream {
    inner: std::net::TcpStream,
}

impl TcpStream {
    pub fn from_std(inner: std::net::TcpStream) -> io::Result<TcpStream> {
        inner.set_nonblocking(true)?;
        Ok(TcpStream { inner })
    }

    /// A non-blocking `connect` (IPv4): `EINPROGRESS`, then wait until the
    /// socket is writable and read the outcome from `SO_ERROR` (connect(2)).
    pub async fn connect(addr: std::net::SocketAddrV4) -> io::Result<TcpStream> {
        use nix::sys::socket::{self, sockopt, AddressFamily, SockFlag, SockType, SockaddrIn};
        let flags = SockFlag::SOCK_NONBLOCK | SockFlag::SOCK_CLOEXEC;
        let sock: OwnedFd = socket::socket(AddressFamily::Inet, SockType::Stream, flags, None)?;
        let fd = sock.as_raw_fd();
        // SAFETY: `sock` is a fresh TCP socket that we own; from here `inner` owns it.
        let stream = TcpStream {
            inner: unsafe {
                std::net::TcpStream::from_raw_fd(std::os::fd::IntoRawFd::into_raw_fd(sock))
            },
        };
        match socket::connect(fd, &SockaddrIn::from(addr)) {
            Ok(()) => return Ok(stream),
            Err(nix::errno::Errno::EINPROGRESS) => {}
            Err(e) => return Err(e.into()),
        }
        let mut first = true;
        // The handshake is under way: wait for "writable".
        poll_fn(|cx| match std::mem::take(&mut first) {
            true => wait_for(fd, Dir::Write, "connect", cx),
            false => Poll::Ready(Ok(())),
        })
        .await?;
        match socket::getsockopt(&stream.inner, sockopt::SocketError)? {
            0 => Ok(stream),
            errno => Err(io::Error::from_raw_os_error(errno)),
        }
    }

    /// Up to `buf.len()` bytes; `Ok(0)` means the peer closed.
    /// After a read that emptied the buffer, the next one waits for the
    /// next readable edge without the system call that would say `EAGAIN`.
    pub async fn read(&self, buf: &mut [u8]) -> io::Result<usize> {
        let fd = self.inner.as_raw_fd();
        let n = poll_fn(|cx| {
            if with_current(|rt| rt.drained(fd)) == Some(true) {
                return wait_for(fd, Dir::Read, "read (buffer emptied)", cx);
            }
            attempt(fd, Dir::Read, "read", cx, || (&self.inner).read(buf))
        })
        .await?;
        if n > 0 && n < buf.len() {
            with_current(|rt| rt.mark_drained(fd));
        }
        did(fd, "read", n);
        Ok(n)
    }

    /// Exactly `buf.len()` bytes, or `UnexpectedEof` if the peer closes first.
    pub async fn read_exact(&self, buf: &mut [u8]) -> io::Result<()> {
        let mut got = 0;
        while got < buf.len() {
            match self.read(&mut buf[got..]).await? {
                0 => return Err(ErrorKind::UnexpectedEof.into()),
                n => got += n,
            }
        }
        Ok(())
    }

    /// Some of `buf`: as much as the send buffer takes now.
    pub async fn write(&self, buf: &[u8]) -> io::Result<usize> {
        let fd = self.inner.as_raw_fd();
        let n =
            poll_fn(|cx| attempt(fd, Dir::Write, "write", cx, || (&self.inner).write(buf))).await?;
        did(fd, "write", n);
        Ok(n)
    }

    /// All of `buf`, waiting for room in the send buffer as needed.
    pub async fn write_all(&self, mut buf: &[u8]) -> io::Result<()> {
        while !buf.is_empty() {
            match self.write(buf).await? {
                0 => return Err(ErrorKind::WriteZero.into()),
                n => buf = &buf[n..],
            }
        }
        Ok(())
    }

    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.inner.local_addr()
    }

    /// Sends FIN: the peer's `read` returns 0 once it has read the rest.
    pub fn shutdown_write(&self) -> io::Result<()> {
        self.inner.shutdown(std::net::Shutdown::Write)
    }
}

impl AsRawFd for TcpStream {
    fn as_raw_fd(&self) -> RawFd {
        self.inner.as_raw_fd()
    }
}

impl Drop for TcpStream {
    fn drop(&mut self) {
        with_current(|rt| rt.forget(self.inner.as_raw_fd()));
    }
}

#[cfg(test)]
mod tests;
