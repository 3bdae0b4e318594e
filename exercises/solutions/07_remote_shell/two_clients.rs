// Exercise `two_clients` — lesson 07, the remote shell (模拟ssh远程执行命令):
// docs/07-remote-shell.md
//
// The course's server has two loops: an outer `accept()` loop and an inner
// loop talking to ONE client until it leaves. While it talks to the first
// client, a second one is connected (the kernel finished its handshake and
// parked it in the backlog, 半连接池/全连接队列) but nobody answers it.
//
// `serve` below is that server, as an echo server. Fix it (the spot marked
// BUG) so that every client is served at once, each by its own thread:
// a client that connects and stays silent must not block anyone else.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};

/// Accepts clients forever and echoes back whatever each one sends.
fn serve(listener: TcpListener) {
    for conn in listener.incoming() {
        let Ok(conn) = conn else { continue };
        std::thread::spawn(move || echo(conn));
    }
}

/// Echoes one client's bytes back until it closes the connection.
fn echo(mut conn: TcpStream) {
    let mut buf = [0u8; 1024];
    loop {
        match conn.read(&mut buf) {
            Ok(0) | Err(_) => return,
            Ok(n) => {
                if conn.write_all(&buf[..n]).is_err() {
                    return;
                }
            }
        }
    }
}

// The tests are the exercise's own, kept once: see exercises/07_remote_shell/two_clients.rs.
// (`cargo run -p course -- verify` runs them against this solution.)
