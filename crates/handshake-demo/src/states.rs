//! The life of one TCP connection, state by state (三次握手 / 四次挥手).
//!
//! A listener and a client live in this one process, on loopback. After each
//! step we ask the kernel for the state of *both* ends — from the socket's
//! own fd (`TCP_INFO`) and from `/proc/net/tcp{,6}` — so the states printed
//! are the kernel's, not a picture. [`Lab`] holds the sockets and offers one
//! method per step; [`crate::tour`] narrates them in order.

use crate::kernel::{self, TcpInfo, TcpState};
use crate::procnet;
use demo_kit::{tr, Context, Result};
use nix::errno::Errno;
use nix::poll::{poll, PollFd, PollFlags, PollTimeout};
use std::io::{ErrorKind, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::os::fd::AsFd;
use std::time::{Duration, Instant};

/// How long we wait for a state change that should take microseconds on
/// loopback; generous for a loaded CI machine.
pub const SETTLE: Duration = Duration::from_secs(5);

/// What the kernel says about both ends of the connection at one moment.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Ends {
    /// `TCP_INFO` on the client's fd.
    pub client_fd: Option<TcpState>,
    /// `TCP_INFO` on the server's (accepted) fd; `None` before `accept()`
    /// or after `close()`.
    pub server_fd: Option<TcpState>,
    /// `/proc/net/tcp{,6}` line whose local end is the client.
    pub client_proc: Option<TcpState>,
    /// `/proc/net/tcp{,6}` line whose local end is the server's side of
    /// this connection (`None`: the kernel lists no such socket).
    pub server_proc: Option<TcpState>,
}

/// Shows a `/proc` state, or says that there is no line for it.
pub fn show(s: Option<TcpState>) -> String {
    s.map_or_else(
        || tr!("(no such socket)", "（没有这个套接字）"),
        |s| s.name(),
    )
}

/// A listener, a client and (after `accept`) the server's connected socket.
pub struct Lab {
    pub listener: TcpListener,
    pub client: Option<TcpStream>,
    pub server: Option<TcpStream>,
    pub server_addr: SocketAddr,
    pub client_addr: Option<SocketAddr>,
    /// How long the blocking `connect()` call took: the whole handshake.
    pub connect_took: Option<Duration>,
}

impl From<demo_kit::net::LoopbackPair> for Lab {
    /// A lab whose connection is already made and accepted, for the steps
    /// that start from an ESTABLISHED connection.
    fn from(p: demo_kit::net::LoopbackPair) -> Lab {
        Lab {
            listener: p.listener,
            client: Some(p.client),
            server: Some(p.server),
            server_addr: p.server_addr,
            client_addr: Some(p.client_addr),
            connect_took: None,
        }
    }
}

impl Lab {
    /// Step 1: `socket` + `bind` + `listen` on loopback, port 0 (the kernel
    /// picks a free port, so many runs can happen at once).
    pub fn listen(ipv6: bool) -> Result<Lab> {
        let addr = if ipv6 { "[::1]:0" } else { "127.0.0.1:0" };
        let listener = TcpListener::bind(addr).with_context(|| {
            tr!(
                "listening on {addr} (for --ipv6 the machine needs IPv6 loopback)",
                "在 {addr} 上监听（用 --ipv6 时，本机要有 IPv6 回环地址）"
            )
        })?;
        let server_addr = listener
            .local_addr()
            .context("reading the listener's port")?;
        Ok(Lab {
            listener,
            client: None,
            server: None,
            server_addr,
            client_addr: None,
            connect_took: None,
        })
    }

    /// `TCP_INFO` of the listener: LISTEN, accept-queue length and backlog.
    pub fn listener_info(&self) -> Result<TcpInfo> {
        kernel::tcp_info(&self.listener)
    }

    /// Step 2: the client connects. `connect()` returns when the kernel has
    /// finished the three-way handshake; the server has not called `accept()`.
    pub fn connect(&mut self) -> Result<()> {
        let started = std::time::Instant::now();
        let c = TcpStream::connect_timeout(&self.server_addr, SETTLE)
            .with_context(|| format!("client connecting to {}", self.server_addr))?;
        self.connect_took = Some(started.elapsed());
        self.client_addr = Some(c.local_addr().context("reading the client's port")?);
        self.client = Some(c);
        Ok(())
    }

    /// `accept()` only takes a finished connection off the accept queue.
    /// The client's `connect()` has returned before this is called, so the
    /// connection is queued already and `poll` says so at once; its deadline
    /// turns a client that never came into an error, not a wait for ever.
    pub fn accept(&mut self) -> Result<()> {
        self.accept_within(SETTLE)
    }

