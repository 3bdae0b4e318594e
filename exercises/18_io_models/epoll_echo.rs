// Exercise `epoll_echo` — lesson 18, the I/O models (IO多路复用, epoll):
// docs/18-io-models.md
//
// The loop at the heart of every event-driven server (nginx, Redis, Python's
// asyncio, Rust's tokio): ONE thread, ONE epoll instance, any number of
// clients. Write `serve`:
//   1. `Epoll::new`, and register the listener (`epoll.add`) for EPOLLIN
//      with the data `LISTENER`;
//   2. loop on `epoll.wait`. For the listener: `accept`, make the connection
//      non-blocking, register it for EPOLLIN | EPOLLET (edge-triggered) with
//      a key of your own (keep the connections in a HashMap by that key);
//   3. for a connection: EDGE-triggered means you hear about new data once,
//      so read (`recv`, into the 1024-byte buffer) until EAGAIN, sending each
//      piece back with `write_all_nonblocking`. 0 bytes = the client closed:
//      `epoll.delete` it and drop it.
// Return once `clients` clients have connected and all of them have closed,
// with the total number of bytes echoed. The tests send a message far bigger
// than your buffer: read only once per event and the echo stalls.
//
// 中文：
// 练习 `epoll_echo`——第 18 课，IO模型（IO多路复用，epoll）。
//
// 每个事件驱动服务端（nginx、Redis、Python 的 asyncio、Rust 的 tokio）核心处的
// 那个循环：一个线程，一个 epoll 实例，任意多个客户端。写出 `serve`：
//   1. `Epoll::new`，并为监听套接字注册（`epoll.add`）EPOLLIN，数据为
//      `LISTENER`；
//   2. 在 `epoll.wait` 上循环。对监听套接字：`accept`，把连接设成非阻塞，用你
//      自己选的键为它注册 EPOLLIN | EPOLLET（边缘触发），并按这个键把连接存进
//      一个 HashMap；
//   3. 对一个连接：边缘触发意味着新数据只通知你一次，所以要一直读（`recv`，读
//      进 1024 字节的缓冲区）直到 EAGAIN，每读到一块就用
//      `write_all_nonblocking` 发回去。读到 0 字节 = 客户端关闭了：
//      `epoll.delete` 它，再丢弃它。
// 当 `clients` 个客户端都连上来、又都关闭之后返回，返回值是回显的总字节数。测
// 试会发送一条远大于你的缓冲区的消息：每个事件只读一次的话，回显就会卡住。

use nix::errno::Errno;
use nix::poll::{poll, PollFd, PollFlags, PollTimeout};
use nix::sys::epoll::{Epoll, EpollCreateFlags, EpollEvent, EpollFlags, EpollTimeout};
use nix::sys::socket::{recv, send, MsgFlags};
use std::collections::HashMap;
use std::io;
use std::net::{TcpListener, TcpStream};
use std::os::fd::{AsFd, AsRawFd};

/// The epoll data that marks the listening socket.
const LISTENER: u64 = u64::MAX;

/// Serves `clients` clients from this one thread; returns bytes echoed.
pub fn serve(listener: TcpListener, clients: usize) -> io::Result<u64> {
    let mut conns: HashMap<u64, TcpStream> = HashMap::new();
    let mut events = [EpollEvent::empty(); 32];
    // Epoll::new(EpollCreateFlags::EPOLL_CLOEXEC), epoll.add(..), epoll.wait(..),
    // EpollFlags::EPOLLIN | EpollFlags::EPOLLET, EpollTimeout::NONE,
    // recv(conn.as_raw_fd(), &mut buf, MsgFlags::empty()) until Errno::EAGAIN.
    todo!(
        "serve {clients} clients from {listener:?} with one epoll loop ({} conns, {} events)",
        conns.len(),
        events.len()
    )
}

/// `write_all` for a non-blocking socket: when the send buffer is full
/// (EAGAIN), wait until `poll` says it is writable again. (Given: not part
/// of the exercise.)
fn write_all_nonblocking(conn: &TcpStream, mut bytes: &[u8]) -> io::Result<()> {
    while !bytes.is_empty() {
        match send(conn.as_raw_fd(), bytes, MsgFlags::MSG_NOSIGNAL) {
            Ok(n) => bytes = &bytes[n..],
            Err(Errno::EAGAIN) => {
                let mut fds = [PollFd::new(conn.as_fd(), PollFlags::POLLOUT)];
                poll(&mut fds, PollTimeout::from(5000u16))?;
            }
            Err(Errno::EINTR) => {}
            Err(e) => return Err(e.into()),
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use exercises::within;
    use std::io::{Read, Write};
    use std::time::Duration;

    fn start(
        clients: usize,
    ) -> (
        std::net::SocketAddr,
        std::thread::JoinHandle<io::Result<u64>>,
    ) {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        (addr, std::thread::spawn(move || serve(listener, clients)))
    }

    fn connect(addr: std::net::SocketAddr) -> TcpStream {
        let c = TcpStream::connect(addr).unwrap();
        c.set_read_timeout(Some(Duration::from_secs(3))).unwrap();
        c
    }

    fn ask(conn: &mut TcpStream, msg: &[u8]) {
        conn.write_all(msg).unwrap();
        let mut got = vec![0u8; msg.len()];
        conn.read_exact(&mut got)
            .expect("no (complete) echo within 3 s");
        assert_eq!(got, msg);
    }

    /// One client gets its echoes, and `serve` returns the byte count once it has closed.
    /// 中文：一个客户端收到回显；它关闭后，`serve` 返回回显的字节总数。
    #[test]
    fn one_client_gets_its_echoes_and_serve_returns() {
        within(15, || {
            let (addr, server) = start(1);
            let mut c = connect(addr);
            ask(&mut c, b"hello");
            ask(&mut c, b"epoll");
            drop(c);
            assert_eq!(server.join().unwrap().unwrap(), 10);
        });
    }

    /// Ten clients connected at once are all served in turn by one thread.
    /// 中文：十个客户端同时连着，一个线程轮流为它们服务。
    #[test]
    fn ten_clients_take_turns_on_one_thread() {
        within(15, || {
            let (addr, server) = start(10);
            let mut conns: Vec<TcpStream> = (0..10).map(|_| connect(addr)).collect();
            for round in 0..5 {
                for (i, c) in conns.iter_mut().enumerate().rev() {
                    ask(c, format!("client {i} round {round}").as_bytes());
                }
            }
            drop(conns);
            assert_eq!(server.join().unwrap().unwrap(), 10 * 5 * 16);
        });
    }

    /// A 200,000-byte message comes back whole: with edge triggering (ET), read until EAGAIN on each event.
    /// 中文：20 万字节的消息要完整回显：边缘触发（ET）下，每次事件都要一直读到 EAGAIN。
    #[test]
    fn a_message_far_bigger_than_the_buffer_comes_back_whole() {
        within(15, || {
            let (addr, server) = start(1);
            let mut c = connect(addr);
            let data: Vec<u8> = (0..200_000u32).map(|i| (i % 253) as u8).collect();
            let mut writer = c.try_clone().unwrap();
            let sent = data.clone();
            let sender = std::thread::spawn(move || writer.write_all(&sent));
            let mut got = vec![0u8; data.len()];
            c.read_exact(&mut got)
                .expect("the echo stalled: with EPOLLET, read until EAGAIN, not once per event");
            sender.join().unwrap().unwrap();
            assert!(got == data, "the echo differs from what was sent");
            drop(c);
            assert_eq!(server.join().unwrap().unwrap(), 200_000);
        });
    }
}
