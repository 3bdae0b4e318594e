//! The two faces of 粘包 on a real TCP connection: *merge* (several small
//! sends come out of one `recv`) and *split* (one large send needs several
//! `recv`s, and its tail shows up where the next reply should start).
//!
//! Both come from one fact: TCP is a byte stream (流式协议). The kernel
//! keeps the *bytes* in order, but not the sizes of the `send()` calls that
//! produced them. A `recv(1024)` returns whatever is queued, up to 1024
//! bytes, regardless of where one message ended and the next began.
//!
//! To make the phenomenon reliable instead of lucky, the reader waits until
//! the kernel reports (`FIONREAD`) that everything sent is queued, and only
//! then reads — exactly what happens in real life when a server is a little
//! slower than its client.

use crate::kernel;
use demo_kit::{Context, Result};
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::time::Duration;

/// How long we wait for bytes to reach the peer's receive buffer.
const ARRIVAL_TIMEOUT: Duration = Duration::from_secs(5);

/// A connected client and server socket pair on loopback.
pub struct Connection {
    pub client: TcpStream,
    pub server: TcpStream,
}

/// Listens on `127.0.0.1:0` (any free port), connects, accepts.
pub fn connect_pair() -> Result<Connection> {
    let listener = TcpListener::bind("127.0.0.1:0").context("binding a listener on 127.0.0.1:0")?;
    let addr = listener
        .local_addr()
        .context("reading the listener's address")?;
    let client = TcpStream::connect(addr).with_context(|| format!("connecting to {addr}"))?;
    let (server, _) = listener.accept().context("accepting the connection")?;
    for s in [&client, &server] {
        s.set_read_timeout(Some(ARRIVAL_TIMEOUT))
            .context("setting a read timeout")?;
    }
    Ok(Connection { client, server })
}

/// Waits (bounded) until `socket` has `want` bytes queued; returns the count.
pub fn wait_until_queued(socket: &TcpStream, want: usize) -> Result<usize> {
    let got = kernel::wait_queued(socket, want, ARRIVAL_TIMEOUT)
        .context("asking the kernel how many bytes are queued (FIONREAD)")?;
    got.with_context(|| {
        format!("not all {want} bytes reached the receive buffer within {ARRIVAL_TIMEOUT:?}")
    })
}

/// What the merge scenario observed.
#[derive(Debug)]
pub struct MergeReport {
    /// The messages, each sent with its own `write()` system call.
    pub sent: Vec<Vec<u8>>,
    /// Was `TCP_NODELAY` on, as read back from the kernel?
    pub nodelay: bool,
    /// Data segments the client's kernel sent for them (`TCP_INFO`), if known.
    pub data_segments: Option<u32>,
    /// Bytes queued at the server before it read (`FIONREAD`).
    pub queued: usize,
    /// What the server's single `read(1024)` returned.
    pub first_read: Vec<u8>,
}

/// Sends `messages` with one `write()` each, then reads once at the server.
pub fn merge(messages: &[&[u8]], nodelay: bool) -> Result<MergeReport> {
    let conn = connect_pair()?;
    conn.client
        .set_nodelay(nodelay)
        .context("setting TCP_NODELAY")?;
    let nodelay_readback = kernel::nodelay(&conn.client).context("reading TCP_NODELAY back")?;
    let segments_before = kernel::data_segments_out(&conn.client);

    let mut client = &conn.client;
    for msg in messages {
        // One write() per message: the "separate sends" of the course.
        let n = client.write(msg).context("client write")?;
        if n != msg.len() {
            return demo_kit::bail_msg(format!("short write: {n} of {} bytes", msg.len()));
        }
    }

    let total: usize = messages.iter().map(|m| m.len()).sum();
    let queued = wait_until_queued(&conn.server, total)?;
    let segments = match (segments_before, kernel::data_segments_out(&conn.client)) {
        (Some(a), Some(b)) => Some(b - a),
        _ => None,
    };

    // The course's `conn.recv(1024)`.
    let mut buf = [0u8; 1024];
    let n = (&conn.server).read(&mut buf).context("server read")?;
    Ok(MergeReport {
        sent: messages.iter().map(|m| m.to_vec()).collect(),
        nodelay: nodelay_readback,
        data_segments: segments,
        queued,
        first_read: buf[..n].to_vec(),
    })
}

/// What the split scenario observed.
#[derive(Debug)]
pub struct SplitReport {
    /// The receive buffer size the client uses, like the course's `recv(1024)`.
    pub buffer: usize,
    /// The replies the server sent, each with one `write_all`.
    pub replies: Vec<Vec<u8>>,
    /// Each `read()` the client made, in order, until all bytes were read.
    pub reads: Vec<Vec<u8>>,
}

/// The server sends a long reply then a short one; the client reads with a
/// fixed-size buffer, like the course's client reading command output.
pub fn split(long_reply: &[u8], short_reply: &[u8], buffer: usize) -> Result<SplitReport> {
    let conn = connect_pair()?;
    let mut server = &conn.server;
    server
        .write_all(long_reply)
        .context("server sending the long reply")?;
    server
        .write_all(short_reply)
        .context("server sending the short reply")?;

    let total = long_reply.len() + short_reply.len();
    wait_until_queued(&conn.client, total)?;

    let mut reads = Vec::new();
    let mut got = 0;
    let mut buf = vec![0u8; buffer.max(1)];
    while got < total {
        let n = (&conn.client).read(&mut buf).context("client read")?;
        if n == 0 {
            return demo_kit::bail_msg("the server closed the connection early");
        }
        got += n;
        reads.push(buf[..n].to_vec());
    }
    Ok(SplitReport {
        buffer,
        replies: vec![long_reply.to_vec(), short_reply.to_vec()],
        reads,
    })
}

/// Marks where the original messages start inside `bytes` (which holds
/// `sent` back to back from `offset` on), e.g. `hello|world|!`.
///
/// ```
/// let sent = vec![b"ab".to_vec(), b"cd".to_vec()];
/// assert_eq!(sticky_demo::tcp::show_boundaries(b"abcd", &sent, 0), "ab|cd");
/// assert_eq!(sticky_demo::tcp::show_boundaries(b"bcd", &sent, 1), "b|cd");
/// ```
pub fn show_boundaries(bytes: &[u8], sent: &[Vec<u8>], offset: usize) -> String {
    let mut cuts = Vec::new();
    let mut pos = 0;
    for m in sent {
        pos += m.len();
        if pos > offset && pos < offset + bytes.len() {
            cuts.push(pos - offset);
        }
    }
    let mut out = String::new();
    for (i, &b) in bytes.iter().enumerate() {
        if cuts.contains(&i) {
            out.push('|');
        }
        out.push_str(&String::from_utf8_lossy(&[b]));
    }
    out
}
