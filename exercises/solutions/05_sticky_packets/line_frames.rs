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
        loop {
            if let Some(end) = self.pending.iter().position(|&b| b == b'\n') {
                let mut line: Vec<u8> = self.pending.drain(..=end).collect();
                line.pop(); // the b'\n'
                return Ok(Some(line));
            }
            let mut chunk = [0u8; 1024];
            let n = match self.inner.read(&mut chunk) {
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            if n == 0 {
                return if self.pending.is_empty() {
                    Ok(None)
                } else {
                    Err(io::Error::new(
                        io::ErrorKind::UnexpectedEof,
                        "stream ended in the middle of a message",
                    ))
                };
            }
            self.pending.extend_from_slice(&chunk[..n]);
        }
    }
}

// The tests are the exercise's own, kept once: see exercises/05_sticky_packets/line_frames.rs.
// (`cargo run -p course -- verify` runs them against this solution.)
