// Exercise `poll_two_clients` — lesson 18, the I/O models (IO多路复用):
// docs/18-io-models.md
//
// The course's first server talks to one client at a time: while it waits
// in `recv` for client A, client B is not served at all. One thread can
// serve both if it first asks the kernel WHICH socket has data: `poll`.
//
// Write `serve_two`: accept exactly two clients, then loop:
//   1. `poll` (nix::poll::poll) on the sockets still open, each with POLLIN,
//      with no timeout (PollTimeout::NONE);
//   2. for each socket whose `revents()` is not empty, `read` once: 0 bytes
//      means that client closed (stop watching it); otherwise write the
//      bytes back (`write_all`) — an echo.
// Return when both clients have closed, with the number of bytes echoed to
// each: `[a, b]` in the order they were accepted.
// No threads: the tests check that a silent client never holds up the other.
//
// 中文：
// 练习 `poll_two_clients`——第 18 课，IO模型（IO多路复用）。
//
// 课程的第一个服务端一次只和一个客户端对话：当它在 `recv` 里等客户端 A 时，客
// 户端 B 完全得不到服务。如果先问内核“哪个套接字有数据”，一个线程就能同时服务
// 两个客户端：这就是 `poll`。
//
// 写出 `serve_two`：恰好接受两个客户端，然后循环：
//   1. 对仍然打开的套接字调用 `poll`（nix::poll::poll），每个都带 POLLIN，不设
//      超时（PollTimeout::NONE）；
//   2. 对每个 `revents()` 非空的套接字 `read` 一次：读到 0 字节说明那个客户端
//      关闭了（不再关注它）；否则把这些字节写回去（`write_all`）——即回显。
// 两个客户端都关闭后返回，返回值是回显给每个客户端的字节数：`[a, b]`，按它们被
// 接受的顺序。
// 不用线程：测试检查一个沉默的客户端永远不会耽误另一个。

use nix::poll::{poll, PollFd, PollFlags, PollTimeout};
use std::io::{self, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::os::fd::AsFd;

/// Serves two clients from this one thread; returns bytes echoed to each.
pub fn serve_two(listener: TcpListener) -> io::Result<[u64; 2]> {
    let a = listener.accept()?.0;
    let b = listener.accept()?.0;
    // Loop: poll both (PollFd::new(conn.as_fd(), PollFlags::POLLIN)), then
    // read once from each ready one and echo it back; 0 bytes = closed.
    todo!("serve {a:?} and {b:?} with poll")
}

#[cfg(test)]
mod tests {
    use super::*;
    use exercises::within;
    use std::time::Duration;

    /// Starts `serve_two` on a thread; returns the two connected clients
    /// (A accepted first) and the server's thread.
    fn start() -> (
        TcpStream,
        TcpStream,
        std::thread::JoinHandle<io::Result<[u64; 2]>>,
    ) {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let server = std::thread::spawn(move || serve_two(listener));
        // The kernel's accept queue is first in, first out: A is accepted first.
        let a = TcpStream::connect(addr).unwrap();
        let b = TcpStream::connect(addr).unwrap();
        (a, b, server)
    }

    fn ask(conn: &mut TcpStream, msg: &[u8]) -> Vec<u8> {
        conn.set_read_timeout(Some(Duration::from_secs(3))).unwrap();
        conn.write_all(msg).unwrap();
        let mut got = vec![0u8; msg.len()];
        conn.read_exact(&mut got)
            .expect("no echo within 3 s: is the server waiting on the other client?");
        got
    }

    /// Client B is served while client A stays silent.
    /// 中文：客户端 A 一直不说话，客户端 B 照样得到服务。
    #[test]
    fn b_is_served_while_a_is_silent() {
        within(15, || {
            let (a, mut b, server) = start();
            assert_eq!(
                ask(&mut b, b"B speaks while A says nothing"),
                b"B speaks while A says nothing"
            );
            assert_eq!(ask(&mut b, b"and again"), b"and again");
            drop((a, b));
            server.join().unwrap().unwrap();
        });
    }

    /// A is still served after B closed, and the echo counts are right.
    /// 中文：B 关闭之后 A 仍然能得到服务，回显的字节数也对。
    #[test]
    fn a_keeps_being_served_after_b_leaves() {
        within(15, || {
            let (mut a, b, server) = start();
            drop(b);
            assert_eq!(ask(&mut a, b"still here"), b"still here");
            drop(a);
            let echoed = server.join().unwrap().unwrap();
            assert_eq!(echoed, [10, 0]);
        });
    }

    /// `serve_two` returns once both clients have closed, with every byte echoed to each counted.
    /// 中文：两个客户端都关闭后 `serve_two` 返回，回显给每个客户端的字节一个不差。
    #[test]
    fn it_returns_when_both_have_closed_and_counts_every_byte() {
        within(15, || {
            let (mut a, mut b, server) = start();
            for i in 0..20 {
                let msg = format!("message {i:02}");
                assert_eq!(ask(&mut a, msg.as_bytes()), msg.as_bytes());
                assert_eq!(ask(&mut b, msg.as_bytes()), msg.as_bytes());
            }
            drop((a, b));
            let echoed = server.join().unwrap().unwrap();
            assert_eq!(echoed, [20 * 10, 20 * 10]);
        });
    }
}
