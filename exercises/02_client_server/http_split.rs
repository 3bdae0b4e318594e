// Exercise `http_split` — lesson 02, C/S and B/S (C/S 架构 / B/S 架构):
// docs/02-client-server-browser.md
//
// A browser keeps one TCP connection open (keep-alive) and sends request
// after request on it. The replies come back on ONE byte stream, with
// nothing between them: this is the sticky-packet problem (粘包), and HTTP
// solves it with both of the course's tools:
//   * a reply's head ends at the first empty line, "\r\n\r\n" (a delimiter);
//   * then exactly `Content-Length` bytes of body follow (a length prefix,
//     the notes' total_size).
//
// Write `read_reply`: read ONE reply from `conn` with `read()` and return it.
//   * `pending` holds bytes read earlier but not used yet: use them first.
//     Whatever you read past the end of this reply is the start of the next
//     one: leave it in `pending` (do not lose it, do not wait for more).
//   * `parse_head` (done) turns the head's text into the status and headers.
//   * No `Content-Length`, or one that is not a number: `InvalidData`.
//   * A head longer than MAX_HEAD bytes without "\r\n\r\n": `InvalidData`
//     (stop reading: never buffer a stranger's endless head).
//   * The peer closes before the reply is complete: `UnexpectedEof`.
// The tests run a real server on 127.0.0.1 that writes the replies glued
// together, cut at odd places, or broken.
//
// 中文：
// 练习 `http_split`——第 02 课，C/S 架构与 B/S 架构。
//
// 浏览器让一条 TCP 连接保持打开（长连接，keep-alive），在上面一个接一个地发请
// 求。响应从同一条字节流上回来，彼此之间什么都没有：这就是粘包问题，而 HTTP 同
// 时用上了课程里的两种办法来解决它：
//   * 响应的报头在第一个空行 "\r\n\r\n" 处结束（分隔符）；
//   * 之后紧跟恰好 `Content-Length` 个字节的正文（长度前缀，即笔记里的
//     total_size）。
//
// 写出 `read_reply`：用 `read()` 从 `conn` 读出一个响应并返回它。
//   * `pending` 里是之前读到、但还没用掉的字节：先用它们。读到的超出本响应末尾
//     的部分是下一个响应的开头：把它留在 `pending` 里（不要丢掉，也不要为它再
//     等更多数据）。
//   * `parse_head`（已写好）把报头文本解析成状态码和各个头部字段。
//   * 没有 `Content-Length`，或者它不是数字：`InvalidData`。
//   * 报头超过 MAX_HEAD 字节还没出现 "\r\n\r\n"：`InvalidData`（停止读取：永远
//     不要替陌生人缓存一个没有尽头的报头）。
//   * 响应还没收完整，对端就关闭了连接：`UnexpectedEof`。
// 测试在 127.0.0.1 上运行一个真实的服务端，它发出的响应或者粘在一起，或者在奇
// 怪的位置被切开，或者是坏的。

use std::io::{self, Read};
use std::net::TcpStream;

/// The longest head we accept.
const MAX_HEAD: usize = 8 * 1024;

/// One reply.
#[derive(Debug, PartialEq)]
struct Reply {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Reply {
    /// A header's value; names are case-insensitive in HTTP.
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// `HTTP/1.1 200 OK\r\nName: value\r\n...` (without the final empty line)
/// → (200, [("Name", "value"), ...]).
fn parse_head(head: &str) -> io::Result<(u16, Vec<(String, String)>)> {
    let bad = |why: &str| io::Error::new(io::ErrorKind::InvalidData, why.to_string());
    let mut lines = head.split("\r\n");
    let status_line = lines.next().unwrap_or("");
    let status = status_line
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| bad("no status code"))?;
    let mut headers = Vec::new();
    for line in lines {
        let (name, value) = line
            .split_once(':')
            .ok_or_else(|| bad("header without ':'"))?;
        headers.push((name.to_string(), value.trim().to_string()));
    }
    Ok((status, headers))
}

/// Reads one reply from `conn`; see the top of the file.
fn read_reply(conn: &mut TcpStream, pending: &mut Vec<u8>) -> io::Result<Reply> {
    todo!("read() until \"\\r\\n\\r\\n\", parse the head, then exactly Content-Length body bytes")
}

#[cfg(test)]
mod tests {
    use super::*;
    use exercises::within;
    use std::io::Write;
    use std::net::TcpListener;
    use std::time::Duration;

