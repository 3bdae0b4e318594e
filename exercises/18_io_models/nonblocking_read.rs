// Exercise `nonblocking_read` — lesson 18, the I/O models (IO模型, 非阻塞IO):
// docs/18-io-models.md
//
// A blocking `recv` on an empty socket puts the thread to sleep until data
// comes. A NON-blocking one returns at once: with data, with 0 (the peer
// closed), or with the error EAGAIN ("nothing yet, try again"; Python's
// `BlockingIOError`). A server that multiplexes many sockets needs exactly
// that: take everything that is there now, and never wait.
//
// Write `drain`:
//   1. set O_NONBLOCK on the socket with `fcntl` (F_GETFL, then F_SETFL
//      with the old flags | O_NONBLOCK) — do not use `set_nonblocking`;
//   2. call `recv` (nix::sys::socket::recv) in a loop, appending to `out`,
//      until it fails with EAGAIN (then report `closed: false`) or returns 0
//      (the peer closed: `closed: true`). Any other error is returned.
// The tests check that `drain` takes all that is waiting, returns at once on
// an empty socket, leaves the socket non-blocking, and tells a closed peer
// apart from "nothing yet".
//
// 中文：
// 练习 `nonblocking_read`——第 18 课，IO模型（非阻塞IO）。
//
// 在空套接字上做阻塞的 `recv`，线程会一直睡到数据到来。非阻塞的 `recv` 则立刻
// 返回：要么带着数据，要么返回 0（对端关闭了），要么返回错误 EAGAIN（“还没有，
// 稍后再试”；即 Python 的 `BlockingIOError`）。做 IO多路复用、同时照看许多套接
// 字的服务端需要的正是这一点：把此刻已经有的全部拿走，绝不等待。
//
// 写出 `drain`：
//   1. 用 `fcntl` 给套接字设上 O_NONBLOCK（先 F_GETFL，再用旧标志 | O_NONBLOCK
//      做 F_SETFL）——不要用 `set_nonblocking`；
//   2. 循环调用 `recv`（nix::sys::socket::recv），追加到 `out`，直到它以
//      EAGAIN 失败（此时报告 `closed: false`）或返回 0（对端关闭了：
//      `closed: true`）。其他任何错误都返回出去。
// 测试检查：`drain` 拿走所有等着的数据，在空套接字上立刻返回，让套接字保持非阻
// 塞，并能把对端已关闭和“还没有数据”区分开。

use nix::errno::Errno;
use nix::fcntl::{fcntl, FcntlArg, OFlag};
use nix::sys::socket::{recv, MsgFlags};
use std::io;
use std::net::TcpStream;
use std::os::fd::AsRawFd;

/// What one `drain` found.
#[derive(Debug, PartialEq, Eq)]
pub struct Drained {
    /// Bytes appended to `out`.
    pub bytes: usize,
    /// Did `recv` return 0 (end-of-file: the peer closed)?
    pub closed: bool,
}

/// Makes `sock` non-blocking and reads everything waiting in it into `out`.
pub fn drain(sock: &TcpStream, out: &mut Vec<u8>) -> io::Result<Drained> {
    // Step 1: fcntl(F_GETFL), then fcntl(F_SETFL, flags | O_NONBLOCK).
    // Step 2: recv in a loop until EAGAIN (closed: false) or 0 (closed: true).
    todo!("set O_NONBLOCK, then recv until EAGAIN or end-of-file")
}

#[cfg(test)]
mod tests {
    use super::*;
    use exercises::within;
    use std::io::Write;
    use std::net::TcpListener;
    use std::time::{Duration, Instant};

    fn pair() -> (TcpStream, TcpStream) {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let client = TcpStream::connect(listener.local_addr().unwrap()).unwrap();
        let (server, _) = listener.accept().unwrap();
        (client, server)
    }

    /// `drain` on an empty socket returns at once with nothing, and says the peer has not closed.
    /// 中文：对空套接字调用 `drain` 立即返回，什么也没读到，并说明对端没有关闭。
    #[test]
    fn an_empty_socket_returns_at_once_with_nothing() {
        within(10, || {
            let (_client, server) = pair();
            let mut out = Vec::new();
            let started = Instant::now();
            let d = drain(&server, &mut out).unwrap();
            assert!(
                started.elapsed() < Duration::from_secs(1),
                "drain waited: is the socket non-blocking?"
            );
            assert_eq!(
                d,
                Drained {
                    bytes: 0,
                    closed: false
                }
            );
            assert!(out.is_empty());
        });
    }

    /// After `drain`, the socket has O_NONBLOCK set (with `fcntl`).
    /// 中文：`drain` 之后，套接字设上了 O_NONBLOCK（用 `fcntl` 设置）。
    #[test]
    fn the_socket_is_left_non_blocking() {
        within(10, || {
            let (_client, server) = pair();
            drain(&server, &mut Vec::new()).unwrap();
            let flags = OFlag::from_bits_retain(fcntl(&server, FcntlArg::F_GETFL).unwrap());
            assert!(
                flags.contains(OFlag::O_NONBLOCK),
                "O_NONBLOCK is not set: use fcntl(F_SETFL)"
            );
        });
    }

    /// Every byte waiting in the kernel is taken, in order.
    /// 中文：内核里等着的每个字节都被取走，顺序不变。
    #[test]
    fn everything_waiting_is_taken_in_one_drain() {
        within(10, || {
            let (mut client, server) = pair();
            let data: Vec<u8> = (0..50_000u32).map(|i| (i % 251) as u8).collect();
            client.write_all(&data).unwrap();
            // Loopback delivers at once; wait until the kernel holds it all.
            let deadline = Instant::now() + Duration::from_secs(5);
            let mut out = Vec::new();
            while out.len() < data.len() && Instant::now() < deadline {
                let d = drain(&server, &mut out).unwrap();
                assert!(!d.closed);
            }
            assert_eq!(out, data, "every byte, in order");
        });
    }

    /// A peer that wrote and closed gives its last bytes, then end-of-file (`closed: true`), not EAGAIN.
    /// 中文：对端写完就关闭：先读到它最后的数据，然后是文件结束（`closed: true`），而不是 EAGAIN。
    #[test]
    fn a_closed_peer_is_end_of_file_not_eagain() {
        within(10, || {
            let (mut client, server) = pair();
            client.write_all(b"last words").unwrap();
            drop(client);
            let mut out = Vec::new();
            let d = drain(&server, &mut out).unwrap();
            assert_eq!(out, b"last words");
            assert_eq!(
                d,
                Drained {
                    bytes: 10,
                    closed: true
                }
            );
        });
    }
}
