// Exercise `length_prefix` — lesson 06, the length prefix (报头 + struct):
// docs/06-length-prefix.md
//
// The course fixes sticky packets with a fixed-length header:
// `struct.pack('i', len(data))` — 4 bytes holding the length — then the data.
// On x86-64, 'i' is a 32-bit int in little-endian order: 507 -> b'\xfb\x01\x00\x00'.
// The network convention ('!I') is big-endian instead: 507 -> b'\x00\x00\x01\xfb'.
//
// 1. Write `prefix` (the course's 'i') and `prefix_network` ('!I'): the 4
//    header bytes for a payload of `len` bytes. A length the prefix cannot
//    hold is an error: 'i' holds at most i32::MAX, '!I' at most u32::MAX.
//    `frame` (prefix + payload) is already written. Hint: `to_le_bytes`.
// 2. Write `send_frame`: send one frame on a TCP socket in ONE system call.
//    The course sends the prefix with one `send` and the data with another:
//    two small segments on the wire for every message (and with Nagle's
//    algorithm on, the second may wait for the peer's delayed ACK). The test
//    turns Nagle off and counts, with `getsockopt(TCP_INFO)`, the segments
//    your socket sent: one per frame.
//
// 中文：
// 练习 `length_prefix`——第 06 课，长度前缀（报头 + struct）。
//
// 课程用固定长度的报头解决粘包：`struct.pack('i', len(data))`——存放长度的 4 个
// 字节——后面跟着数据。在 x86-64 上，'i' 是小端序的 32 位整数：507 ->
// b'\xfb\x01\x00\x00'。网络惯例（'!I'）则是大端序：507 ->
// b'\x00\x00\x01\xfb'。
//
// 1. 写出 `prefix`（课程的 'i'）和 `prefix_network`（'!I'）：为 `len` 字节的负
//    载生成 4 个报头字节。前缀装不下的长度是错误：'i' 最多装 i32::MAX，'!I' 最
//    多装 u32::MAX。`frame`（前缀 + 负载）已经写好。提示：`to_le_bytes`。
// 2. 写出 `send_frame`：在一个 TCP 套接字上用一次系统调用发出一帧。课程用一次
//    `send` 发前缀、另一次 `send` 发数据：每条消息在线路上都是两个小报文段（而
//    且开着 Nagle 算法时，第二个可能要等对端的延迟 ACK）。测试会关掉 Nagle 算
//    法，再用 `getsockopt(TCP_INFO)` 数你的套接字发出的报文段：每帧一个。

use std::io::Write;
use std::net::TcpStream;

/// `struct.pack('i', len)`.
fn prefix(len: usize) -> Result<[u8; 4], String> {
    todo!("the 4 bytes of struct.pack('i', {len})")
}

/// `struct.pack('!I', len)`.
fn prefix_network(len: usize) -> Result<[u8; 4], String> {
    todo!("the 4 bytes of struct.pack('!I', {len})")
}

/// `struct.pack('i', len(payload)) + payload`: one frame, ready to send.
fn frame(payload: &[u8]) -> Result<Vec<u8>, String> {
    let mut out = Vec::with_capacity(4 + payload.len());
    out.extend_from_slice(&prefix(payload.len())?);
    out.extend_from_slice(payload);
    Ok(out)
}