    fn reply(status: u16, body: &str) -> Vec<u8> {
        format!(
            "HTTP/1.1 {status} X\r\nContent-Type: text/plain\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        )
        .into_bytes()
    }

    /// A server that writes `pieces`, one write() each, pausing between
    /// them, then keeps the connection open for a while (or closes it).
    fn serve(pieces: Vec<Vec<u8>>, close: bool) -> TcpStream {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        std::thread::spawn(move || {
            let (mut s, _) = listener.accept().unwrap();
            s.set_nodelay(true).unwrap();
            for p in pieces {
                if s.write_all(&p).is_err() {
                    return;
                }
                std::thread::sleep(Duration::from_millis(5));
            }
            if !close {
                std::thread::sleep(Duration::from_secs(8));
            }
        });
        let conn = TcpStream::connect(addr).unwrap();
        conn.set_read_timeout(Some(Duration::from_secs(8))).unwrap();
        conn
    }

    /// Two replies glued together in one write are read as two replies, with nothing left over in `pending`.
    /// 中文：一次写过来、粘在一起的两个回复，要读成两个回复，`pending` 里不剩字节。
    #[test]
    fn two_replies_glued_in_one_write() {
        within(10, || {
            let both = [reply(200, "<html>page</html>"), reply(404, "no")].concat();
            let mut conn = serve(vec![both], false);
            let mut pending = Vec::new();
            let first = read_reply(&mut conn, &mut pending).unwrap();
            assert_eq!(
                (first.status, first.body.as_slice()),
                (200, &b"<html>page</html>"[..])
            );
            assert_eq!(first.header("content-type"), Some("text/plain"));
            let second = read_reply(&mut conn, &mut pending).unwrap();
            assert_eq!((second.status, second.body.as_slice()), (404, &b"no"[..]));
            assert!(pending.is_empty());
        });
    }

    /// Replies cut at odd places (inside the blank line, inside a body, a byte at a time) still come out whole.
    /// 中文：回复在任意位置被切开（切在空行中间、正文中间，或者一次只来一个字节），照样能完整读出。
    #[test]
    fn replies_cut_at_odd_places() {
        within(10, || {
            let stream = [
                reply(200, "first body"),
                reply(404, ""),
                reply(200, "third"),
            ]
            .concat();
            // Cut inside "\r\n\r\n", inside a body, and at single bytes.
            let cuts = [3, 40, 41, 42, 60, 61, 90, stream.len()];
            let mut pieces = Vec::new();
            let mut at = 0;
            for c in cuts {
                pieces.push(stream[at..c].to_vec());
                at = c;
            }
            let mut conn = serve(pieces, false);
            let mut pending = Vec::new();
            let bodies: Vec<Vec<u8>> = (0..3)
                .map(|_| read_reply(&mut conn, &mut pending).unwrap().body)
                .collect();
            assert_eq!(
                bodies,
                vec![b"first body".to_vec(), vec![], b"third".to_vec()]
            );
        });
    }

    /// A reply already whole in `pending` is returned without a read, and the next reply's start stays in `pending`.
    /// 中文：`pending` 里已经有一个完整的回复时，直接返回它、不再 read；下一个回复的开头留在 `pending` 里。
    #[test]
    fn a_reply_already_in_pending_needs_no_read() {
        within(10, || {
            // The server sends nothing and keeps the connection open: a read
            // would wait for 8 seconds.
            let mut conn = serve(vec![], false);
            let mut pending = [reply(200, "kept"), b"HTTP/1.1 2".to_vec()].concat();
            let r = read_reply(&mut conn, &mut pending).unwrap();
            assert_eq!(r.body, b"kept");
            assert_eq!(pending, b"HTTP/1.1 2", "the next reply's start stays");
        });
    }

    /// A reply without Content-Length, or with one that is not a number, is `InvalidData`.
    /// 中文：回复没有 Content-Length，或者它的值不是数字，都要返回 `InvalidData`。
    #[test]
    fn no_or_bad_content_length_is_invalid_data() {
        within(10, || {
            for head in [
                "HTTP/1.1 200 OK\r\n\r\nbody",
                "HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n",
            ] {
                let mut conn = serve(vec![head.as_bytes().to_vec()], false);
                let e = read_reply(&mut conn, &mut Vec::new()).unwrap_err();
                assert_eq!(e.kind(), io::ErrorKind::InvalidData, "{head:?}");
            }
        });
    }

    /// A head longer than MAX_HEAD bytes without a blank line is `InvalidData`, without waiting for more.
    /// 中文：报头超过 MAX_HEAD 字节还没遇到空行，就返回 `InvalidData`，不再等后面的数据。
    #[test]
    fn an_endless_head_is_refused_without_waiting_for_more() {
        within(10, || {
            let mut conn = serve(vec![vec![b'a'; 20_000]], false);
            let e = read_reply(&mut conn, &mut Vec::new()).unwrap_err();
            assert_eq!(e.kind(), io::ErrorKind::InvalidData);
        });
    }

    /// The server closing in the middle of a reply (in its head or its body) is `UnexpectedEof`.
    /// 中文：服务端在回复中途关闭连接（报头或正文还没收完），要返回 `UnexpectedEof`。
    #[test]
    fn closing_mid_reply_is_unexpected_eof() {
        within(10, || {
            let mut cut = reply(200, "0123456789");
            cut.truncate(cut.len() - 4);
            let mut conn = serve(vec![cut], true);
            let e = read_reply(&mut conn, &mut Vec::new()).unwrap_err();
            assert_eq!(e.kind(), io::ErrorKind::UnexpectedEof);
            let mut conn = serve(vec![b"HTTP/1.1 200 OK\r\nContent-Le".to_vec()], true);
            let e = read_reply(&mut conn, &mut Vec::new()).unwrap_err();
            assert_eq!(e.kind(), io::ErrorKind::UnexpectedEof);
        });
    }
}
