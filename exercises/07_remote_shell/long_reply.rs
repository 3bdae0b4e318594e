// Exercise `long_reply` — lesson 07, the remote shell (模拟ssh远程执行命令):
// docs/07-remote-shell.md
//
// `Shell` is an ssh client in the course's style: send a command, read the
// reply's header (its "total_size"), then the reply's body. It works for
// `echo hi` but not for a long output: here the body is read with ONE `read`
// into a 1024-byte buffer, like a single `recv(1024)`. (The notes' own
// client loops for the body; its single read is the header's,
// `phone.recv(dahler_len)`.)
//
// Fix `Shell::run` (the spot marked BUG) so it returns exactly `total_size`
// body bytes — no fewer, however the stream splits them, and no more: the
// connection stays open for the next command, so reading "until the end"
// would wait forever. The end of stream before `total_size` is an error.
//
// 中文：
// 练习 `long_reply`——第 07 课，模拟 ssh 远程执行命令。
//
// `Shell` 是一个课程风格的 ssh 客户端：发出一条命令，读取响应的报头（其中的
// "total_size"），再读取响应的正文。它对 `echo hi` 没问题，对长输出就不行了：
// 这里正文只用一次 `read` 读进一个 1024 字节的缓冲区，相当于只做了一次
// `recv(1024)`。（笔记自己的客户端读正文时是循环读的；它只读一次的地方是报头：
// `phone.recv(dahler_len)`。）
//
// 修好 `Shell::run`（标着 BUG 的地方），让它返回恰好 `total_size` 个正文字节——
// 不能少，无论字节流怎样拆分它们；也不能多：连接还要留给下一条命令，所以“读到
// 结束为止”会永远等下去。读满 `total_size` 之前流就结束了，是一个错误。

use std::io::{self, Read, Write};
use std::net::TcpStream;

/// A client connection to the remote shell server.
struct Shell {
    conn: TcpStream,
}

impl Shell {
    /// Sends `command` and returns its output (stderr, then stdout).
    fn run(&mut self, command: &str) -> io::Result<Vec<u8>> {
        // The request: 'i' length prefix + the command.
        let mut request = (command.len() as i32).to_le_bytes().to_vec();
        request.extend_from_slice(command.as_bytes());
        self.conn.write_all(&request)?;

        // The reply's header: 'i' length prefix + JSON with "total_size".
        let mut prefix = [0u8; 4];
        self.conn.read_exact(&mut prefix)?;
        let mut header = vec![0u8; i32::from_le_bytes(prefix).max(0) as usize];
        self.conn.read_exact(&mut header)?;
        let header: serde_json::Value = serde_json::from_slice(&header)?;
        let total_size = header["total_size"]
            .as_u64()
            .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidData, "no total_size"))?;

        // The body.
        // BUG: ONE read of at most 1024 bytes, like the course's single
        // recv(1024). The reply is `total_size` bytes long: read exactly that.
        let mut chunk = [0u8; 1024];
        let n = self.conn.read(&mut chunk)?;
        Ok(chunk[..n].to_vec())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use exercises::within;
    use std::net::TcpListener;
    use std::process::Command;
    use std::thread;

    /// The course's server: for each command on one connection, run it with
    /// `sh -c` and reply with header + stderr + stdout. `cut` shortens every
    /// reply body to that many bytes (a server that dies mid-reply).
    fn server(cut: Option<usize>) -> Shell {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        thread::spawn(move || {
            let (mut conn, _) = listener.accept().unwrap();
            let mut prefix = [0u8; 4];
            while conn.read_exact(&mut prefix).is_ok() {
                let mut cmd = vec![0u8; i32::from_le_bytes(prefix) as usize];
                conn.read_exact(&mut cmd).unwrap();
                let cmd = String::from_utf8(cmd).unwrap();
                let out = Command::new("sh").arg("-c").arg(&cmd).output().unwrap();
                let mut body = out.stderr;
                body.extend_from_slice(&out.stdout);
                let header = serde_json::json!({"file": "a.txt", "total_size": body.len()});
                let header = header.to_string().into_bytes();
                let mut reply = (header.len() as i32).to_le_bytes().to_vec();
                reply.extend_from_slice(&header);
                reply.extend_from_slice(&body[..cut.unwrap_or(body.len()).min(body.len())]);
                if conn.write_all(&reply).is_err() || cut.is_some() {
                    return;
                }
            }
        });
        Shell {
            conn: TcpStream::connect(addr).unwrap(),
        }
    }

    /// A short reply (`echo hi`) comes back as it is.
    /// 中文：短回复（`echo hi`）原样返回。
    #[test]
    fn a_short_reply() {
        within(10, || {
            let mut shell = server(None);
            assert_eq!(shell.run("echo hi").unwrap(), b"hi\n");
        });
    }

    /// A long reply (108,894 bytes of `seq 1 20000`) comes back whole, not just its first read.
    /// 中文：长回复（`seq 1 20000` 的 108894 个字节）要完整返回，不能只有第一次 read 读到的那部分。
    #[test]
    fn a_long_reply_comes_back_whole() {
        within(20, || {
            let mut shell = server(None);
            let expected: String = (1..=20000).map(|i| format!("{i}\n")).collect();
            let got = shell.run("seq 1 20000").unwrap();
            assert_eq!(got.len(), expected.len(), "108894 bytes of output");
            assert_eq!(got, expected.as_bytes());
        });
    }

    /// Exactly `total_size` bytes are read: the next command on the same connection still gets its own reply.
    /// 中文：只读恰好 `total_size` 个字节：同一个连接上的下一条命令仍然拿到自己的回复。
    #[test]
    fn the_next_command_on_the_same_connection_still_works() {
        within(20, || {
            let mut shell = server(None);
            assert_eq!(shell.run("seq 1 5000").unwrap().len(), 23893);
            assert_eq!(shell.run("echo after").unwrap(), b"after\n");
            assert_eq!(shell.run("printf ''").unwrap(), b"", "an empty reply");
        });
    }

    /// A reply cut short by the server closing is `UnexpectedEof`.
    /// 中文：服务端提前关闭、回复不完整时，返回 `UnexpectedEof`。
    #[test]
    fn a_reply_cut_short_is_an_error() {
        within(10, || {
            let mut shell = server(Some(3000));
            let err = shell.run("seq 1 5000").unwrap_err();
            assert_eq!(err.kind(), io::ErrorKind::UnexpectedEof);
        });
    }
}
