//! A child→parent report pipe, read with a deadline.
//!
//! A forked child must not `println!` (see [`crate::child`]), so the process
//! demos let each child *report* what it saw: it writes a few bytes into a
//! pipe with a raw `write(2)` ([`send`], [`send_words`]), and the parent
//! reads them and narrates. The parent's side is where the care goes:
//!
//! * a plain blocking `read` has no deadline, and a child that hangs would
//!   hang the demo (and CI) with it, so every read here first `poll`s with
//!   what is left of the deadline;
//! * `read` returning 0 (end-of-file) means every write end is closed: the
//!   child ended, or closed its end, *before* it reported — that is an error
//!   worth naming (it usually crashed), not a short report;
//! * `EINTR` (a signal arrived while we slept in `poll`/`read`) is retried.
//!
//! The demos create the pipe themselves with `pipe()`, in plain sight; these
//! functions only read and write its ends.

use crate::child::write_fd;
use crate::{Context, Error, Result};
use nix::errno::Errno;
use nix::poll::{poll, PollFd, PollFlags, PollTimeout};
use std::os::fd::{AsFd, AsRawFd};
use std::time::{Duration, Instant};

/// In a child: writes `bytes` into the report pipe with raw `write(2)`
/// (async-signal-safe; errors are ignored, there is no one to tell).
pub fn send(fd: impl AsFd, bytes: &[u8]) {
    write_fd(fd.as_fd().as_raw_fd(), bytes);
}

/// In a child: writes `u64` words in native byte order (both ends run on the
/// same machine, so native order is right).
pub fn send_words(fd: impl AsFd, words: &[u64]) {
    let bytes: Vec<u8> = words.iter().flat_map(|w| w.to_ne_bytes()).collect();
    send(fd, &bytes);
}

/// One `read` of at most `buf.len()` bytes, after `poll` says the pipe is
/// readable; fails once `deadline` has passed. Returns 0 at end-of-file.
fn read_some(fd: impl AsFd, buf: &mut [u8], deadline: Instant, what: &str) -> Result<usize> {
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        let timeout = PollTimeout::try_from(left).unwrap_or(PollTimeout::MAX);
        let mut fds = [PollFd::new(fd.as_fd(), PollFlags::POLLIN)];
        match poll(&mut fds, timeout) {
            Ok(0) => {
                return Err(Error::msg(format!(
                    "gave up waiting for {what}: the child sent nothing in time"
                )))
            }
            Ok(_) => {}
            Err(Errno::EINTR) => continue,
            Err(e) => return Err(e).with_context(|| format!("poll() waiting for {what}")),
        }
        match nix::unistd::read(fd.as_fd(), buf) {
            Err(Errno::EINTR) => continue,
            other => return other.with_context(|| format!("read() of {what}")),
        }
    }
}

fn ended_early(what: &str) -> Error {
    Error::msg(format!(
        "the child closed the pipe before reporting {what} (did it crash?)"
    ))
}

/// Reads exactly `n` bytes within `timeout`; end-of-file first is an error.
pub fn recv_exact(fd: impl AsFd, n: usize, timeout: Duration, what: &str) -> Result<Vec<u8>> {
    let deadline = Instant::now() + timeout;
    let mut buf = vec![0u8; n];
    let mut got = 0;
    while got < n {
        match read_some(fd.as_fd(), &mut buf[got..], deadline, what)? {
            0 => return Err(ended_early(what)),
            k => got += k,
        }
    }
    Ok(buf)
}

/// Reads `N` native-order `u64` words within `timeout` (see [`send_words`]).
pub fn recv_words<const N: usize>(
    fd: impl AsFd,
    timeout: Duration,
    what: &str,
) -> Result<[u64; N]> {
    let bytes = recv_exact(fd, N * 8, timeout, what)?;
    Ok(words(&bytes).try_into().unwrap_or([0; N]))
}

/// Reads one `\n`-terminated line (without the `\n`) within `timeout`.
/// Byte by byte, so nothing after the line is taken from the pipe.
pub fn recv_line(fd: impl AsFd, timeout: Duration, what: &str) -> Result<String> {
    let deadline = Instant::now() + timeout;
    let mut line = Vec::new();
    let mut byte = [0u8; 1];
    loop {
        match read_some(fd.as_fd(), &mut byte, deadline, what)? {
            0 => return Err(ended_early(what)),
            _ if byte[0] == b'\n' => return Ok(String::from_utf8_lossy(&line).into_owned()),
            _ => line.push(byte[0]),
        }
    }
}

/// Reads everything until end-of-file (every writer has closed its end, for
/// example because every child has exited), within `timeout`.
///
/// ```
/// use std::time::Duration;
/// let (r, w) = nix::unistd::pipe().unwrap();
/// demo_kit::report::send_words(&w, &[7, 9]);
/// drop(w);
/// let bytes = demo_kit::report::recv_to_eof(&r, Duration::from_secs(5), "the reports").unwrap();
/// assert_eq!(demo_kit::report::words(&bytes), vec![7, 9]);
/// ```
pub fn recv_to_eof(fd: impl AsFd, timeout: Duration, what: &str) -> Result<Vec<u8>> {
    let deadline = Instant::now() + timeout;
    let mut all = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        match read_some(fd.as_fd(), &mut buf, deadline, what)? {
            0 => return Ok(all),
            k => all.extend_from_slice(&buf[..k]),
        }
    }
}

/// Decodes native-order `u64` words (a trailing partial word is dropped).
pub fn words(bytes: &[u8]) -> Vec<u64> {
    bytes
        .chunks_exact(8)
        .map(|c| u64::from_ne_bytes(c.try_into().unwrap_or([0; 8])))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use nix::unistd::pipe;

    const T: Duration = Duration::from_secs(5);

    #[test]
    fn a_report_arrives_whole() {
        let (r, w) = pipe().unwrap();
        send_words(&w, &[1, u64::MAX]);
        send(&w, b"ready\n");
        assert_eq!(recv_words::<2>(&r, T, "numbers").unwrap(), [1, u64::MAX]);
        assert_eq!(recv_line(&r, T, "a line").unwrap(), "ready");
    }

    #[test]
    fn end_of_file_before_the_report_is_an_error_naming_it() {
        let (r, w) = pipe().unwrap();
        send(&w, b"abc");
        drop(w);
        let err = recv_exact(&r, 8, T, "the timeline")
            .unwrap_err()
            .to_string();
        assert!(err.contains("before reporting the timeline"), "{err}");
    }

    #[test]
    fn a_silent_child_costs_the_deadline_not_forever() {
        let (r, _w) = pipe().unwrap();
        let start = Instant::now();
        let err = recv_line(&r, Duration::from_millis(50), "a greeting").unwrap_err();
        assert!(err.to_string().contains("gave up waiting for a greeting"));
        assert!(start.elapsed() < Duration::from_secs(5));
    }
}
