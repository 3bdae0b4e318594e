//! `--model thread`: one thread per connection.
//!
//! This is remote-shell's server (lesson 07) and Python's
//! `socketserver.ThreadingTCPServer`: the accept loop hands each connection
//! to a new thread, which reads and writes with plain blocking calls. The
//! code is the simplest of all; the price is a thread per client — a kernel
//! task (its kernel stack, 16 KiB on x86-64: the bench measures `KernelStack`
//! growing by about 16,385 bytes per connection; plus its `task_struct`)
//! plus a user stack (virtual 2 MiB with Rust's default, of which only the
//! touched pages are resident).

use crate::accept::{accept, Spare};
use framing::{Codec, FrameError};
use std::io;
use std::net::{TcpListener, TcpStream};

/// Stack for each connection's thread: our handler needs little.
pub const STACK: usize = 64 * 1024;

/// Accepts forever; each connection gets its own thread.
pub fn serve(listener: TcpListener) -> io::Result<()> {
    let mut spare = Spare::new()?;
    loop {
        let Some(conn) = accept(&listener, &mut spare)? else {
            continue;
        };
        let spawned = std::thread::Builder::new()
            .stack_size(STACK)
            .spawn(move || echo(conn));
        if let Err(e) = spawned {
            // Out of threads or memory: this client is refused, the server goes on.
            eprintln!("server: cannot start a thread ({e}): refused a client");
        }
    }
}

/// Echoes frames until the client closes: read a frame, write it back.
pub fn echo(conn: TcpStream) {
    let codec = Codec::course().with_max_frame(crate::MAX_FRAME);
    let (mut reader, mut writer) = (&conn, &conn);
    let mut body = Vec::new();
    loop {
        match codec.read_frame_into(&mut reader, &mut body) {
            Ok(true) => {
                if codec.write_frame(&mut writer, &body).is_err() {
                    return;
                }
            }
            Ok(false) => return, // clean end of stream: the client closed
            Err(FrameError::Io(_)) => return, // reset by the client
            Err(e) => {
                eprintln!("server: bad frame from a client ({e}): closing it");
                return;
            }
        }
    }
}

/// `--model bare`: one client at a time, `read` then `write` the same
/// bytes, no framing, no threads, no epoll — the course's very first
/// server. On ONE connection this is the ceiling the system calls set.
pub fn serve_bare(listener: TcpListener) -> io::Result<()> {
    use std::io::{Read, Write};
    let mut spare = Spare::new()?;
    let mut buf = [0u8; 4096];
    loop {
        let Some(mut conn) = accept(&listener, &mut spare)? else {
            continue;
        };
        loop {
            match conn.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => {
                    if conn.write_all(&buf[..n]).is_err() {
                        break;
                    }
                }
            }
        }
    }
}
