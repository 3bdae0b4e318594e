//! The notes' server, done right: read this file first.
//!
//! The notes' server is `accept`, then a loop of `recv(1024)` → `Popen` →
//! `stdout.read()` → `stderr.read()` → `send(struct.pack('i', len(header)))`
//! → `send(header)` → `send(stderr)` → `send(stdout)`. Four lines change:
//! 1. the command is framed too (`struct.pack('i', len)` first), so two
//!    quick commands never stick together and a long one is never cut;
//! 2. stdout and stderr are read *at the same time* (a second thread reads
//!    stderr), so a command that fills its stderr pipe cannot deadlock us;
//! 3. every read and write is exact (`read_frame`, `write_message`): no
//!    short `recv`, no partial `send`; the header also carries both sizes
//!    and the exit code;
//! 4. the child is reaped (`wait`): no zombie is left behind.
//!
//! Still missing, and added by the hardened server (`server.rs` and what it
//! calls): more than one client at a time, a timeout, killing whatever the
//! command leaves running, limits, a token, output streamed as it comes.

use crate::security::MAX_COMMAND;
use demo_kit::say::{say, show_bytes};
use demo_kit::{tr, Side};
use framing::{Codec, FrameError};
use serde_json::json;
use std::ffi::OsStr;
use std::io::{self, Read};
use std::net::{TcpListener, TcpStream};
use std::os::unix::ffi::OsStrExt;
use std::process::{Command, Stdio};

/// Serve clients one after the other (like the notes), `clients` of them
/// or forever.
pub fn run(listener: &TcpListener, clients: Option<u64>) -> io::Result<()> {
    let mut served = 0;
    while clients.is_none_or(|n| served < n) {
        let (mut conn, peer) = listener.accept()?;
        say(Side::Server, tr!("{peer}: connected", "{peer}：已连接"));
        match serve_client(&mut conn) {
            Ok(()) => say(Side::Server, tr!("{peer}: hung up", "{peer}：客户端挂断了")),
            Err(e) => say(
                Side::Server,
                tr!("{peer}: {e}; closing", "{peer}：{e}；关闭连接"),
            ),
        }
        served += 1;
    }
    Ok(())
}

/// One client: a framed command in, a framed reply out, until it hangs up.
fn serve_client(conn: &mut TcpStream) -> Result<(), FrameError> {
    let codec = Codec::course().with_max_frame(MAX_COMMAND); // struct.pack('i')
    while let Some(cmd) = codec.read_frame(conn)? {
        // 1. the command is framed too
        say(Side::Server, tr!("runs {}", "执行 {}", show_bytes(&cmd)));
        let (stdout, stderr, code) = run_command(&cmd)?;
        let header = json!({
            "stderr_size": stderr.len(), "stdout_size": stdout.len(), "exit_code": code,
        });
        // 3. exact lengths, one writev; total_size is added by write_message;
        // stderr first, as the notes.
        codec.write_message(conn, header, &[stderr, stdout].concat())?;
    }
    Ok(())
}

/// `sh -c CMD`; both pipes read concurrently; reaped. Returns stdout,
/// stderr and the exit code (`None` if a signal killed it).
fn run_command(cmd: &[u8]) -> io::Result<(Vec<u8>, Vec<u8>, Option<i32>)> {
    let mut child = Command::new("/bin/sh")
        .arg("-c")
        .arg(OsStr::from_bytes(cmd))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()?;
    let (Some(mut out_pipe), Some(mut err_pipe)) = (child.stdout.take(), child.stderr.take())
    else {
        return Err(io::Error::other("the child's pipes are missing"));
    };
    let (mut stdout, mut stderr) = (Vec::new(), Vec::new());
    let (out, err) = std::thread::scope(|s| {
        let err_reader = s.spawn(|| err_pipe.read_to_end(&mut stderr)); // 2. meanwhile
        let out = out_pipe.read_to_end(&mut stdout); // stdout, here
        (out, err_reader.join())
    });
    out?;
    err.map_err(|_| io::Error::other("the stderr reader panicked"))??;
    let status = child.wait()?; // 4. waitpid: reap it
    Ok((stdout, stderr, status.code()))
}
