//! One real TCP connection inside one process: a server socket here, a
//! client in a thread, both on `127.0.0.1` with a port the kernel picks
//! (port 0), so demos and tests never collide.
//!
//! Every wait is bounded: the server waits at most [`TIMEOUT`] for the
//! client to connect and for each read; the client at most as long for
//! each write. A stuck demo fails with a message instead of hanging.

use demo_kit::{Context, Error, Result};
use std::io::{self, Read};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::thread::JoinHandle;
use std::time::Duration;

/// How long any single step may wait before the demo gives up.
pub const TIMEOUT: Duration = Duration::from_secs(10);

/// A connected server-side socket and the client thread talking to it.
pub struct Link<T> {
    /// The server's end of the connection (what `accept()` returned).
    pub server: TcpStream,
    /// The address the server listened on.
    pub addr: SocketAddr,
    client: JoinHandle<Result<T>>,
}

/// Listens on `127.0.0.1:0`, starts `client` in a thread with a socket
/// connected to it, and accepts the connection.
///
/// When `client` returns, its socket is closed, so the server then sees a
/// clean end of stream after the last byte the client wrote.
pub fn start<T: Send + 'static>(
    client: impl FnOnce(&mut TcpStream) -> Result<T> + Send + 'static,
) -> Result<Link<T>> {
    let listener = TcpListener::bind("127.0.0.1:0")
        .map_err(|e| demo_kit::fail::bind_error("127.0.0.1:0", &e))?;
    let addr = listener
        .local_addr()
        .context("asking the kernel which port it chose")?;
    let handle = std::thread::Builder::new()
        .name("client".into())
        .spawn(move || {
            let mut stream = TcpStream::connect_timeout(&addr, TIMEOUT)
                .with_context(|| format!("client: connecting to {addr}"))?;
            stream
                .set_write_timeout(Some(TIMEOUT))
                .context("client: setting a write timeout")?;
            let out = client(&mut stream)?;
            // Send our FIN now, so the server's last read sees a clean end.
            stream
                .shutdown(Shutdown::Write)
                .context("client: closing the connection")?;
            Ok(out)
        })
        .context("starting the client thread")?;

    // accept() has no timeout of its own: poll a non-blocking listener.
    listener
        .set_nonblocking(true)
        .context("making the listener non-blocking")?;
    let mut accept_err = None;
    let accepted = demo_kit::wait::until(TIMEOUT, || match listener.accept() {
        Ok((s, _)) => Some(s),
        Err(e) if e.kind() == io::ErrorKind::WouldBlock => None,
        Err(e) => {
            accept_err = Some(e);
            None
        }
    });
    let server = match (accepted, accept_err) {
        (Some(s), _) => s,
        (None, Some(e)) => return Err(Error::from(e)).context("server: accept()"),
        (None, None) => {
            // The client never connected: its own error says why.
            return match handle.join() {
                Ok(Err(e)) => Err(e),
                _ => {
                    demo_kit::bail_msg(format!("no client connected to {addr} within {TIMEOUT:?}"))
                }
            };
        }
    };
    server
        .set_nonblocking(false)
        .context("server: making the connection blocking")?;
    server
        .set_read_timeout(Some(TIMEOUT))
        .context("server: setting a read timeout")?;
    Ok(Link {
        server,
        addr,
        client: handle,
    })
}

impl<T> Link<T> {
    /// Waits for the client thread to finish and returns what it reports
    /// (typically: exactly what it sent). The client's writes are bounded
    /// by their own timeout, so this join is bounded too.
    pub fn join_client(self) -> Result<(TcpStream, T)> {
        let out = self
            .client
            .join()
            .map_err(|_| Error::msg("the client thread panicked"))??;
        Ok((self.server, out))
    }
}

/// A reader that remembers every byte it hands out and the size of every
/// `read()` call — so the demo can show the prefix and header bytes the
/// framed reader *actually* consumed from the socket, and how many system
/// calls it took.
pub struct Recorder<R> {
    inner: R,
    bytes: Vec<u8>,
    reads: Vec<usize>,
}

impl<R: Read> Recorder<R> {
    pub fn new(inner: R) -> Recorder<R> {
        Recorder {
            inner,
            bytes: Vec::new(),
            reads: Vec::new(),
        }
    }

    /// Returns (and forgets) the bytes and read sizes recorded so far.
    pub fn drain(&mut self) -> (Vec<u8>, Vec<usize>) {
        (
            std::mem::take(&mut self.bytes),
            std::mem::take(&mut self.reads),
        )
    }

    /// The wrapped reader.
    pub fn get_ref(&self) -> &R {
        &self.inner
    }
}

impl<R: Read> Read for Recorder<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.bytes.extend_from_slice(&buf[..n]);
        self.reads.push(n);
        Ok(n)
    }
}
