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

use std::io::{self, Read};

/// Reads exactly `n` bytes from `stream`, however the bytes are split.
fn recv_exact(stream: &mut impl Read, n: usize) -> io::Result<Vec<u8>> {
    let mut buf = vec![0u8; n];
    let mut filled = 0;
    while filled < n {
        match stream.read(&mut buf[filled..]) {
            Ok(0) => {
                return Err(io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    format!("peer closed after {filled} of {n} bytes"),
                ))
            }
            Ok(got) => filled += got,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        }
    }
    Ok(buf)
}

// The tests are the exercise's own, kept once: see exercises/05_sticky_packets/recv_exact.rs.
// (`cargo run -p course -- verify` runs them against this solution.)
