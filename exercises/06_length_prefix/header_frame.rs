// Exercise `header_frame` — lesson 06, the length prefix (报头):
// docs/06-length-prefix.md
//
// The course's client reads a header frame like this:
//     header_len = struct.unpack('i', phone.recv(4))[0]
//     header = json.loads(phone.recv(header_len))
// and trusts whatever arrives. Write `read_header` so that it never does:
//   1. read the 4-byte prefix (an i32, little-endian, like 'i');
//      end of stream before the first byte -> Ok(None) (the peer is done);
//      end of stream inside the prefix -> Err
//   2. a negative length or one above MAX_HEADER -> Err, WITHOUT reading on
//      (a lying peer must not make us wait for, or allocate, 2 GB)
//   3. read exactly that many bytes (end of stream before that -> Err)
//   4. they must be a JSON object with "total_size": a non-negative integer
//      (anything else -> Err)
// Leave the body alone: the caller reads `total_size` bytes after the header.
// First write `fill`, the loop around `read` (the course's `recv`) that
// both steps need: one `read` may return fewer bytes than asked for.
//
// 中文：
// 练习 `header_frame`——第 06 课，长度前缀（报头）。
//
// 课程的客户端这样读取一个报头帧：
//     header_len = struct.unpack('i', phone.recv(4))[0]
//     header = json.loads(phone.recv(header_len))
// 而且来什么就信什么。写出 `read_header`，让它绝不轻信：
//   1. 读 4 字节的前缀（一个 i32，小端序，同 'i'）；
//      第一个字节之前流就结束 -> Ok(None)（对端说完了）；
//      在前缀中间结束 -> Err
//   2. 长度为负或超过 MAX_HEADER -> Err，并且不再往下读（说谎的对端不能让我们
//      为 2 GB 数据空等或分配内存）
//   3. 恰好读出那么多字节（没读够流就结束 -> Err）
//   4. 它们必须是一个 JSON 对象，带有 "total_size"：一个非负整数（其他情况 ->
//      Err）
// 不要动正文：调用方会在报头之后读取 `total_size` 个字节。
// 先写 `fill`：第 1 步和第 3 步都要用到的、包在 `read`（课程里的 `recv`）外面
// 的循环——一次 `read` 返回的字节可能比要求的少。

use serde_json::{Map, Value};
use std::io::{self, Read};

/// The largest header we accept, in bytes.
const MAX_HEADER: usize = 64 * 1024;

/// Reads until `buf` is full or the stream ends; returns how many bytes it
/// got (fewer than `buf.len()` only at the end of the stream).
fn fill(stream: &mut impl Read, buf: &mut [u8]) -> io::Result<usize> {
    todo!(
        "read into the {} bytes of buf until it is full or read returns 0",
        buf.len()
    )
}

/// Reads one header frame: `Ok(None)` at a clean end of stream.
fn read_header(stream: &mut impl Read) -> Result<Option<Map<String, Value>>, String> {
    todo!("prefix, limits, exact header bytes, JSON object with total_size")
}

#[cfg(test)]
mod tests {
    use super::*;
    use exercises::within;
    use std::io::Write;
    use std::net::{TcpListener, TcpStream};
    use std::sync::mpsc;
    use std::thread;

    /// A real connection whose peer sends `bytes`, then closes — or, with
    /// `keep_open`, stays connected until the test ends (a peer that lies
    /// about a length and then waits).
    fn peer_sends(bytes: Vec<u8>, keep_open: bool) -> (TcpStream, mpsc::Sender<()>) {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let (stop, wait) = mpsc::channel::<()>();
        thread::spawn(move || {
            let mut conn = TcpStream::connect(addr).unwrap();
            conn.write_all(&bytes).unwrap();
            if keep_open {
                let _ = wait.recv();
            }
        });
        let (conn, _) = listener.accept().unwrap();
        (conn, stop)
    }

    fn frame(json: &str) -> Vec<u8> {
        let mut out = (json.len() as i32).to_le_bytes().to_vec();
        out.extend_from_slice(json.as_bytes());
        out
    }

