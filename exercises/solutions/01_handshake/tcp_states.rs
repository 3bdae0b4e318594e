// Exercise `tcp_states` — lesson 01, the handshake and the teardown
// (三次握手 / 四次挥手): docs/01-handshake.md
//
// Drive one real TCP connection through its states yourself. Each function
// below is one move of the course's pictures; write it with the system call
// it needs (std's `TcpStream::connect`, `TcpListener::accept`,
// `TcpStream::shutdown`, `read`, and dropping a socket = `close()`):
//
//   open        the client's connect() and the server's accept()
//   say_goodbye "I will send no more": sends a FIN, but keeps the socket
//               open so this side can still READ (a half-close, 半关闭)
//   read_to_eof read until recv returns 0 — the peer's FIN — and return
//               everything that came before it
//   hang_up     close the socket: this side's last word
//
// The tests read the kernel's state after every move — `getsockopt(TCP_INFO)`
// on your sockets and `/proc/net/tcp` for what outlives them — and check:
// both ends ESTABLISHED after open; the side that said goodbye first in
// FIN_WAIT2 while the other sits in CLOSE_WAIT and can still answer; and
// TIME_WAIT on whichever side closed first (the client in the course's
// normal flow; the server's own port if the server hangs up first, which is
// why a restarted server needs SO_REUSEADDR).
//
// Run: cargo run -p course -- check tcp_states

use std::io::Read;
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::os::fd::AsRawFd;

/// A client connected to `listener`, and the server's socket for it:
/// returns `(client, server)`.
fn open(listener: &TcpListener) -> (TcpStream, TcpStream) {
    // connect() returns once the kernel finished the handshake; the
    // connection then waits in the accept queue, so accept() cannot block.
    let client = TcpStream::connect(listener.local_addr().unwrap()).unwrap();
    let (server, _) = listener.accept().unwrap();
    (client, server)
}

/// This side will send no more (its kernel sends a FIN), but may still read.
fn say_goodbye(stream: &TcpStream) {
    // shutdown(SHUT_WR), not close(): only the sending direction ends.
    stream.shutdown(Shutdown::Write).unwrap();
}

/// Reads until end-of-file (the peer's FIN) and returns what came before it.
fn read_to_eof(stream: &mut TcpStream) -> Vec<u8> {
    let mut got = Vec::new();
    let mut buf = [0u8; 1024];
    loop {
        match stream.read(&mut buf).unwrap() {
            0 => return got, // recv returned 0: the FIN
            n => got.extend_from_slice(&buf[..n]),
        }
    }
}

/// Closes this side's socket for good.
fn hang_up(stream: TcpStream) {
    drop(stream); // close(fd): a FIN if this side had not sent one yet
}

// ---- given: how the tests ask the kernel (you do not need to change this) ----

/// The state of the socket behind `socket`, from `getsockopt(TCP_INFO)`
/// (Linux numbering, include/net/tcp_states.h).
fn state_of(socket: &impl AsRawFd) -> &'static str {
    use nix::libc;
    // SAFETY: tcp_info is plain data; the kernel fills at most `len` bytes.
    let mut info: libc::tcp_info = unsafe { std::mem::zeroed() };
    let mut len = std::mem::size_of::<libc::tcp_info>() as libc::socklen_t;
    let rc = unsafe {
        libc::getsockopt(
            socket.as_raw_fd(),
            libc::IPPROTO_TCP,
            libc::TCP_INFO,
            (&mut info as *mut libc::tcp_info).cast(),
            &mut len,
        )
    };
    assert_eq!(
        rc,
        0,
        "getsockopt(TCP_INFO): {}",
        std::io::Error::last_os_error()
    );
    name(info.tcpi_state)
}

/// The state `/proc/net/tcp` lists for the IPv4 connection `local -> remote`
/// (`None`: no such socket). Unlike `state_of`, this also sees a TIME_WAIT,
/// which the kernel keeps after the last `close()`, when no fd is left.
fn proc_state(local: SocketAddr, remote: SocketAddr) -> Option<&'static str> {
    let hex = |a: SocketAddr| match a {
        SocketAddr::V4(v4) => format!(
            "{:08X}:{:04X}",
            u32::from_ne_bytes(v4.ip().octets()),
            v4.port()
        ),
        SocketAddr::V6(_) => panic!("this exercise uses IPv4"),
    };
    let (l, r) = (hex(local), hex(remote));
    let table = std::fs::read_to_string("/proc/net/tcp").expect("reading /proc/net/tcp");
    table.lines().skip(1).find_map(|line| {
        let f: Vec<&str> = line.split_whitespace().collect();
        (f.get(1) == Some(&l.as_str()) && f.get(2) == Some(&r.as_str()))
            .then(|| name(u8::from_str_radix(f[3], 16).unwrap_or(0)))
    })
}

fn name(state: u8) -> &'static str {
    const NAMES: [&str; 12] = [
        "UNKNOWN",
        "ESTABLISHED",
        "SYN_SENT",
        "SYN_RECV",
        "FIN_WAIT1",
        "FIN_WAIT2",
        "TIME_WAIT",
        "CLOSE",
        "CLOSE_WAIT",
        "LAST_ACK",
        "LISTEN",
        "CLOSING",
    ];
    NAMES.get(state as usize).copied().unwrap_or("UNKNOWN")
}

// The tests are the exercise's own, kept once: see exercises/01_handshake/tcp_states.rs.
// (`cargo run -p course -- verify` runs them against this solution.)
