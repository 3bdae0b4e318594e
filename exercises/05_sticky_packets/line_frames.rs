// Exercise `line_frames` — lesson 05, sticky packets (粘包):
// docs/05-sticky-packets.md
//
// TCP keeps no message boundaries: two `send`s can arrive as one `recv`
// ("sticky"), one `send` can arrive as two. So the receiver must find the
// boundaries itself. The simplest protocol: every message ends with b'\n'.
//
// Write `LineReader::next_line`: return the next complete message (without
// its b'\n'), however the bytes were split or merged on the way. Bytes that
// arrive after a b'\n' belong to the NEXT message: keep them in `pending`.
//   * clean end of stream (nothing pending) -> `Ok(None)`
//   * end of stream in the middle of a message -> `UnexpectedEof` error
//
// 中文：
// 练习 `line_frames`——第 05 课，粘包。
//
// TCP 不保留消息边界：两次 `send` 可能在一次 `recv` 里到达（“粘”在一起），一次
// `send` 也可能分两次到达。所以接收方必须自己找出边界。最简单的协议：每条消息
// 都以 b'\n' 结尾。
//
// 写出 `LineReader::next_line`：返回下一条完整的消息（不含它的 b'\n'），不管这
// 些字节在路上被怎样拆分或合并。在 b'\n' 之后到达的字节属于下一条消息：把它们
// 留在 `pending` 里。
//   * 干净的流结束（没有待处理的字节）-> `Ok(None)`
//   * 流在一条消息的中间结束 -> `UnexpectedEof` 错误

use std::io::{self, Read};

/// Cuts a byte stream into b'\n'-terminated messages.
struct LineReader<R> {
    inner: R,
    /// Bytes already read from `inner` but not yet returned.
    pending: Vec<u8>,
}

impl<R: Read> LineReader<R> {
    fn new(inner: R) -> Self {
        LineReader {
            inner,
            pending: Vec::new(),
        }
    }

    /// The next message without its b'\n', or `None` at a clean end of stream.
    fn next_line(&mut self) -> io::Result<Option<Vec<u8>>> {
        todo!("return the next complete message, keep the rest in self.pending")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use exercises::within;
    use std::io::Write;
    use std::net::{TcpListener, TcpStream};
    use std::thread;
    use std::time::Duration;

    /// Sends `pieces` over a real loopback connection, pausing between them
    /// so they really travel separately, then closes. Returns the reader side.
    fn send_pieces(pieces: Vec<&'static [u8]>) -> (LineReader<TcpStream>, thread::JoinHandle<()>) {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let writer = thread::spawn(move || {
            let mut conn = TcpStream::connect(addr).unwrap();
            conn.set_nodelay(true).unwrap();
            for piece in pieces {
                conn.write_all(piece).unwrap();
                thread::sleep(Duration::from_millis(30));
            }
        });
        let (conn, _) = listener.accept().unwrap();
        (LineReader::new(conn), writer)
    }

    fn all_lines(reader: &mut LineReader<TcpStream>) -> Vec<String> {
        let mut out = Vec::new();
        while let Some(line) = reader.next_line().unwrap() {
            out.push(String::from_utf8(line).unwrap());
        }
        out
    }

    /// Two messages sent in one write come back as two.
    /// 中文：一次写进去的两条消息，读出来还是两条。
    #[test]
    fn two_messages_glued_together_come_apart() {
        within(10, || {
            let (mut reader, writer) = send_pieces(vec![b"hello\nworld\n"]);
            assert_eq!(all_lines(&mut reader), ["hello", "world"]);
            writer.join().unwrap();
        });
    }

    /// A message split across several writes comes back whole, and an empty line is a message too.
    /// 中文：分成几次写过来的一条消息，读出来是完整的一条；空行也算一条消息。
    #[test]
    fn a_message_split_in_pieces_comes_back_whole() {
        within(10, || {
            let (mut reader, writer) = send_pieces(vec![b"hel", b"lo\nwor", b"ld\n", b"\n"]);
            assert_eq!(all_lines(&mut reader), ["hello", "world", ""]);
            writer.join().unwrap();
        });
    }

    /// 5000 messages in one big write come back as 5000, each in its place.
    /// 中文：一次写进去 5000 条消息，读出来还是 5000 条，顺序不乱。
    #[test]
    fn many_messages_in_one_big_write() {
        within(20, || {
            let text: String = (0..5000).map(|i| format!("message {i}\n")).collect();
            let text: &'static [u8] = Box::leak(text.into_bytes().into_boxed_slice());
            let (mut reader, writer) = send_pieces(vec![text]);
            let lines = all_lines(&mut reader);
            assert_eq!(lines.len(), 5000);
            assert_eq!(lines[4321], "message 4321");
            writer.join().unwrap();
        });
    }

    /// The stream ending in the middle of a message is `UnexpectedEof`, after the complete message before it.
    /// 中文：前面完整的消息照常返回；数据流在一条消息中途结束，就返回 `UnexpectedEof`。
    #[test]
    fn end_of_stream_mid_message_is_an_error() {
        within(10, || {
            let (mut reader, writer) = send_pieces(vec![b"complete\nincompl"]);
            assert_eq!(reader.next_line().unwrap().unwrap(), b"complete");
            let err = reader.next_line().unwrap_err();
            assert_eq!(err.kind(), io::ErrorKind::UnexpectedEof);
            writer.join().unwrap();
        });
    }
}