/// Sends `struct.pack('i', len(payload)) + payload` on `stream`, prefix
/// and payload together in one system call.
fn send_frame(stream: &mut TcpStream, payload: &[u8]) -> std::io::Result<()> {
    todo!(
        "one write of the prefix and the {} payload bytes on {stream:?}",
        payload.len()
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use exercises::within;
    use std::io::Read;
    use std::net::TcpListener;
    use std::thread;

    /// `tcpi_data_segs_out` from `getsockopt(TCP_INFO)`: how many segments
    /// carrying data this socket has sent.
    fn data_segments_out(stream: &TcpStream) -> u32 {
        use nix::libc;
        use std::os::fd::AsRawFd;
        // SAFETY: tcp_info is plain data; the kernel fills at most `len` bytes.
        let mut info: libc::tcp_info = unsafe { std::mem::zeroed() };
        let mut len = std::mem::size_of::<libc::tcp_info>() as libc::socklen_t;
        let rc = unsafe {
            libc::getsockopt(
                stream.as_raw_fd(),
                libc::IPPROTO_TCP,
                libc::TCP_INFO,
                (&mut info as *mut libc::tcp_info).cast(),
                &mut len,
            )
        };
        assert_eq!(rc, 0, "getsockopt(TCP_INFO)");
        info.tcpi_data_segs_out
    }

    /// `send_frame` sends the prefix and the payload in one write: one TCP segment per frame (counted with TCP_INFO).
    /// 中文：`send_frame` 把长度前缀和数据一次写出去：每帧只占一个 TCP 报文段（用 TCP_INFO 计数）。
    #[test]
    fn send_frame_puts_one_frame_in_one_segment() {
        within(10, || {
            let listener = TcpListener::bind("127.0.0.1:0").unwrap();
            let mut client = TcpStream::connect(listener.local_addr().unwrap()).unwrap();
            let (mut server, _) = listener.accept().unwrap();
            client.set_nodelay(true).unwrap(); // every write leaves at once
            let messages = [
                &b"ls -l"[..],
                b"whoami",
                b"a longer message, 40 bytes long........",
            ];
            let before = data_segments_out(&client);
            for m in messages {
                send_frame(&mut client, m).unwrap();
            }
            // The receiver sees the course's bytes, frame after frame...
            let mut expected = Vec::new();
            for m in messages {
                expected.extend(frame(m).unwrap());
            }
            let mut got = vec![0u8; expected.len()];
            server.read_exact(&mut got).unwrap();
            assert_eq!(got, expected, "prefix ('i', little-endian) then payload");
            // ...and each frame left the client as one segment, not two.
            let segments = data_segments_out(&client) - before;
            assert_eq!(
                segments,
                messages.len() as u32,
                "{} frames took {segments} segments: prefix and payload must go in one write",
                messages.len()
            );
        });
    }

    /// 507 gives the course's bytes: `fb 01 00 00` for 'i' and `00 00 01 fb` for '!I'.
    /// 中文：507 得到课程里的字节：'i' 是 `fb 01 00 00`，'!I' 是 `00 00 01 fb`。
    #[test]
    fn the_course_example_507() {
        within(5, || {
            assert_eq!(
                prefix(507).unwrap(),
                [0xfb, 0x01, 0x00, 0x00],
                "struct.pack('i', 507)"
            );
            assert_eq!(
                prefix_network(507).unwrap(),
                [0x00, 0x00, 0x01, 0xfb],
                "struct.pack('!I', 507)"
            );
            assert_eq!(frame(&[b'x'; 507]).unwrap().len(), 4 + 507);
        });
    }

    /// An empty payload is framed as a prefix of four zero bytes and nothing else.
    /// 中文：空数据的帧只有 4 个零字节的长度前缀。
    #[test]
    fn empty_payload_is_just_a_zero_prefix() {
        within(5, || {
            assert_eq!(frame(b"").unwrap(), [0, 0, 0, 0]);
            assert_eq!(prefix_network(0).unwrap(), [0, 0, 0, 0]);
        });
    }

    /// Three frames glued into one write are told apart again by their prefixes, the empty one included.
    /// 中文：三个帧粘在一起一次写出，接收方靠长度前缀把它们重新分开，空帧也不例外。
    #[test]
    fn frames_sent_back_to_back_can_be_told_apart() {
        within(10, || {
            // The sender glues three frames into one write (sticky on purpose);
            // the receiver recovers each message from its prefix.
            let listener = TcpListener::bind("127.0.0.1:0").unwrap();
            let addr = listener.local_addr().unwrap();
            let mut all = Vec::new();
            for msg in [
                &b"ls -l"[..],
                b"",
                b"a longer message, 40 bytes long........",
            ] {
                all.extend(frame(msg).unwrap());
            }
            let sender = thread::spawn(move || {
                TcpStream::connect(addr).unwrap().write_all(&all).unwrap();
            });
            let (mut conn, _) = listener.accept().unwrap();
            let mut got = Vec::new();
            let mut head = [0u8; 4];
            while conn.read_exact(&mut head).is_ok() {
                let mut body = vec![0u8; i32::from_le_bytes(head) as usize];
                conn.read_exact(&mut body).unwrap();
                got.push(String::from_utf8(body).unwrap());
            }
            assert_eq!(
                got,
                ["ls -l", "", "a longer message, 40 bytes long........"]
            );
            sender.join().unwrap();
        });
    }

    /// A length above i32::MAX for 'i', or above u32::MAX for '!I', is an error.
    /// 中文：'i' 装不下超过 i32::MAX 的长度，'!I' 装不下超过 u32::MAX 的长度，都要返回错误。
    #[test]
    fn lengths_the_prefix_cannot_hold_are_errors() {
        within(5, || {
            assert_eq!(prefix(i32::MAX as usize).unwrap(), [0xff, 0xff, 0xff, 0x7f]);
            assert!(
                prefix(i32::MAX as usize + 1).is_err(),
                "'i' cannot hold 2^31"
            );
            assert_eq!(prefix_network(u32::MAX as usize).unwrap(), [0xff; 4]);
            assert!(
                prefix_network(u32::MAX as usize + 1).is_err(),
                "'!I' cannot hold 2^32"
            );
        });
    }
}
