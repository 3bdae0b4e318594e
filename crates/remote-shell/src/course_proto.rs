//! The course's protocol (模拟ssh远程执行命令), byte for byte.
//!
//! ```text
//! client → server   the command's UTF-8 bytes, unframed (one send, one recv(1024))
//! server → client   4 bytes   struct.pack('i', len(header)): i32, little-endian
//!                   N bytes   JSON header {"file": ..., "total_size": T, "hashlib": ...}
//!                   T bytes   the command's stderr, then its stdout
//! ```
//!
//! The command direction has no frame at all: the server takes whatever
//! one `recv` returns as "the command". That is the course's own sticky
//! packet bug, and we keep it here only to stay compatible (the framed
//! protocol fixes it). The reply needs the total size *first*, so the server
//! must wait for the command to finish; we spool large output to a
//! temporary file instead of RAM (see [`crate::spool`]).
//!
//! We send the course's keys plus a few honest extras that its Python
//! client simply ignores: `stdout_size`, `stderr_size`, `exit_code`,
//! `signal` and `timed_out`. The course's `hashlib` is a made-up constant;
//! we send `null` rather than pretend.

use crate::exec::{self, Ending, OutputSink, Stream, CHUNK};
use crate::security::{MAX_COMMAND, MAX_COURSE_OUTPUT, MAX_HEADER};
use crate::session::Session;
use crate::spool::Spool;
use demo_kit::say::show_bytes;
use demo_kit::tr;
use framing::{total_size, write_all_vectored, Codec, FrameError, Header, Part};
use serde_json::{json, Value};
use std::io::{self, IoSlice, Read, Write};
use std::net::TcpStream;
use std::os::fd::AsFd;

/// The course's header prefix: `struct.pack('i', n)` on x86-64.
pub fn codec() -> Codec {
    Codec::course().with_max_header(MAX_HEADER)
}

/// Collects a command's output the way the course's reply orders it, up
/// to `limit` bytes of stdout and stderr together (MAX_COURSE_OUTPUT).
struct CourseSink {
    stderr: Spool,
    stdout: Spool,
    limit: u64,
}

impl OutputSink for CourseSink {
    fn output(&mut self, stream: Stream, bytes: &[u8]) -> io::Result<()> {
        if self.stderr.len() + self.stdout.len() + bytes.len() as u64 > self.limit {
            return Err(io::Error::other(format!(
                "output over {} bytes",
                self.limit
            )));
        }
        self.spool(stream).push(bytes)
    }
}

impl CourseSink {
    fn new(limit: u64) -> CourseSink {
        CourseSink {
            stderr: Spool::new(),
            stdout: Spool::new(),
            limit,
        }
    }

    fn spool(&mut self, stream: Stream) -> &mut Spool {
        match stream {
            Stream::Stderr => &mut self.stderr,
            Stream::Stdout => &mut self.stdout,
        }
    }
}

/// Serve one client in the course protocol until it hangs up.
pub fn serve(stream: &mut TcpStream, session: &Session) {
    // +1: a read that fills the whole buffer means "too long".
    let mut buf = vec![0u8; MAX_COMMAND + 1];
    // Waiting for the next command is bounded by the idle timeout. The
    // course's reply has no room for an unasked-for error message (the
    // client would take it for the answer to its next command), so an
    // idle client is simply closed, with a log line.
    if let Err(e) = stream.set_read_timeout(Some(session.idle_timeout)) {
        return session.log(tr!(
            "cannot set the idle timeout: {e}",
            "无法设置空闲超时：{e}"
        ));
    }
    loop {
        let n = match stream.read(&mut buf) {
            Ok(0) => {
                return session.log(tr!(
                    "hung up (end of stream)",
                    "客户端挂断了（读到流的末尾）"
                ))
            }
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) if crate::is_timeout(&e) => {
                return session.log(tr!(
                    "idle for {:?} (no command): closing",
                    "空闲了 {:?}（没有发来命令）：关闭连接",
                    session.idle_timeout
                ))
            }
            Err(e) => return session.log(tr!("read failed: {e}", "read 失败：{e}")),
        };
        let command = &buf[..n];
        if n > MAX_COMMAND {
            let msg = format!("remote-shell: command longer than {MAX_COMMAND} bytes refused\n");
            session.log(tr!(
                "refused a command over {MAX_COMMAND} bytes; closing",
                "拒绝了一条超过 {MAX_COMMAND} 字节的命令；关闭连接"
            ));
            let _ = send_error(stream, &msg);
            return;
        }
        if let Err(why) = check_command(command) {
            session.log(tr!(
                "refused {}: {why}",
                "拒绝执行 {}（回复客户端的原因：“{why}”）",
                short(command)
            ));
            if send_error(stream, &format!("remote-shell: {why}\n")).is_err() {
                return;
            }
            continue;
        }
        session.log(tr!("runs {}", "执行 {}", short(command)));
        if !run_and_reply(stream, session, command) {
            return;
        }
    }
}

/// What the course's Python server would crash on (`decode('utf-8')`) or
/// what `sh -c` cannot take (a NUL byte) gets a clear error instead.
fn check_command(command: &[u8]) -> Result<(), &'static str> {
    if std::str::from_utf8(command).is_err() {
        return Err("the command is not valid UTF-8 (garbage bytes?)");
    }
    if command.contains(&0) {
        return Err("the command contains a NUL byte");
    }
    Ok(())
}

