// Exercise `recv_exact` — lesson 05, sticky packets (粘包):
// docs/05-sticky-packets.md
//
// The course's client does `phone.recv(dahler_len)` and assumes it gets
// `dahler_len` bytes. It does not have to: TCP is a byte stream, and one
// `read` returns whatever has arrived so far — maybe less.
//
// Write `recv_exact`: keep reading until exactly `n` bytes are in hand.
// If the peer closes first, return an `UnexpectedEof` error
// (`std::io::ErrorKind::UnexpectedEof`) instead of a short buffer.
// Use `read`, not `read_exact` — the point is to write the loop yourself.
//
// 中文：
// 练习 `recv_exact`——第 05 课，粘包。
//
// 课程的客户端执行 `phone.recv(dahler_len)`，并以为会拿到 `dahler_len` 个字
// 节。其实不一定：TCP 是字节流，一次 `read` 返回的是到此刻为止已经到达的数据——
// 可能更少。
//
// 写出 `recv_exact`：一直读，直到手里恰好有 `n` 个字节。如果对端先关闭了连接，
// 返回 `UnexpectedEof` 错误（`std::io::ErrorKind::UnexpectedEof`），而不是一个
// 不够长的缓冲区。用 `read`，不要用 `read_exact`——重点就是自己写出这个循环。

use std::io::{self, Read};

/// Reads exactly `n` bytes from `stream`, however the bytes are split.
fn recv_exact(stream: &mut impl Read, n: usize) -> io::Result<Vec<u8>> {
    todo!("read from `stream` until {n} bytes are in hand")
}

#[cfg(test)]
mod tests {
    use super::*;
    use exercises::within;
    use std::io::Write;
    use std::net::{TcpListener, TcpStream};
    use std::sync::mpsc;
    use std::thread;

    /// A connected pair: a sender that writes `pieces` one at a time (each
    /// only after the previous one was read as far as it goes) and closes.
    fn sender(pieces: Vec<Vec<u8>>) -> (TcpStream, thread::JoinHandle<()>, mpsc::Sender<()>) {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let (go, next) = mpsc::channel::<()>();
        let writer = thread::spawn(move || {
            let (mut conn, _) = listener.accept().unwrap();
            conn.set_nodelay(true).unwrap();
            for piece in pieces {
                conn.write_all(&piece).unwrap();
                // Wait for the reader's go-ahead (or its end) before the next piece.
                let _ = next.recv();
            }
        });
        let stream = TcpStream::connect(addr).unwrap();
        (stream, writer, go)
    }

    /// Waits (at most 5 s) until `stream`'s kernel has received `n` bytes
    /// (`TCP_INFO`'s tcpi_bytes_received) and the program has read them all
    /// (`ioctl(FIONREAD)` = 0), or until the reader has ended (`ended()`:
    /// it returned or panicked, and its `join` tells which). No event
    /// announces "the reader has read", so we poll the kernel's counters
    /// instead of sleeping and hoping.
    fn wait_until_read(stream: &TcpStream, n: u64, ended: impl Fn() -> bool) {
        use nix::libc;
        use std::os::fd::AsRawFd;
        let fd = stream.as_raw_fd();
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
        loop {
            // SAFETY: tcp_info is plain data; the kernel fills at most `len` bytes.
            let mut info: libc::tcp_info = unsafe { std::mem::zeroed() };
            let mut len = std::mem::size_of::<libc::tcp_info>() as libc::socklen_t;
            let mut queued: libc::c_int = 0;
            // SAFETY: each call writes only into the variable it is given.
            let ok = unsafe {
                libc::getsockopt(
                    fd,
                    libc::IPPROTO_TCP,
                    libc::TCP_INFO,
                    (&mut info as *mut libc::tcp_info).cast(),
                    &mut len,
                ) == 0
                    && libc::ioctl(fd, libc::FIONREAD, &mut queued) == 0
            };
            assert!(ok, "asking the kernel: {}", io::Error::last_os_error());
            if (info.tcpi_bytes_received >= n && queued == 0) || ended() {
                return;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "piece one was never read"
            );
            thread::sleep(std::time::Duration::from_millis(1));
        }
    }

    /// Bytes that arrive in one piece are all returned.
    /// 中文：一次全部到达的字节，全部返回。
    #[test]
    fn gets_all_bytes_that_arrive_in_one_piece() {
        within(10, || {
            let (mut stream, writer, _go) = sender(vec![b"hello world".to_vec()]);
            assert_eq!(recv_exact(&mut stream, 11).unwrap(), b"hello world");
            drop(_go);
            writer.join().unwrap();
        });
    }

    /// Bytes that arrive in two pieces, the second only after the first was read, are all returned: one `read` is not enough.
    /// 中文：字节分两次到达（第一段读走之后第二段才发出），也要全部返回：只调一次 `read` 不够。
    #[test]
    fn gets_all_bytes_when_they_arrive_in_pieces() {
        within(10, || {
            // The second piece is only sent once the reader has read the first
            // one and is waiting for more: a single read() can't return it all.
            let (mut stream, writer, go) = sender(vec![b"1234".to_vec(), b"56789".to_vec()]);
            let watch = stream.try_clone().unwrap(); // the same socket, to ask the kernel
            let reader = thread::spawn(move || recv_exact(&mut stream, 9));
            // Release piece two only once the reader has read piece one: the
            // kernel says 4 bytes came in and none is left queued.
            wait_until_read(&watch, 4, || reader.is_finished());
            let _ = go.send(());
            let got = reader.join().unwrap().unwrap();
            assert_eq!(got, b"123456789");
            drop(go);
            writer.join().unwrap();
        });
    }

    /// 500,000 bytes come back whole, however the kernel splits them.
    /// 中文：50 万个字节无论内核怎么拆分，都要完整收回来。
    #[test]
    fn big_reads_come_back_whole() {
        within(20, || {
            let big: Vec<u8> = (0..500_000u32).map(|i| (i % 251) as u8).collect();
            let (mut stream, writer, go) = sender(vec![big.clone()]);
            assert_eq!(recv_exact(&mut stream, big.len()).unwrap(), big);
            drop(go);
            writer.join().unwrap();
        });
    }

    /// The peer closing before `n` bytes arrived is `UnexpectedEof`, not a short buffer.
    /// 中文：对端在 `n` 个字节到齐之前关闭了连接，要返回 `UnexpectedEof`，而不是一个不够长的缓冲区。
    #[test]
    fn peer_closing_early_is_an_error_not_a_short_buffer() {
        within(10, || {
            let (mut stream, writer, go) = sender(vec![b"only5".to_vec()]);
            drop(go); // the sender closes right after its one piece
            writer.join().unwrap();
            let err = recv_exact(&mut stream, 10).unwrap_err();
            assert_eq!(err.kind(), io::ErrorKind::UnexpectedEof);
        });
    }
}
