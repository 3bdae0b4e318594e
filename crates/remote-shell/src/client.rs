//! The client: send a command, print its output as it arrives.
//!
//! The course's client reads `recv(4)`, then `recv(header_len)`, then
//! loops `recv(1024)` until `total_size` bytes arrived, and finally
//! `print(res.decode('gbk'))`. Three things go wrong there: `recv(n)` may
//! return fewer than `n` bytes (a short read), a server that closes early
//! makes the loop spin forever on `b''`, and `gbk` garbles the UTF-8 that
//! Linux commands print. Here every read is exact, an early close is an
//! error, and output is written out as it arrives, decoded as UTF-8 with
//! invalid bytes shown as `\u{FFFD}` (lossy) — only for printing: the bytes
//! themselves cross the network unchanged.

use crate::framed_proto::{
    self, client_codec, COMMAND, ERROR, EXIT, HELLO, HELLO_OK, STDERR, STDOUT,
};
use crate::lossy::Lossy;
use crate::{course_proto, Protocol};
use demo_kit::{bail_msg, tr, Context, Result};
use framing::FrameError;
use serde_json::Value;
use std::io::{BufRead, Write};
use std::net::{SocketAddr, TcpStream};

/// How a command ended, as the server reported it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ExitInfo {
    pub code: Option<i32>,
    pub signal: Option<i32>,
    pub timed_out: bool,
    /// The remote shell's pid (framed protocol only).
    pub pid: Option<i32>,
}

impl ExitInfo {
    pub fn success(&self) -> bool {
        self.code == Some(0) && !self.timed_out
    }

    fn from_json(v: &Value, code_key: &str) -> ExitInfo {
        let int = |k: &str| v.get(k).and_then(Value::as_i64).map(|n| n as i32);
        ExitInfo {
            code: int(code_key),
            signal: int("signal"),
            timed_out: v.get("timed_out").and_then(Value::as_bool).unwrap_or(false),
            pid: int("pid"),
        }
    }
}

/// The answer to one command.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Reply {
    /// `None` when the server did not say (the course's Python server).
    pub exit: Option<ExitInfo>,
    /// An error the server reported instead of running the command.
    pub error: Option<String>,
}

/// A connection to a remote-shell server.
pub struct Client {
    stream: TcpStream,
    protocol: Protocol,
}

impl Client {
    /// Connect; in the framed protocol, say hello with the token first.
    pub fn connect(addr: SocketAddr, protocol: Protocol, token: Option<&[u8]>) -> Result<Client> {
        let stream = TcpStream::connect(addr).with_context(|| {
            tr!(
                "connecting to {addr} (is the server running?)",
                "连接 {addr}（服务端启动了吗？）"
            )
        })?;
        // Our commands are single writes; do not let Nagle hold them back.
        stream
            .set_nodelay(true)
            .context(tr!("setting TCP_NODELAY", "设置 TCP_NODELAY"))?;
        let mut client = Client { stream, protocol };
        if protocol == Protocol::Framed {
            client.hello(token.unwrap_or(b""))?;
        }
        Ok(client)
    }

    fn hello(&mut self, token: &[u8]) -> Result<()> {
        framed_proto::send(&mut self.stream, HELLO, token)
            .context(tr!("sending hello", "发送 hello"))?;
        let frame = match client_codec().read_frame(&mut self.stream) {
            // A course server answers with its own reply, whose
            // little-endian prefix reads here as a huge or negative length.
            Err(e @ (FrameError::TooLarge { .. } | FrameError::NegativeLength(_))) => {
                return bail_msg(tr!(
                    "the server's answer to our hello is not a remote-shell frame ({e}): \
                     is it --protocol course?",
                    "服务端对 hello 的回答不是 remote-shell 的帧（{e}）：\
                     它是不是用 --protocol course 启动的？"
                ))
            }
            frame => frame.context(tr!("reading the server's hello", "读服务端的 hello"))?,
        };
        match frame.as_deref().and_then(<[u8]>::split_first) {
            Some((&HELLO_OK, _)) => Ok(()),
            Some((&ERROR, msg)) => bail_msg(tr!(
                "the server refused us: {}",
                "服务端拒绝了我们：{}",
                String::from_utf8_lossy(msg)
            )),
            Some(_) => bail_msg(tr!(
                "the server answered hello with something else: is it --protocol course?",
                "服务端对 hello 回了别的东西：它是不是用 --protocol course 启动的？"
            )),
            None => bail_msg(tr!(
                "the server closed the connection after our hello: is it --protocol course?",
                "发出 hello 后服务端关闭了连接：它是不是用 --protocol course 启动的？"
            )),
        }
    }

    /// The underlying socket (tests use it to misbehave).
    pub fn stream(&self) -> &TcpStream {
        &self.stream
    }

