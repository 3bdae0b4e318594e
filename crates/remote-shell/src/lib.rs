//! `remote-shell`: the course's 模拟ssh远程执行命令 ("simulated ssh: run
//! commands remotely"), in two protocols.
//!
//! * [`course_proto`]: byte-compatible with the course's Python client and
//!   server (4-byte little-endian header length, JSON header, stderr+stdout).
//! * [`framed_proto`]: both directions framed, output streamed in chunks,
//!   stdout and stderr apart, the exit status at the end, a token first.
//!
//! [`simple`] is the notes' server done right, the smallest correct version,
//! to read first. The hardened server: [`server`] accepts and stops, and
//! serves each client through a [`session`]; running a command safely is
//! [`exec`] (concurrent pipe reading with one `poll` in `watch`, timeout),
//! under its connection's [`keeper`] (one process per connection, told
//! what to run over a socket, `keeper_wire`) that kills and reaps
//! everything each command started,
//! with the running keepers kept in [`running`]; the output goes to a
//! [`sink`]; large course-mode output goes through a [`spool`]; [`client`]
//! is the other end and prints through [`lossy`]; [`security`] holds the
//! limits and the bind rules.

pub mod client;
pub mod course_proto;
pub mod exec;
pub mod framed_proto;
pub mod keeper;
mod keeper_wire;
pub mod lossy;
pub mod running;
pub mod security;
pub mod server;
pub mod session;
pub mod simple;
pub mod sink;
pub mod spool;
mod subreaper;
mod watch;

use demo_kit::tr;
use exec::{Ending, Outcome};
use std::io;
use std::str::FromStr;

/// Which wire protocol a server or client speaks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Protocol {
    /// The course's protocol, byte for byte.
    Course,
    /// Our framed protocol (the default).
    Framed,
}

impl FromStr for Protocol {
    type Err = String;
    fn from_str(s: &str) -> Result<Protocol, String> {
        match s {
            "course" => Ok(Protocol::Course),
            "framed" => Ok(Protocol::Framed),
            other => Err(tr!(
                "unknown protocol {other:?}: use course or framed",
                "没有 {other:?} 这个协议：请用 course 或 framed"
            )),
        }
    }
}

impl std::fmt::Display for Protocol {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Protocol::Course => "course",
            Protocol::Framed => "framed",
        })
    }
}

/// One line saying how a command ended and that it was reaped.
pub fn describe(o: &Outcome) -> String {
    let how = match &o.ending {
        Ending::Exited(c) => tr!("exited with status {c}", "退出，退出状态 {c}"),
        Ending::Signaled(s) => tr!("was killed by signal {s}", "被信号 {s} 杀死"),
        Ending::TimedOut => tr!(
            "timed out: killed with all it started",
            "超时：连同它启动的一切一起被杀掉"
        ),
        Ending::PeerGone => tr!(
            "lost its client: killed with all it started",
            "客户端断开了：连同它启动的一切一起被杀掉"
        ),
        Ending::Stopped => tr!(
            "server stopping: killed with all it started",
            "服务端正在停止：连同它启动的一切一起被杀掉"
        ),
        Ending::SinkFailed(_, why) => tr!(
            "output failed ({why}): killed with all it started",
            "输出失败（{why}）：连同它启动的一切一起被杀掉"
        ),
    };
    tr!(
        "pid {} {how}; {} bytes stdout, {} bytes stderr; reaped",
        "pid {} {how}；stdout {} 字节，stderr {} 字节；已回收",
        o.pid,
        o.stdout_bytes,
        o.stderr_bytes
    )
}

/// Whether a socket read or write failed because its timeout expired
/// (`SO_RCVTIMEO`/`SO_SNDTIMEO` make it fail with `EAGAIN`).
pub fn is_timeout(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
    )
}

/// Name a failed write to a client in words a student can act on.
pub fn write_failure(e: &io::Error) -> String {
    match e.kind() {
        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut => tr!(
            "the client is not reading its output (write timed out)",
            "客户端不读它的输出（写超时）"
        ),
        io::ErrorKind::BrokenPipe | io::ErrorKind::ConnectionReset => {
            tr!("the client went away", "客户端已经断开")
        }
        _ => tr!("writing to the client failed: {e}", "写给客户端失败：{e}"),
    }
}
