// Exercise `long_reply` — lesson 07, the remote shell (模拟ssh远程执行命令):
// docs/07-remote-shell.md
//
// `Shell` is the course's ssh client: send a command, read the reply's
// header (its "total_size"), then the reply's body. It works for `echo hi`
// but not for a long output: the body is read with ONE `read` into a
// 1024-byte buffer, like a single `recv(1024)`.
//
// Fix `Shell::run` (the spot marked BUG) so it returns exactly `total_size`
// body bytes — no fewer, however the stream splits them, and no more: the
// connection stays open for the next command, so reading "until the end"
// would wait forever. The end of stream before `total_size` is an error.

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

        // The body: exactly total_size bytes, in as many reads as it takes.
        let mut body = Vec::with_capacity(total_size as usize);
        let mut chunk = [0u8; 1024];
        while (body.len() as u64) < total_size {
            let want = (total_size - body.len() as u64).min(chunk.len() as u64) as usize;
            let n = self.conn.read(&mut chunk[..want])?;
            if n == 0 {
                return Err(io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    format!("server closed after {} of {total_size} bytes", body.len()),
                ));
            }
            body.extend_from_slice(&chunk[..n]);
        }
        Ok(body)
    }
}

// The tests are the exercise's own, kept once: see exercises/07_remote_shell/long_reply.rs.
// (`cargo run -p course -- verify` runs them against this solution.)
