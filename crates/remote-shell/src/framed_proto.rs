//! The framed protocol: what the course's protocol should have been.
//!
//! Every message in *both* directions is a frame: a 4-byte big-endian
//! ("network order", `struct.pack('!I', n)`) length, then `n` bytes whose
//! first byte says what the frame is:
//!
//! ```text
//! client → server   'h' token     hello; always the first frame (token may be empty)
//!                   'c' command   run `sh -c command`
//! server → client   'k' banner    hello accepted
//!                   'o' bytes     a chunk of the command's stdout, as soon as it is read
//!                   'e' bytes     a chunk of its stderr
//!                   'x' JSON      the end: {"code":0,"signal":null,"timed_out":false,...}
//!                   '!' text      an error; after a bad hello or a bad frame, the server closes
//! ```
//!
//! Because output is sent as it is produced, nothing needs a total size up
//! front: memory stays at one 256 KiB chunk (`exec::CHUNK`) whatever the
//! output's size, and `ping` output shows line by line. Stdout and stderr stay apart, and the
//! exit status finally reaches the client.

use crate::exec::{self, Ending, OutputSink, Stream, CHUNK};
use crate::security::{token_matches, MAX_COMMAND};
use crate::session::Session;
use demo_kit::{tr, Error, Result};
use framing::{write_all_vectored, Codec, FrameError};
use serde_json::json;
use std::io::{self, IoSlice, Write};
use std::net::TcpStream;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd};
use std::time::Duration;

pub const HELLO: u8 = b'h';
pub const COMMAND: u8 = b'c';
pub const HELLO_OK: u8 = b'k';
pub const STDOUT: u8 = b'o';
pub const STDERR: u8 = b'e';
pub const EXIT: u8 = b'x';
pub const ERROR: u8 = b'!';

/// How long a new connection may take to say hello, unless configured.
pub const HELLO_TIMEOUT: Duration = Duration::from_secs(10);

/// Frames a server accepts: a tag byte and at most `MAX_COMMAND` bytes.
pub fn server_codec() -> Codec {
    Codec::network().with_max_frame(1 + MAX_COMMAND)
}

/// Frames a client accepts: a tag byte and at most one chunk.
pub fn client_codec() -> Codec {
    Codec::network().with_max_frame(1 + CHUNK.max(MAX_COMMAND))
}

/// Write one tagged frame with a single `writev`: prefix, tag, payload.
pub fn send(w: &mut (impl Write + ?Sized), tag: u8, payload: &[u8]) -> io::Result<()> {
    let prefix = Codec::network()
        .encode_prefix(1 + payload.len())
        .map_err(io::Error::other)?;
    write_all_vectored(
        w,
        &mut [
            IoSlice::new(&prefix),
            IoSlice::new(&[tag]),
            IoSlice::new(payload),
        ],
    )
}

/// Streams the command's output to the client as tagged frames.
struct FramedSink<'a>(&'a TcpStream);

impl OutputSink for FramedSink<'_> {
    fn output(&mut self, stream: Stream, bytes: &[u8]) -> io::Result<()> {
        let tag = match stream {
            Stream::Stdout => STDOUT,
            Stream::Stderr => STDERR,
        };
        send(&mut self.0, tag, bytes)
    }

    /// Move what waits in the pipe straight into the socket, as one frame:
    /// its prefix and tag first, then the bytes with `splice(2)`, which
    /// hands the pipe's pages to the socket without copying them into our
    /// memory and out again. The prefix must give the length before the
    /// bytes go, so we ask the pipe how much it holds (`FIONREAD`): only we
    /// read from it, so that much is there to move.
    fn splice_from(&mut self, stream: Stream, pipe: BorrowedFd) -> Option<io::Result<usize>> {
        let mut held: nix::libc::c_int = 0;
        // SAFETY: FIONREAD writes one int into `held`.
        let asked = unsafe { nix::libc::ioctl(pipe.as_raw_fd(), nix::libc::FIONREAD, &mut held) };
        if asked < 0 || held <= 0 {
            return None; // nothing there (end of file?): a plain read will tell
        }
        let n = (held as usize).min(CHUNK);
        let tag = match stream {
            Stream::Stdout => STDOUT,
            Stream::Stderr => STDERR,
        };
        Some(splice_frame(self.0, tag, pipe, n).map(|()| n))
    }
}

/// One frame of the `n` bytes waiting in `pipe`. The prefix and tag go
/// with `MSG_MORE` ("more is coming: do not send a packet yet"), so they
/// share a segment with the bytes. A failure half-way leaves a broken
/// frame; the caller then kills the command and closes the connection.
/// (`EAGAIN` from either call means the write timeout passed.)
fn splice_frame(socket: &TcpStream, tag: u8, pipe: BorrowedFd, n: usize) -> io::Result<()> {
    use nix::libc::{send, splice, MSG_MORE, SPLICE_F_MORE, SPLICE_F_MOVE};
    let prefix = Codec::network()
        .encode_prefix(1 + n)
        .map_err(io::Error::other)?;
    let head = [prefix[0], prefix[1], prefix[2], prefix[3], tag];
    let (sock, pipe) = (socket.as_raw_fd(), pipe.as_raw_fd());
    let mut sent = 0;
    while sent < head.len() {
        let rest = &head[sent..];
        // SAFETY: `rest` is valid for `rest.len()` bytes during the call.
        sent += retrying(|| unsafe { send(sock, rest.as_ptr().cast(), rest.len(), MSG_MORE) })?;
    }
    let mut left = n;
    while left > 0 {
        let null = std::ptr::null_mut();
        let flags = SPLICE_F_MOVE | SPLICE_F_MORE;
        // SAFETY: both descriptors stay open during the call; null offsets
        // because pipes and sockets have no file position.
        match retrying(|| unsafe { splice(pipe, null, sock, null, left, flags) })? {
            0 => {
                let why = "the pipe ended inside a frame";
                return Err(io::Error::new(io::ErrorKind::UnexpectedEof, why));
            }
            moved => left -= moved,
        }
    }
    Ok(())
}