    /// Run one command; stdout bytes go to `out`, stderr bytes to `err`
    /// (in the course protocol both arrive mixed and all go to `out`).
    pub fn run(
        &mut self,
        command: &[u8],
        out: &mut dyn Write,
        err: &mut dyn Write,
    ) -> Result<Reply> {
        match self.protocol {
            Protocol::Course => {
                let header = course_proto::request(&mut self.stream, command, out)
                    .context(tr!("reading the course-protocol reply", "读课程协议的回复"))?;
                let v = Value::Object(header);
                if let Some(e) = v.get("error").and_then(Value::as_str) {
                    return Ok(Reply {
                        exit: None,
                        error: Some(e.to_string()),
                    });
                }
                let exit = v
                    .get("exit_code")
                    .map(|_| ExitInfo::from_json(&v, "exit_code"));
                Ok(Reply { exit, error: None })
            }
            Protocol::Framed => self.run_framed(command, out, err),
        }
    }

    fn run_framed(
        &mut self,
        command: &[u8],
        out: &mut dyn Write,
        err: &mut dyn Write,
    ) -> Result<Reply> {
        framed_proto::send(&mut self.stream, COMMAND, command)
            .context(tr!("sending the command", "发送命令"))?;
        let codec = client_codec();
        let mut frame = Vec::new();
        loop {
            let got = codec
                .read_frame_into(&mut self.stream, &mut frame)
                .context(tr!("reading the reply", "读回复"))?;
            if !got {
                return bail_msg(tr!(
                    "the server closed the connection before the command finished",
                    "命令还没执行完，服务端就关闭了连接"
                ));
            }
            match frame.split_first() {
                Some((&STDOUT, bytes)) => out
                    .write_all(bytes)
                    .context(tr!("writing stdout", "写 stdout"))?,
                Some((&STDERR, bytes)) => err
                    .write_all(bytes)
                    .context(tr!("writing stderr", "写 stderr"))?,
                Some((&EXIT, json)) => {
                    let v: Value = serde_json::from_slice(json)
                        .context(tr!("reading the exit frame", "读退出帧"))?;
                    return Ok(Reply {
                        exit: Some(ExitInfo::from_json(&v, "code")),
                        error: None,
                    });
                }
                Some((&ERROR, msg)) => {
                    return Ok(Reply {
                        exit: None,
                        error: Some(String::from_utf8_lossy(msg).into_owned()),
                    })
                }
                _ => {
                    return bail_msg(tr!(
                        "the server sent a frame of an unknown type",
                        "服务端发来了一个未知类型的帧"
                    ))
                }
            }
        }
    }
}

/// The course's loop: read a line, skip it if empty, stop at `exit` or
/// end of input, print the output. `prompt` shows `>>> ` (on a terminal).
pub fn interactive(
    client: &mut Client,
    input: &mut dyn BufRead,
    out: &mut dyn Write,
    err: &mut dyn Write,
    prompt: bool,
) -> Result<u64> {
    let mut ran = 0;
    let mut line = Vec::new();
    loop {
        if prompt {
            let _ = err.write_all(b">>> ");
            let _ = err.flush();
        }
        line.clear();
        if input
            .read_until(b'\n', &mut line)
            .context(tr!("reading a command from stdin", "从标准输入读命令"))?
            == 0
        {
            return Ok(ran);
        }
        let command = line.trim_ascii();
        if command.is_empty() {
            continue; // the course's `if not cmd: continue`
        }
        if command == b"exit" {
            return Ok(ran);
        }
        let reply = {
            let mut out = Lossy::new(&mut *out);
            let mut errs = Lossy::new(&mut *err);
            let reply = client.run(command, &mut out, &mut errs)?;
            out.finish().context(tr!("writing stdout", "写 stdout"))?;
            errs.finish().context(tr!("writing stderr", "写 stderr"))?;
            reply
        };
        ran += 1;
        // A course-mode error arrives as an ordinary reply body (the course
        // has no error message), so it was just printed: do not repeat it.
        if !(client.protocol == Protocol::Course && reply.error.is_some()) {
            report(&reply, err);
        }
    }
}

/// Show an error or a non-zero exit status on stderr.
fn report(reply: &Reply, err: &mut dyn Write) {
    let note = match (&reply.error, &reply.exit) {
        (Some(e), _) => tr!("[server error: {e}]", "[服务端错误：{e}]"),
        (None, Some(x)) if x.timed_out => tr!(
            "[timed out: the server killed the command]",
            "[超时：服务端杀掉了这条命令]"
        ),
        (
            None,
            Some(ExitInfo {
                signal: Some(s), ..
            }),
        ) => tr!("[killed by signal {s}]", "[被信号 {s} 杀死]"),
        (None, Some(ExitInfo { code: Some(c), .. })) if *c != 0 => {
            tr!("[exit status {c}]", "[退出状态 {c}]")
        }
        _ => return,
    };
    let _ = writeln!(err, "{note}");
}