/// Run one command and send the reply. `false` = close the connection.
fn run_and_reply(stream: &mut TcpStream, session: &Session, command: &[u8]) -> bool {
    let mut sink = CourseSink::new(MAX_COURSE_OUTPUT);
    let outcome = {
        let peer = stream.as_fd();
        match exec::run_kept(
            &mut session.keeper.borrow_mut(),
            command,
            &session.limits(Some(peer)),
            &mut sink,
        ) {
            Ok(o) => o,
            Err(e) => {
                session.log(tr!("could not start the command: {e}", "无法启动命令：{e}"));
                return send_error(stream, &format!("remote-shell: cannot run: {e}\n")).is_ok();
            }
        }
    };
    session.log(crate::describe(&outcome));
    let (code, signal) = match &outcome.ending {
        Ending::PeerGone | Ending::Stopped => return false,
        Ending::SinkFailed(_, why) => {
            return send_error(stream, &format!("remote-shell: {why}; command killed\n")).is_ok()
        }
        Ending::TimedOut => {
            let note = format!(
                "remote-shell: timed out after {:?}; killed with all it started\n",
                session.timeout
            );
            if sink.stderr.push(note.as_bytes()).is_err() {
                return false;
            }
            (Value::Null, Value::Null)
        }
        Ending::Exited(c) => (json!(c), Value::Null),
        Ending::Signaled(s) => (Value::Null, json!(s)),
    };
    let header = json!({
        "file": "stderr+stdout",
        "hashlib": Value::Null,
        "stderr_size": sink.stderr.len(),
        "stdout_size": sink.stdout.len(),
        "exit_code": code,
        "signal": signal,
        "timed_out": outcome.ending == Ending::TimedOut,
    });
    let total = sink.stderr.len() + sink.stdout.len();
    let sent = write_header(stream, header, total)
        .and_then(|()| sink.stderr.send_to_socket(stream))
        .and_then(|()| sink.stdout.send_to_socket(stream));
    if let Err(e) = sent {
        session.log(tr!(
            "{} while sending the reply; closing",
            "发送回复时{}；关闭连接",
            crate::write_failure(&e)
        ));
        return false;
    }
    true
}

/// Send an error as an ordinary reply (the course has no error message
/// type): the Python client prints it like any output.
pub fn send_error(stream: &mut TcpStream, msg: &str) -> io::Result<()> {
    let header = json!({"file": "error", "hashlib": Value::Null, "error": msg.trim_end()});
    write_header(stream, header, msg.len() as u64)?;
    stream.write_all(msg.as_bytes())
}

/// Prefix and header in one `writev`; `total_size` is set here.
fn write_header<W: Write>(w: &mut W, header: Value, total: u64) -> io::Result<()> {
    let mut header = match header {
        Value::Object(m) => m,
        _ => Header::new(),
    };
    header.insert(framing::TOTAL_SIZE.into(), json!(total));
    let bytes = serde_json::to_vec(&header).map_err(io::Error::other)?;
    // len(header_bytes), not len(header_str): the course counts characters,
    // which differ from bytes as soon as the header holds non-ASCII text.
    let prefix = codec()
        .encode_prefix(bytes.len())
        .map_err(io::Error::other)?;
    write_all_vectored(w, &mut [IoSlice::new(&prefix), IoSlice::new(&bytes)])
}

fn short(command: &[u8]) -> String {
    if command.len() > 60 {
        format!(
            "{}... ({} bytes)",
            show_bytes(&command[..60]),
            command.len()
        )
    } else {
        show_bytes(command)
    }
}

/// Client side: send one command, copy the reply body to `out` as it
/// arrives (never all in memory), return the header.
pub fn request<S: Read + Write>(
    stream: &mut S,
    command: &[u8],
    out: &mut dyn Write,
) -> Result<Header, FrameError> {
    stream.write_all(command)?;
    read_reply(stream, out)
}

/// Read one reply: exact 4-byte prefix, exact header, exactly `total_size`
/// body bytes (the course's `recv(4)` and `recv(header_len)` may return
/// fewer bytes than asked, and its body loop spins forever on a closed
/// socket).
pub fn read_reply<R: Read + ?Sized>(r: &mut R, out: &mut dyn Write) -> Result<Header, FrameError> {
    let header = codec().read_header(r)?.ok_or(FrameError::Truncated {
        part: Part::Prefix,
        expected: 4,
        got: 0,
    })?;
    let total = total_size(&header)?;
    let mut buf = vec![0u8; CHUNK.min(usize::try_from(total).unwrap_or(CHUNK))];
    let mut copied = 0u64;
    while copied < total {
        let want = buf
            .len()
            .min(usize::try_from(total - copied).unwrap_or(usize::MAX));
        match r.read(&mut buf[..want]) {
            Ok(0) => break, // the course's loop would spin here forever
            Ok(n) => {
                out.write_all(&buf[..n])?;
                copied += n as u64;
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e.into()),
        }
    }
    if copied != total {
        return Err(FrameError::Truncated {
            part: Part::Body,
            expected: usize::try_from(total).unwrap_or(usize::MAX),
            got: copied as usize,
        });
    }
    Ok(header)
}

#[cfg(test)]
mod tests;
