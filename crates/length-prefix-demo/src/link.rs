//! One real TCP connection inside one process: the server's socket here,
//! the client's end driven by a thread, both on loopback with a port the
//! kernel picks (`demo_kit::net::loopback_pair`), so demos and tests never
//! collide.
//!
//! Every wait is bounded: each read on the server's socket gives up after
//! [`TIMEOUT`], and so does each write of the client. A stuck demo fails
//! with a message instead of hanging.

use demo_kit::{tr, Context, Error, Result};
use std::io::{self, Read};
use std::net::{Shutdown, TcpStream};
use std::thread::JoinHandle;
use std::time::Duration;

/// How long any single step may wait before the demo gives up.
pub const TIMEOUT: Duration = Duration::from_secs(10);

/// A connected server-side socket and the client thread talking to it.
pub struct Link<T> {
    /// The server's end of the connection (what `accept()` returned).
    pub server: TcpStream,
    client: JoinHandle<Result<T>>,
}

/// Connects a client to a fresh loopback listener, accepts it, and runs
/// `client` in a thread with the client's socket.
///
/// When `client` returns, the thread shuts its socket down for writing
/// (our FIN), so the server then sees a clean end of stream after the
/// last byte the client wrote.
pub fn start<T: Send + 'static>(
    client: impl FnOnce(&mut TcpStream) -> Result<T> + Send + 'static,
) -> Result<Link<T>> {
    let pair = demo_kit::net::loopback_pair(false)?;
    let mut stream = pair.client;
    stream
        .set_write_timeout(Some(TIMEOUT))
        .context(tr!("client: setting a write timeout", "客户端：设置写超时"))?;
    pair.server
        .set_read_timeout(Some(TIMEOUT))
        .context(tr!("server: setting a read timeout", "服务端：设置读超时"))?;
    let handle = std::thread::Builder::new()
        .name("client".into())
        .spawn(move || {
            let out = client(&mut stream)?;
            stream
                .shutdown(Shutdown::Write)
                .context(tr!("client: closing the connection", "客户端：关闭连接"))?;
            Ok(out)
        })
        .context(tr!("starting the client thread", "启动客户端线程"))?;
    Ok(Link {
        server: pair.server,
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
            .map_err(|_| Error::msg(tr!("the client thread panicked", "客户端线程 panic 了")))??;
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
}

impl<R: Read> Read for Recorder<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.bytes.extend_from_slice(&buf[..n]);
        self.reads.push(n);
        Ok(n)
    }
}