    /// [`Lab::accept`] with a deadline of your choice.
    pub fn accept_within(&mut self, limit: Duration) -> Result<()> {
        let deadline = Instant::now() + limit;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let timeout = PollTimeout::try_from(left).unwrap_or(PollTimeout::MAX);
            let mut fds = [PollFd::new(self.listener.as_fd(), PollFlags::POLLIN)];
            match poll(&mut fds, timeout) {
                Ok(0) => {
                    return Err(demo_kit::Error::msg(format!(
                        "server accept(): no connection was queued within {limit:?} (did the client connect?)"
                    )))
                }
                Ok(_) => break,
                Err(Errno::EINTR) => continue,
                Err(e) => return Err(e).context("server poll() on the listener"),
            }
        }
        let (s, _) = self.listener.accept().context("server accept()")?;
        self.server = Some(s);
        Ok(())
    }

    pub fn client(&self) -> Result<&TcpStream> {
        self.client
            .as_ref()
            .context("no client socket (connect first)")
    }

    pub fn server(&self) -> Result<&TcpStream> {
        self.server
            .as_ref()
            .context("no server socket (accept first)")
    }

    /// Reads both ends' states from the kernel, both ways.
    pub fn ends(&self) -> Result<Ends> {
        let mut e = Ends::default();
        if let Some(c) = &self.client {
            e.client_fd = Some(kernel::state_of(c)?);
        }
        if let Some(s) = &self.server {
            e.server_fd = Some(kernel::state_of(s)?);
        }
        if let Some(ca) = self.client_addr {
            e.client_proc = procnet::proc_state(ca, self.server_addr)?;
            e.server_proc = procnet::proc_state(self.server_addr, ca)?;
        }
        Ok(e)
    }

    /// Polls [`Lab::ends`] until `done` holds (bounded by [`SETTLE`]) and
    /// returns the last observation either way, with whether `done` held:
    /// the caller prints what was seen, even if it is not what the lesson
    /// expected, and says so.
    pub fn settle(&self, done: impl Fn(&Ends) -> bool) -> Result<(Ends, bool)> {
        let mut last = self.ends()?;
        let mut err = None;
        let reached = demo_kit::wait::until(SETTLE, || match self.ends() {
            Ok(e) => {
                last = e;
                done(&e).then_some(true)
            }
            Err(e) => {
                err = Some(e);
                Some(false)
            }
        });
        match err {
            Some(e) => Err(e),
            None => Ok((last, reached.is_some())),
        }
    }

    /// `shutdown(SHUT_WR)`: "I will send no more" — the kernel sends a FIN.
    pub fn client_shutdown_write(&self) -> Result<()> {
        self.client()?
            .shutdown(Shutdown::Write)
            .context("client shutdown(Write)")
    }

    /// Reads until `read` returns 0 (end of file = the peer's FIN) and
    /// returns how many bytes came before it.
    pub fn read_to_eof(stream: &TcpStream) -> Result<usize> {
        stream.set_nonblocking(false).context("set_nonblocking")?;
        stream
            .set_read_timeout(Some(SETTLE))
            .context("setting a read timeout")?;
        let mut total = 0;
        let mut buf = vec![0u8; 64 * 1024];
        loop {
            match (&*stream).read(&mut buf) {
                Ok(0) => return Ok(total),
                Ok(n) => total += n,
                Err(e) if e.kind() == ErrorKind::Interrupted => continue,
                Err(e) => return Err(e).context("reading until EOF"),
            }
        }
    }

    /// Fills the peer's receive window: shrinks the reader's receive buffer
    /// (so it cannot grow on its own), then writes without blocking until
    /// the kernel refuses more (`EWOULDBLOCK`). Returns the bytes queued.
    /// Anything sent after this — including a FIN — waits behind that data.
    pub fn fill_window(writer: &TcpStream, reader: &TcpStream) -> Result<usize> {
        nix::sys::socket::setsockopt(reader, nix::sys::socket::sockopt::RcvBuf, &65536)
            .context("setsockopt(SO_RCVBUF) on the reader")?;
        writer.set_nonblocking(true).context("set_nonblocking")?;
        let chunk = vec![b'x'; 64 * 1024];
        let mut total = 0;
        loop {
            match (&*writer).write(&chunk) {
                Ok(n) => total += n,
                Err(e) if e.kind() == ErrorKind::WouldBlock => break,
                // (No EINTR: a signal interrupts a call that is blocked,
                // signal(7) "Interruption of system calls", and a
                // non-blocking write never blocks: it says EAGAIN instead.)
                Err(e) => return Err(e).context("filling the window"),
            }
        }
        writer.set_nonblocking(false).context("set_nonblocking")?;
        Ok(total)
    }

    /// Bytes sitting in a socket's send queue according to `/proc`.
    pub fn tx_queue(&self, local: SocketAddr, remote: SocketAddr) -> Result<u64> {
        Ok(procnet::proc_entry(local, remote)?.map_or(0, |e| e.tx_queue))
    }
}