/// A system call that returns a byte count, made again after `EINTR`.
fn retrying(mut call: impl FnMut() -> isize) -> io::Result<usize> {
    loop {
        let r = call();
        if r >= 0 {
            return Ok(r as usize);
        }
        let e = io::Error::last_os_error();
        if e.kind() != io::ErrorKind::Interrupted {
            return Err(e);
        }
    }
}

/// Serve one client in the framed protocol until it hangs up.
pub fn serve(stream: &mut TcpStream, session: &Session) {
    if let Err(e) = hello(stream, session) {
        session.log(tr!("{e}; closing", "“{e}”（已告知客户端）；关闭连接"));
        let _ = send(stream, ERROR, e.to_string().as_bytes());
        return;
    }
    let codec = server_codec();
    let mut frame = Vec::new();
    loop {
        match codec.read_frame_into(stream, &mut frame) {
            Ok(true) => {}
            Ok(false) => {
                return session.log(tr!(
                    "hung up (end of stream)",
                    "客户端挂断了（读到流的末尾）"
                ))
            }
            Err(FrameError::Io(e)) if crate::is_timeout(&e) => {
                let why = format!("idle for {:?} (no command)", session.idle_timeout);
                return refuse(stream, session, &why);
            }
            Err(e) => return refuse(stream, session, &bad_frame(&e)),
        }
        match frame.split_first() {
            Some((&COMMAND, [])) => {
                if send(stream, ERROR, b"empty command").is_err() {
                    return;
                }
            }
            Some((&COMMAND, command)) => {
                session.log(tr!(
                    "runs {}",
                    "执行 {}",
                    demo_kit::say::show_bytes(command)
                ));
                if !run_and_reply(stream, session, command) {
                    return;
                }
            }
            Some((tag, _)) => {
                return refuse(stream, session, &format!("unknown frame type {tag:#04x}"))
            }
            None => return refuse(stream, session, "empty frame (no type byte)"),
        }
    }
}

fn bad_frame(e: &FrameError) -> String {
    format!("bad frame: {e}")
}

/// Log, tell the client why, and close.
fn refuse(stream: &mut TcpStream, session: &Session, why: &str) {
    session.log(tr!("{why}; closing", "“{why}”（已告知客户端）；关闭连接"));
    let _ = send(stream, ERROR, why.as_bytes());
}

/// The first frame must be a hello with the right token (if the server
/// has one). A silent client is dropped after the hello timeout (or the
/// idle timeout, if shorter); after the hello, waiting for each command is
/// bounded by the idle timeout.
fn hello(stream: &mut TcpStream, session: &Session) -> Result<()> {
    let patience = session.hello_timeout.min(session.idle_timeout);
    stream.set_read_timeout(Some(patience))?;
    let frame = match server_codec().read_frame(stream) {
        Ok(Some(f)) => f,
        Ok(None) => return Err(Error::msg("hung up before saying hello")),
        Err(FrameError::Io(e)) if crate::is_timeout(&e) => {
            return Err(Error::msg(format!("no hello within {patience:?}")))
        }
        Err(e) => return Err(Error::msg(bad_frame(&e))),
    };
    let Some((&HELLO, token)) = frame.split_first() else {
        return Err(Error::msg(
            "the first frame must be a hello ('h' + token): not a remote-shell client?",
        ));
    };
    if let Some(expected) = session.token {
        if !token_matches(expected, token) {
            return Err(Error::msg("wrong or missing token"));
        }
    }
    stream.set_read_timeout(Some(session.idle_timeout))?;
    send(stream, HELLO_OK, b"remote-shell/1")?;
    session.log(tr!("said hello", "发来了 hello"));
    Ok(())
}

/// Run one command, stream its output, send its exit. `false` = close.
fn run_and_reply(stream: &mut TcpStream, session: &Session, command: &[u8]) -> bool {
    let outcome = {
        let peer = stream.as_fd();
        let mut sink = FramedSink(stream);
        exec::run_kept(
            &mut session.keeper.borrow_mut(),
            command,
            &session.limits(Some(peer)),
            &mut sink,
        )
    };
    let outcome = match outcome {
        Ok(o) => o,
        Err(e) => {
            session.log(tr!("could not start the command: {e}", "无法启动命令：{e}"));
            return send(stream, ERROR, format!("cannot run: {e}").as_bytes()).is_ok();
        }
    };
    session.log(crate::describe(&outcome));
    let (code, signal) = match &outcome.ending {
        Ending::PeerGone | Ending::Stopped => return false,
        Ending::SinkFailed(kind, why) => {
            session.log(tr!(
                "{}; closing",
                "{}；关闭连接",
                crate::write_failure(&io::Error::new(*kind, why.clone()))
            ));
            return false;
        }
        Ending::TimedOut => (None, Some(9)),
        Ending::Exited(c) => (Some(*c), None),
        Ending::Signaled(s) => (None, Some(*s)),
    };
    let exit = json!({
        "code": code,
        "signal": signal,
        "timed_out": outcome.ending == Ending::TimedOut,
        "pid": outcome.pid,
        "stdout_bytes": outcome.stdout_bytes,
        "stderr_bytes": outcome.stderr_bytes,
    });
    send(stream, EXIT, exit.to_string().as_bytes()).is_ok()
}
