//! Where a command's output goes while it runs.
//!
//! The framed protocol sends each chunk to the client at once; the course
//! protocol must know the total size first, so it spools the output (see
//! [`crate::spool`]); tests keep it in memory. [`crate::exec`] only sees an
//! [`OutputSink`], so the careful part — reading both pipes at the same
//! time, the timeout, the reaping — is written once for all of them.

use std::io;
use std::os::fd::BorrowedFd;

/// Which of the command's output pipes some bytes came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stream {
    Stdout,
    Stderr,
}

/// Where the output goes while the command runs: straight to the client
/// (framed protocol) or into a spool (course protocol, which must send the
/// total size first). An error from the sink kills the command.
pub trait OutputSink {
    fn output(&mut self, stream: Stream, bytes: &[u8]) -> io::Result<()>;

    /// Optionally take bytes straight from the pipe (the framed protocol
    /// `splice(2)`s them into the socket, with no copy through our
    /// memory). `None` = not now, use `output`; `Some(Ok(0))` = end of the
    /// pipe.
    fn splice_from(&mut self, _stream: Stream, _pipe: BorrowedFd) -> Option<io::Result<usize>> {
        None
    }
}

/// A sink that keeps everything in memory (tests and small tools).
#[derive(Default, Debug)]
pub struct Collect {
    pub stdout: Vec<u8>,
    pub stderr: Vec<u8>,
}

impl OutputSink for Collect {
    fn output(&mut self, stream: Stream, bytes: &[u8]) -> io::Result<()> {
        match stream {
            Stream::Stdout => self.stdout.extend_from_slice(bytes),
            Stream::Stderr => self.stderr.extend_from_slice(bytes),
        }
        Ok(())
    }
}
