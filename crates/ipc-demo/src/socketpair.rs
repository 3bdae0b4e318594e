//! A Unix domain socket pair carrying framed messages both ways: a child
//! worker answering requests.
//!
//! `socketpair(2)` (Rust: `UnixStream::pair()`) returns two connected
//! sockets. Unlike a pipe, each end can both send and receive — this is what
//! Python's `multiprocessing.Pipe()` (duplex, the default) is on Linux. It is
//! a *byte stream* exactly like TCP, so it has the same 粘包 (sticky packets)
//! problem and the same cure: the course's length-prefixed JSON header, done
//! by the `framing` crate. (Python's `Connection.send()` pickles the object
//! and also puts a 4-byte length in front: the same idea.)
//!
//! The parent forks a worker, keeps one end, and the worker keeps the other.
//! The worker loops: read a request, answer it; when `read_message` reports
//! a clean end-of-file (the parent closed its end), the worker exits.

use crate::CHILD_TIMEOUT;
use demo_kit::child::{child_say, exit_code, fork_child, keep_only_fds, reap_or_kill};
use demo_kit::say::{colors_enabled, say, show_bytes};
use demo_kit::{tr, Context, Result, Side};
use framing::{Codec, Header};
use serde_json::{json, Value};
use std::os::fd::AsRawFd;
use std::os::unix::net::UnixStream;

/// One request and the reply that came back.
#[derive(Debug)]
pub struct Exchange {
    pub request: Header,
    pub request_body: Vec<u8>,
    pub reply: Header,
    pub reply_body: Vec<u8>,
}

/// What a parent/worker session observed.
#[derive(Debug)]
pub struct WorkerRun {
    pub worker: i32,
    pub exchanges: Vec<Exchange>,
    pub worker_exit: Option<i32>,
}

/// What the worker does with one request: the "work".
pub fn answer(op: &str, body: &[u8]) -> std::result::Result<Vec<u8>, String> {
    match op {
        "upper" => Ok(body.to_ascii_uppercase()),
        "reverse" => Ok(body.iter().rev().copied().collect()),
        "count" => Ok(body.len().to_string().into_bytes()),
        other => Err(format!("unknown op {other:?}")),
    }
}

/// Forks a worker and sends it each `(op, body)` request in turn, reading
/// the reply to each before sending the next. Then closes the parent's end
/// and reaps the worker.
pub fn run(requests: &[(&str, &[u8])]) -> Result<WorkerRun> {
    say(Side::Parent, tr!("UnixStream::pair(), fork(); each side keeps one end; messages are framed: [4-byte length][JSON header][body]", "UnixStream::pair()，fork()；双方各留一端；消息按帧收发：[4 字节长度][JSON 报头][正文]"));
    let (parent_end, child_end) = UnixStream::pair().context("socketpair()")?;
    let codec = Codec::course();
    let color = colors_enabled();
    let worker = fork_child(|| {
        keep_only_fds(&[child_end.as_raw_fd()]);
        worker_loop(&codec, &child_end, color)
    })?;
    drop(child_end); // the parent's copy of the worker's end: close it (see pipe.rs)

    let mut stream = parent_end;
    // Never wait forever for the worker: a dead worker becomes an error.
    stream.set_read_timeout(Some(CHILD_TIMEOUT)).context(tr!(
        "setting a read timeout on the socket",
        "给套接字设置读超时"
    ))?;
    let mut exchanges = Vec::new();
    let result = (|| -> Result<()> {
        for (id, (op, body)) in requests.iter().enumerate() {
            let mut request = Header::new();
            request.insert("id".into(), json!(id));
            request.insert("op".into(), json!(op));
            say(
                Side::Parent,
                tr!(
                    "send {} + body {}",
                    "发送 {} + 正文 {}",
                    Value::Object(request.clone()),
                    show_bytes(body)
                ),
            );
            codec
                .write_message(&mut stream, Value::Object(request.clone()), body)
                .context(tr!("sending a request to the worker", "向 worker 发送请求"))?;
            let reply = codec
                .read_message(&mut stream)
                .context(tr!("reading the worker's reply", "读取 worker 的回复"))?
                .context(tr!(
                    "the worker closed the socket without answering",
                    "worker 没有回答就关闭了套接字"
                ))?;
            say(
                Side::Parent,
                tr!(
                    "got  {} + body {}",
                    "收到 {} + 正文 {}",
                    Value::Object(reply.header.clone()),
                    show_bytes(&reply.body)
                ),
            );
            exchanges.push(Exchange {
                request,
                request_body: body.to_vec(),
                reply: reply.header,
                reply_body: reply.body,
            });
        }
        Ok(())
    })();
    // Closing our end is the worker's "no more requests" (EOF): do it even
    // after an error, then reap, so the worker never outlives us.
    drop(stream);
    let worker_exit = exit_code(reap_or_kill(worker, CHILD_TIMEOUT)?);
    result?;
    say(
        Side::Parent,
        tr!(
            "closed my end; worker {worker} saw EOF and exited with code {worker_exit:?}; reaped",
            "关闭了我这一端；worker {worker} 读到 EOF，退出码 {worker_exit:?}；已回收"
        ),
    );
    Ok(WorkerRun {
        worker: worker.as_raw(),
        exchanges,
        worker_exit,
    })
}

/// The worker's life: answer until end-of-file. Exit code 0 on a clean
/// EOF, 2 on a broken stream.
fn worker_loop(codec: &Codec, mut stream: &UnixStream, color: bool) -> i32 {
    let me = nix::unistd::getpid();
    let mut answered = 0;
    loop {
        let msg = match codec.read_message(&mut stream) {
            Ok(Some(msg)) => msg,
            Ok(None) => {
                child_say(
                    Side::Child,
                    tr!(
                        "worker {me}: end-of-file on the socket after {answered} requests, exiting", "worker {me}：回答了 {answered} 个请求后在套接字上读到文件结束（EOF），退出"
                    ),
                    color,
                );
                return 0;
            }
            Err(e) => {
                child_say(
                    Side::Child,
                    tr!(
                        "worker {me}: broken request stream: {e}",
                        "worker {me}：请求流损坏：{e}"
                    ),
                    color,
                );
                return 2;
            }
        };
        let id = msg.header.get("id").cloned().unwrap_or(Value::Null);
        let op = msg.header.get("op").and_then(Value::as_str).unwrap_or("");
        let (header, body) = match answer(op, &msg.body) {
            Ok(body) => (
                json!({"id": id, "op": op, "worker_pid": me.as_raw(), "status": "ok"}),
                body,
            ),
            Err(e) => (
                json!({"id": id, "op": op, "worker_pid": me.as_raw(), "status": "error", "error": e}),
                Vec::new(),
            ),
        };
        child_say(
            Side::Child,
            tr!(
                "worker {me}: request id={id} op={op} ({} body bytes) -> replying with {} bytes",
                "worker {me}：请求 id={id} op={op}（正文 {} 个字节）-> 回复 {} 个字节",
                msg.body.len(),
                body.len()
            ),
            color,
        );
        if codec.write_message(&mut stream, header, &body).is_err() {
            return 2;
        }
        answered += 1;
    }
}
