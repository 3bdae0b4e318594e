//! `cargo run -p remote-shell`: both ends on 127.0.0.1, a few seconds.
//!
//! Step 1 shows the course protocol's reply byte by byte, read with plain
//! `read`s from a real socket. Step 2 runs commands through the framed
//! protocol: separate stdout/stderr, an exit status, and a timeout that
//! kills the command and everything it started.

use demo_kit::say::{hex, say, show_bytes, step};
use demo_kit::{tr, Context, Result, Side};
use remote_shell::client::Client;
use remote_shell::server::{self, Config};
use remote_shell::Protocol;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

pub fn run() -> Result<()> {
    step(
        1,
        tr!("the course protocol, byte by byte", "课程协议，逐字节来看"),
    );
    let (addr, stop, handle) = start(Protocol::Course)?;
    course_bytes(addr)?;
    finish(stop, handle)?;

    step(
        2,
        tr!(
            "the framed protocol: streams apart, exit status, timeout",
            "分帧协议：stdout 和 stderr 分开、退出状态、超时"
        ),
    );
    let (addr, stop, handle) = start(Protocol::Framed)?;
    framed_commands(addr)?;
    finish(stop, handle)?;
    say(
        Side::Note,
        tr!(
            "next: cargo run -p remote-shell -- server   (and a client in another terminal)",
            "接下来试试：cargo run -p remote-shell -- server   （再在另一个终端里开一个 client）"
        ),
    );
    Ok(())
}

type Running = (
    SocketAddr,
    Arc<AtomicBool>,
    JoinHandle<Result<server::Summary>>,
);

/// A real server on 127.0.0.1:0, in a thread of this process.
fn start(protocol: Protocol) -> Result<Running> {
    let server = server::bind(Config {
        addr: SocketAddr::from(([127, 0, 0, 1], 0)),
        protocol,
        timeout: Duration::from_secs(1),
        write_timeout: Duration::from_secs(5),
        idle_timeout: Duration::from_secs(300),
        hello_timeout: remote_shell::framed_proto::HELLO_TIMEOUT,
        allow_remote: false,
        token: None,
    })?;
    let addr = server.local_addr()?;
    say(
        Side::Server,
        tr!(
            "listening on {addr} (protocol {protocol}, timeout 1s)",
            "在 {addr} 上监听（协议 {protocol}，超时 1s）"
        ),
    );
    let stop = Arc::new(AtomicBool::new(false));
    let flag = Arc::clone(&stop);
    Ok((addr, stop, std::thread::spawn(move || server.run(flag))))
}

fn finish(stop: Arc<AtomicBool>, handle: JoinHandle<Result<server::Summary>>) -> Result<()> {
    stop.store(true, Ordering::SeqCst);
    match handle.join() {
        Ok(r) => r.map(|_| ()),
        Err(_) => demo_kit::bail_msg(tr!("the server thread panicked", "服务端线程 panic 了")),
    }
}

/// Send `echo 你好; ls /nope` unframed, then read the reply piece by piece.
fn course_bytes(addr: SocketAddr) -> Result<()> {
    let mut s = TcpStream::connect(addr)
        .context(tr!("connecting to the demo server", "连接演示程序的服务端"))?;
    let cmd = "echo 你好; ls /nope";
    s.write_all(cmd.as_bytes())
        .context(tr!("sending the command", "发送命令"))?;
    say(
        Side::Client,
        tr!(
            "sent the command, unframed: {}",
            "发出命令，没有分帧：{}",
            show_bytes(cmd.as_bytes())
        ),
    );
    let mut prefix = [0u8; 4];
    s.read_exact(&mut prefix)
        .context(tr!("reading the 4-byte prefix", "读 4 字节的长度前缀"))?;
    let len = i32::from_le_bytes(prefix);
    say(
        Side::Client,
        tr!(
            "4 bytes [{}] = struct.unpack('i') = {len}: the header's length",
            "4 字节 [{}] = struct.unpack('i') = {len}：报头的长度",
            hex(&prefix)
        ),
    );
    let mut header = vec![0u8; usize::try_from(len).unwrap_or(0)];
    s.read_exact(&mut header)
        .context(tr!("reading the header", "读报头"))?;
    say(
        Side::Client,
        tr!(
            "{len} header bytes: {}",
            "{len} 字节的报头：{}",
            String::from_utf8_lossy(&header)
        ),
    );
    let v: serde_json::Value =
        serde_json::from_slice(&header).context(tr!("parsing the header", "解析报头"))?;
    let total = v["total_size"].as_u64().unwrap_or(0);
    let mut body = vec![0u8; total as usize];
    s.read_exact(&mut body)
        .context(tr!("reading the body", "读数据正文"))?;
    say(
        Side::Client,
        tr!(
            "{total} body bytes (stderr first, then stdout): {}",
            "{total} 字节的数据正文（先 stderr，后 stdout）：{}",
            show_bytes(&body)
        ),
    );
    say(
        Side::Note,
        tr!(
            "the course's client would print these with decode('gbk'): 你好 arrives as UTF-8 and turns into mojibake",
            "课程里的客户端会用 decode('gbk') 打印这些字节：发过来的“你好”是 UTF-8 编码，结果变成乱码"
        ),
    );
    Ok(())
}

/// Three commands on one framed connection.
fn framed_commands(addr: SocketAddr) -> Result<()> {
    let mut client = Client::connect(addr, Protocol::Framed, None)?;
    for cmd in ["echo hello from $$", "ls /nope", "echo started; sleep 30"] {
        say(Side::Client, tr!("run {cmd:?}", "执行 {cmd:?}"));
        let (mut out, mut err) = (Vec::new(), Vec::new());
        let reply = client.run(cmd.as_bytes(), &mut out, &mut err)?;
        say(
            Side::Client,
            tr!(
                "  stdout {}  stderr {}",
                "  stdout：{}  stderr：{}",
                show_bytes(&out),
                show_bytes(&err)
            ),
        );
        if let Some(x) = reply.exit {
            say(
                Side::Client,
                tr!(
                    "  exit: code {:?}, signal {:?}, timed out {}",
                    "  退出：退出码 {:?}，信号 {:?}，是否超时 {}",
                    x.code,
                    x.signal,
                    x.timed_out
                ),
            );
        }
    }
    Ok(())
}