    /// The course's header frame is read as JSON, and the body after it is left untouched for the caller.
    /// 中文：课程的报头帧按 JSON 读出来，后面的正文原封不动地留给调用者。
    #[test]
    fn reads_the_course_header_and_leaves_the_body() {
        within(10, || {
            let mut bytes = frame(r#"{"filename": "a.txt", "total_size": 11, "hash": "x"}"#);
            bytes.extend_from_slice(b"hello world");
            let (mut conn, _stop) = peer_sends(bytes, false);
            let header = read_header(&mut conn).unwrap().expect("a header");
            assert_eq!(header["total_size"], 11);
            assert_eq!(header["filename"], "a.txt");
            let mut body = Vec::new();
            conn.read_to_end(&mut body).unwrap();
            assert_eq!(body, b"hello world", "the body is still there, untouched");
        });
    }

    /// Two headers sent back to back are read one after the other, then the end of stream is `Ok(None)`.
    /// 中文：紧挨着发来的两个报头依次读出；之后对端正常关闭，返回 `Ok(None)`。
    #[test]
    fn back_to_back_headers_then_clean_end() {
        within(10, || {
            let mut bytes = frame(r#"{"total_size": 0}"#);
            bytes.extend(frame(r#"{"total_size": 5, "n": 2}"#));
            let (mut conn, _stop) = peer_sends(bytes, false);
            assert_eq!(read_header(&mut conn).unwrap().unwrap()["total_size"], 0);
            assert_eq!(read_header(&mut conn).unwrap().unwrap()["n"], 2);
            assert_eq!(read_header(&mut conn).unwrap(), None, "clean end of stream");
        });
    }

    /// A frame cut off inside the prefix or inside the header is an error.
    /// 中文：帧在长度前缀或报头中途断掉，都要返回错误。
    #[test]
    fn truncated_frames_are_errors() {
        within(10, || {
            let (mut conn, _stop) = peer_sends(vec![0x10, 0x00], false);
            assert!(read_header(&mut conn).is_err(), "2 of 4 prefix bytes");
            let mut short = frame(r#"{"total_size": 1}"#);
            short.truncate(10);
            let (mut conn, _stop) = peer_sends(short, false);
            assert!(read_header(&mut conn).is_err(), "half a header");
        });
    }

    /// A negative length, or one above MAX_HEADER, is refused at once, without waiting for or allocating the bytes it claims.
    /// 中文：长度为负或超过 MAX_HEADER，立即拒绝，不去等、也不去分配它声称的那么多字节。
    #[test]
    fn lying_lengths_are_refused_at_once() {
        within(10, || {
            let (mut conn, _stop) = peer_sends((-1i32).to_le_bytes().to_vec(), true);
            assert!(read_header(&mut conn).is_err(), "negative length");
            let (mut conn, _stop) = peer_sends(i32::MAX.to_le_bytes().to_vec(), true);
            assert!(
                read_header(&mut conn).is_err(),
                "2 GB header: refuse, don't wait"
            );
            let over = (MAX_HEADER as i32 + 1).to_le_bytes().to_vec();
            let (mut conn, _stop) = peer_sends(over, true);
            assert!(read_header(&mut conn).is_err(), "one byte over the limit");
        });
    }

    /// A header that is not a JSON object with a non-negative integer `total_size` is refused.
    /// 中文：报头必须是 JSON 对象，并且带一个非负整数 `total_size`，否则拒绝。
    #[test]
    fn headers_must_be_objects_with_a_total_size() {
        within(10, || {
            for bad in [
                "not json",
                r#"[1, 2, 3]"#,
                r#"{"filename": "a.txt"}"#,
                r#"{"total_size": -5}"#,
                r#"{"total_size": "11"}"#,
            ] {
                let (mut conn, _stop) = peer_sends(frame(bad), false);
                assert!(read_header(&mut conn).is_err(), "should refuse {bad}");
            }
        });
    }
}
