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
//
// 中文：
// 练习 `tcp_states`——第 01 课，三次握手与四次挥手。
//
// 亲手让一条真实的 TCP 连接走过它的各个状态。下面每个函数是课程图中的一步；用
// 这一步需要的系统调用来写（std 的 `TcpStream::connect`、
// `TcpListener::accept`、`TcpStream::shutdown`、`read`，而丢弃一个套接字就是
// `close()`）：
//
//   open        客户端的 connect() 和服务端的 accept()
//   say_goodbye “我不再发送了”：发出一个 FIN，但套接字保持打开，
//               这一端仍然可以读（半关闭）
//   read_to_eof 一直读，直到 recv 返回 0（即对端的 FIN），
//               返回在它之前收到的全部数据
//   hang_up     关闭套接字：这一端的最后一句话
//
// 测试在每一步之后读取内核里的状态（对你的套接字用 `getsockopt(TCP_INFO)`，对
// 套接字关掉后仍留下的记录查 `/proc/net/tcp`），并检查：open 之后两端都是
// ESTABLISHED；先说再见的一端处于 FIN_WAIT2，另一端停在 CLOSE_WAIT，仍然可以回
// 话；先关闭的一端进入 TIME_WAIT（课程的正常流程里是客户端；如果服务端先挂断，
// TIME_WAIT 就留在服务端自己的端口上，这正是重启的服务端需要 SO_REUSEADDR 的原
// 因）。
//
// 运行：cargo run -p course -- check tcp_states

use std::io::Read;
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::os::fd::AsRawFd;

/// A client connected to `listener`, and the server's socket for it:
/// returns `(client, server)`.
fn open(listener: &TcpListener) -> (TcpStream, TcpStream) {
    todo!(
        "connect a client to {:?}, then accept it",
        listener.local_addr()
    )
}

/// This side will send no more (its kernel sends a FIN), but may still read.
fn say_goodbye(stream: &TcpStream) {
    todo!("half-close {stream:?}: the first wave")
}

/// Reads until end-of-file (the peer's FIN) and returns what came before it.
fn read_to_eof(stream: &mut TcpStream) -> Vec<u8> {
    todo!("read {stream:?} until recv returns 0")
}

/// Closes this side's socket for good.
fn hang_up(stream: TcpStream) {
    todo!("close {stream:?}")
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

#[cfg(test)]
mod tests {
    use super::*;
    use exercises::within;
    use std::io::Write;
    use std::time::{Duration, Instant};

    /// Polls until `look()` returns `want`: a peer's ACK takes a moment to
    /// arrive, and no event announces a state change. Returns the last look.
    fn wait_for(
        want: Option<&str>,
        look: impl Fn() -> Option<&'static str>,
    ) -> Option<&'static str> {
        let deadline = Instant::now() + Duration::from_secs(5);
        loop {
            let now = look();
            if now == want || Instant::now() > deadline {
                return now;
            }
            std::thread::sleep(Duration::from_millis(2));
        }
    }

    fn addrs(client: &TcpStream) -> (SocketAddr, SocketAddr) {
        (client.local_addr().unwrap(), client.peer_addr().unwrap())
    }

    /// After `open`, both ends are ESTABLISHED: the three-way handshake is done.
    /// 中文：`open` 之后两端都处于 ESTABLISHED：三次握手已经完成。
    #[test]
    fn open_finishes_the_handshake_on_both_sides() {
        within(10, || {
            let listener = TcpListener::bind("127.0.0.1:0").unwrap();
            assert_eq!(state_of(&listener), "LISTEN");
            let (client, server) = open(&listener);
            assert_eq!(state_of(&client), "ESTABLISHED", "client after connect");
            assert_eq!(state_of(&server), "ESTABLISHED", "server after accept");
            assert_eq!(client.local_addr().unwrap(), server.peer_addr().unwrap());
        });
    }

    /// `say_goodbye` sends a FIN but keeps the socket: the server reads EOF in CLOSE_WAIT, the client in FIN_WAIT2 can still read its answer.
    /// 中文：`say_goodbye` 只发 FIN、不关套接字：服务端读到 EOF，进入 CLOSE_WAIT；客户端进入 FIN_WAIT2，仍然能读到服务端的回复。
    #[test]
    fn goodbye_is_a_half_close_the_first_wave() {
        within(10, || {
            let listener = TcpListener::bind("127.0.0.1:0").unwrap();
            let (mut client, mut server) = open(&listener);
            client.write_all(b"ls -l").unwrap();
            say_goodbye(&client);
            // The server reads the request, then end-of-file: the FIN.
            assert_eq!(read_to_eof(&mut server), b"ls -l");
            assert_eq!(state_of(&server), "CLOSE_WAIT", "server got the FIN");
            let client_state = wait_for(Some("FIN_WAIT2"), || Some(state_of(&client)));
            assert_eq!(client_state, Some("FIN_WAIT2"), "client's FIN was ACKed");
            // Half-close: the server may still answer, the client still reads.
            server.write_all(b"total 0\n").unwrap();
            let mut answer = [0u8; 8];
            client.read_exact(&mut answer).unwrap();
            assert_eq!(&answer, b"total 0\n", "the client can still read");
        });
    }

    /// When the client closes first, TIME_WAIT stays on the client's side and the server's port keeps nothing.
    /// 中文：客户端先关闭时，TIME_WAIT 留在客户端这一侧，服务端的端口上什么也不留。
    ///
    /// The course's normal flow: the client finishes, the server reads
    /// b'' and calls conn.close(). TIME_WAIT lands on the client's side.
    #[test]
    fn the_client_closing_first_holds_time_wait() {
        within(10, || {
            let listener = TcpListener::bind("127.0.0.1:0").unwrap();
            let (client, mut server) = open(&listener);
            let (c, s) = addrs(&client);
            say_goodbye(&client);
            assert_eq!(read_to_eof(&mut server), b"");
            hang_up(server);
            let mut client = client;
            assert_eq!(
                read_to_eof(&mut client),
                b"",
                "the client sees the server's FIN"
            );
            hang_up(client);
            assert_eq!(
                wait_for(Some("TIME_WAIT"), || proc_state(c, s)),
                Some("TIME_WAIT")
            );
            assert_eq!(proc_state(s, c), None, "the server's port keeps nothing");
        });
    }

    /// When the server hangs up first, TIME_WAIT stays on the server's own port (why a restarted server needs SO_REUSEADDR).
    /// 中文：服务端先挂断时，TIME_WAIT 留在服务端自己的端口上（所以重启服务端要设 SO_REUSEADDR）。
    ///
    /// A server stopped while its client is still connected closes first:
    /// the TIME_WAIT is on the server's own port.
    #[test]
    fn the_server_hanging_up_first_holds_time_wait_on_its_port() {
        within(10, || {
            let listener = TcpListener::bind("127.0.0.1:0").unwrap();
            let (mut client, server) = open(&listener);
            let (c, s) = addrs(&client);
            hang_up(server);
            assert_eq!(
                read_to_eof(&mut client),
                b"",
                "the client sees the server's FIN"
            );
            assert_eq!(state_of(&client), "CLOSE_WAIT");
            hang_up(client);
            assert_eq!(
                wait_for(Some("TIME_WAIT"), || proc_state(s, c)),
                Some("TIME_WAIT")
            );
            assert_eq!(
                wait_for(None, || proc_state(c, s)),
                None,
                "the client keeps nothing"
            );
        });
    }
}
