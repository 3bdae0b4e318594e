//! Printing bytes that may not be UTF-8.
//!
//! The bytes cross the network unchanged; only when the client *prints*
//! them do we decode, as UTF-8 (what Linux commands print — not the
//! course's `gbk`), lossily: an invalid byte becomes U+FFFD (�) instead of
//! a `UnicodeDecodeError` crash. Output arrives in chunks, and a chunk may
//! end in the middle of a character; those bytes wait for the next chunk.

use std::io::{self, Write};

/// Writes bytes as UTF-8 text, replacing invalid bytes with U+FFFD, and
/// keeping a character cut between two chunks intact.
pub struct Lossy<W: Write> {
    inner: W,
    pending: Vec<u8>,
}

impl<W: Write> Lossy<W> {
    pub fn new(inner: W) -> Lossy<W> {
        Lossy {
            inner,
            pending: Vec::new(),
        }
    }

    /// End of output: an unfinished character becomes U+FFFD.
    pub fn finish(&mut self) -> io::Result<()> {
        if !self.pending.is_empty() {
            self.pending.clear();
            self.inner.write_all("\u{FFFD}".as_bytes())?;
        }
        self.inner.flush()
    }
}

impl<W: Write> Write for Lossy<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.pending.extend_from_slice(buf);
        let mut text = String::with_capacity(self.pending.len());
        let mut rest: &[u8] = &self.pending;
        while !rest.is_empty() {
            match std::str::from_utf8(rest) {
                Ok(s) => {
                    text.push_str(s);
                    rest = &[];
                }
                Err(e) => {
                    let (good, bad) = rest.split_at(e.valid_up_to());
                    text.push_str(std::str::from_utf8(good).unwrap_or_default());
                    match e.error_len() {
                        None => break, // a character cut at the end: wait for more
                        Some(n) => {
                            text.push('\u{FFFD}');
                            rest = &bad[n..];
                        }
                    }
                }
            }
        }
        self.pending = rest.to_vec();
        self.inner.write_all(text.as_bytes())?;
        self.inner.flush()?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    #[test]
    fn lossy_keeps_split_characters_and_replaces_garbage() {
        let mut out = Vec::new();
        {
            let mut w = Lossy::new(&mut out);
            let ni_hao = "你好".as_bytes();
            w.write_all(&ni_hao[..2]).unwrap();
            w.write_all(&ni_hao[2..]).unwrap();
            w.write_all(b"\xff!\n\xe4").unwrap();
            w.finish().unwrap();
        }
        assert_eq!(String::from_utf8(out).unwrap(), "你好\u{FFFD}!\n\u{FFFD}");
    }
}
