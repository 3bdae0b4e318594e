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
//
// 中文：
// 练习 `two_clients`——第 07 课，模拟 ssh 远程执行命令。
//
// 课程的服务端有两层循环：外层是 `accept()` 循环，内层循环只和一个客户端对话，
// 直到它离开。在它和第一个客户端对话时，第二个客户端其实已经连上了（内核已经替
// 它完成了三次握手，把它停放在 backlog 里，即半连接池/全连接队列），却没有人理
// 它。
//
// 下面的 `serve` 就是这个服务端，只不过做成了回显（echo）服务端。修好它（标着
// BUG 的地方），让所有客户端同时得到服务，每个客户端由它自己的线程负责：一个连
// 上之后一声不吭的客户端不能挡住其他任何人。

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};

/// Accepts clients forever and echoes back whatever each one sends.
fn serve(listener: TcpListener) {
    for conn in listener.incoming() {
        let Ok(conn) = conn else { continue };
        // BUG: while `echo` talks to this client, nobody accepts the next one.
        echo(conn);
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

#[cfg(test)]
mod tests {
    use super::*;
    use exercises::within;
    use std::net::SocketAddr;
    use std::time::Duration;

    fn start_server() -> SocketAddr {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        std::thread::spawn(move || serve(listener));
        addr
    }

    /// Sends `msg` and waits (at most 2 s) for the echo.
    fn ask(conn: &mut TcpStream, msg: &[u8]) -> Vec<u8> {
        conn.set_read_timeout(Some(Duration::from_secs(2))).unwrap();
        conn.write_all(msg).unwrap();
        let mut got = vec![0u8; msg.len()];
        conn.read_exact(&mut got)
            .expect("no echo within 2 s: is this client waiting behind another one?");
        got
    }

    /// One client gets each message echoed back.
    /// 中文：只有一个客户端时，每条消息都原样发回。
    #[test]
    fn one_client_gets_its_echo() {
        within(3, || {
            let mut a = TcpStream::connect(start_server()).unwrap();
            assert_eq!(ask(&mut a, b"hello"), b"hello");
            assert_eq!(ask(&mut a, b"again"), b"again");
        });
    }

    /// A client that stays connected and silent does not stop the next client from being served.
    /// 中文：一个客户端连着不说话，不能挡住下一个客户端。
    #[test]
    fn a_silent_client_does_not_block_the_next_one() {
        within(3, || {
            let addr = start_server();
            let mut a = TcpStream::connect(addr).unwrap();
            assert_eq!(ask(&mut a, b"I am A"), b"I am A");
            // A stays connected and says nothing more. B must still be served.
            let mut b = TcpStream::connect(addr).unwrap();
            assert_eq!(ask(&mut b, b"I am B"), b"I am B");
            assert_eq!(ask(&mut a, b"A again"), b"A again");
        });
    }

    /// Ten clients connected at once are all served, the last one to connect first.
    /// 中文：十个客户端同时连着，都能得到服务，最后连上的那个先问也一样。
    #[test]
    fn ten_clients_at_once() {
        within(3, || {
            let addr = start_server();
            let mut clients: Vec<TcpStream> =
                (0..10).map(|_| TcpStream::connect(addr).unwrap()).collect();
            for (i, c) in clients.iter_mut().enumerate().rev() {
                let msg = format!("client {i}");
                assert_eq!(ask(c, msg.as_bytes()), msg.as_bytes());
            }
        });
    }
}
