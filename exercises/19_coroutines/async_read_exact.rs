// Exercise `async_read_exact` — lesson 19, coroutines (协程, 遇到IO自动切换):
// docs/19-coroutines.md
//
// A socket future never lets the thread sleep in `read`. It TRIES the read
// on a non-blocking socket; when the kernel says EAGAIN ("nothing yet") it
// leaves its waker with the reactor — "wake me when this socket is
// readable" — and returns `Poll::Pending`, so that the runtime can run
// something else, or sleep in epoll_wait. This is what gevent's patched
// `recv` does, and what `.await` on a socket does in Rust.
//
// Write `read_exact(reactor, sock, buf)`, an async fn that fills `buf`:
//   loop until `buf` is full:
//     - `(&*sock).read(&mut buf[got..])`:
//         Ok(0)            -> Err(io::ErrorKind::UnexpectedEof.into())
//         Ok(n)            -> got += n
//         Err(WouldBlock)  -> wait: `std::future::poll_fn(|cx| ...)` that, the
//                             first time it is polled, calls
//                             `reactor.register(sock.as_raw_fd(), cx.waker())?`
//                             and returns `Poll::Pending`; polled again (after
//                             the wake), `Poll::Ready(Ok(()))`
//         Err(Interrupted) -> try again
//         Err(e)           -> return it
// The socket is already non-blocking (the tests set it). The tests send
// the bytes in pieces with pauses; `block_on` (exercises::reactor) fails at
// once if your future returns Pending without registering.
//
// 中文：
// 练习 `async_read_exact`——第 19 课，协程（遇到IO自动切换）。
//
// 套接字上的 future 从不让线程阻塞在 `read` 里。它在非阻塞套接字上先“试着
// 读”；内核回答 EAGAIN（“还没有数据”）时，它把自己的 waker 交给 reactor——“这
// 个套接字可读时叫醒我”——然后返回 `Poll::Pending`，运行时就可以去跑别的任务，
// 或者阻塞在 epoll_wait 里等待。gevent 打过补丁的 `recv` 做的就是这件事，Rust 里对套接字
// 的 `.await` 也是这样。
//
// 写出 `read_exact(reactor, sock, buf)`，一个把 `buf` 填满的 async fn：
//   循环直到 `buf` 填满：
//     - `(&*sock).read(&mut buf[got..])`：
//         Ok(0)            -> Err(io::ErrorKind::UnexpectedEof.into())
//         Ok(n)            -> got += n
//         Err(WouldBlock)  -> 等待：写一个 `std::future::poll_fn(|cx| ...)`，它第
//                             一次被 poll 时调用
//                             `reactor.register(sock.as_raw_fd(), cx.waker())?`
//                             并返回 `Poll::Pending`；（被唤醒后）再次被 poll 时
//                             返回 `Poll::Ready(Ok(()))`
//         Err(Interrupted) -> 再试一次
//         Err(e)           -> 把它返回出去
// 套接字已经是非阻塞的（测试里设好了）。测试把数据分成几段、中间停顿着发送；
// 你的 future 如果返回 Pending 却没有注册，`block_on`（exercises::reactor）会
// 立即报错。

use exercises::reactor::Reactor;
use std::io::{self, Read};
use std::net::TcpStream;
use std::os::fd::AsRawFd;
use std::task::Poll;

/// Fills `buf` from the non-blocking `sock`, waiting on `reactor` on EAGAIN.
pub async fn read_exact(reactor: &Reactor, sock: &TcpStream, buf: &mut [u8]) -> io::Result<()> {
    // Try the read; on WouldBlock: register with the reactor and return Pending once.
    todo!("read until buf is full; on EAGAIN register with the reactor and wait")
}

#[cfg(test)]
mod tests {
    use super::*;
    use exercises::reactor::block_on;
    use exercises::within;
    use std::io::Write;
    use std::net::TcpListener;
    use std::time::Duration;

    fn pair() -> (TcpStream, TcpStream) {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let client = TcpStream::connect(listener.local_addr().unwrap()).unwrap();
        let (server, _) = listener.accept().unwrap();
        server.set_nonblocking(true).unwrap();
        (client, server)
    }

    /// Sends `pieces` of `size` bytes, `pause` apart, then keeps the socket open.
    fn send_in_pieces(mut client: TcpStream, pieces: usize, size: usize, pause: Duration) {
        std::thread::spawn(move || {
            for p in 0..pieces {
                std::thread::sleep(pause);
                let _ = client.write_all(&vec![p as u8; size]);
            }
            std::thread::sleep(Duration::from_secs(3));
        });
    }

    /// Four pieces sent with pauses are all read, in order, with a few polls: the future waits on the reactor instead of spinning.
    /// 中文：分四次、中间有停顿发来的数据全部按顺序读到，而且只 poll 了几次：future 在 reactor 上等待，而不是空转。
    #[test]
    fn waits_for_every_piece_without_spinning() {
        within(10, || {
            let (client, server) = pair();
            send_in_pieces(client, 4, 1000, Duration::from_millis(50));
            let reactor = Reactor::new().unwrap();
            let mut buf = vec![0xffu8; 4000];
            let (done, polls) =
                block_on(&reactor, read_exact(&reactor, &server, &mut buf)).unwrap();
            done.unwrap();
            let expected: Vec<u8> = (0..4u8).flat_map(|p| vec![p; 1000]).collect();
            assert_eq!(buf, expected, "every byte, in order");
            assert!(polls.0 <= 12, "polled {} times for 4 pieces", polls.0);
        });
    }

    /// Bytes already waiting are read in one poll, with no `Pending`.
    /// 中文：数据已经到了，一次 poll 就读完，不返回 `Pending`。
    #[test]
    fn bytes_already_there_need_no_wait() {
        within(10, || {
            let (mut client, server) = pair();
            client.write_all(b"hello").unwrap();
            std::thread::sleep(Duration::from_millis(50));
            let reactor = Reactor::new().unwrap();
            let mut buf = [0u8; 5];
            let (done, polls) =
                block_on(&reactor, read_exact(&reactor, &server, &mut buf)).unwrap();
            done.unwrap();
            assert_eq!(&buf, b"hello");
            assert_eq!(polls.0, 1, "the data was there: one poll, no Pending");
        });
    }

    /// A peer that closes after 9 of 20 bytes is `UnexpectedEof`, with the 9 bytes in the buffer.
    /// 中文：要 20 个字节，对端只发 9 个就关闭，返回 `UnexpectedEof`，那 9 个字节已在缓冲区里。
    #[test]
    fn a_peer_that_closes_early_is_unexpected_eof() {
        within(10, || {
            let (mut client, server) = pair();
            std::thread::spawn(move || {
                std::thread::sleep(Duration::from_millis(50));
                client.write_all(b"only half").unwrap();
            }); // the client is dropped: end-of-file after 9 bytes
            let reactor = Reactor::new().unwrap();
            let mut buf = [0u8; 20];
            let (done, _) = block_on(&reactor, read_exact(&reactor, &server, &mut buf)).unwrap();
            let err = done.expect_err("20 bytes asked, 9 sent: must fail");
            assert_eq!(err.kind(), io::ErrorKind::UnexpectedEof);
            assert_eq!(&buf[..9], b"only half");
        });
    }
}
