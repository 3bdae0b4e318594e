//! A signal that interrupts a blocked `read` or `write` does not break a
//! frame.
//!
//! A signal handler installed *without* `SA_RESTART` makes a system call
//! blocked at that moment return `EINTR` ("interrupted: nothing happened,
//! call again"). Programs that handle `SIGCHLD`, `SIGWINCH` or `SIGALRM` meet
//! it for real. Each test blocks a thread in the kernel, interrupts it with
//! `pthread_kill` until the stream has really returned `EINTR` at least
//! once, then lets the bytes through and checks that the frame arrives
//! whole. The writing end closes after the frame, so a reader that asks for
//! more than the frame gets the end of the stream instead of waiting for
//! ever. (Its own binary: the handler is installed for the whole process.)
#![cfg(target_os = "linux")]

use framing::{Codec, FrameReader};
use nix::sys::signal::{sigaction, SaFlags, SigAction, SigHandler, SigSet, Signal};
use std::io::{self, IoSlice, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::os::unix::thread::JoinHandleExt;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Once};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

extern "C" fn on_sigusr1(_: nix::libc::c_int) {}

/// SIGUSR1 interrupts system calls: a handler, and no `SA_RESTART`.
fn install_interrupting_handler() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let action = SigAction::new(
            SigHandler::Handler(on_sigusr1),
            SaFlags::empty(),
            SigSet::empty(),
        );
        // SAFETY: the handler does nothing, which is async-signal-safe.
        unsafe { sigaction(Signal::SIGUSR1, &action) }.expect("sigaction(SIGUSR1)");
    });
}

/// A stream that counts the `EINTR`s it passes up to its caller.
struct Counting {
    inner: TcpStream,
    interrupted: Arc<AtomicUsize>,
}

impl Counting {
    fn count<T>(&self, r: io::Result<T>) -> io::Result<T> {
        if matches!(&r, Err(e) if e.kind() == io::ErrorKind::Interrupted) {
            self.interrupted.fetch_add(1, Ordering::SeqCst);
        }
        r
    }
}

impl Read for Counting {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let r = self.inner.read(buf);
        self.count(r)
    }
}

impl Write for Counting {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let r = self.inner.write(buf);
        self.count(r)
    }
    fn write_vectored(&mut self, bufs: &[IoSlice<'_>]) -> io::Result<usize> {
        let r = self.inner.write_vectored(bufs);
        self.count(r)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

fn pair() -> (TcpStream, TcpStream) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let client = TcpStream::connect(listener.local_addr().unwrap()).unwrap();
    let (server, _) = listener.accept().unwrap();
    (client, server)
}

/// Runs `work` on a thread that reads or writes through a [`Counting`]
/// stream, and signals that thread until the stream has seen `EINTR`.
fn interrupted<T: Send + 'static>(
    stream: TcpStream,
    work: impl FnOnce(Counting) -> T + Send + 'static,
) -> JoinHandle<T> {
    install_interrupting_handler();
    let interrupted = Arc::new(AtomicUsize::new(0));
    let counting = Counting {
        inner: stream,
        interrupted: interrupted.clone(),
    };
    let worker = thread::spawn(move || work(counting));
    // Nothing announces "the thread is now asleep in the kernel", so knock
    // every millisecond until a system call says it was interrupted.
    let deadline = Instant::now() + Duration::from_secs(20);
    while interrupted.load(Ordering::SeqCst) == 0 {
        assert!(
            Instant::now() < deadline,
            "no EINTR in 20 s: is the thread blocked?"
        );
        assert!(
            !worker.is_finished(),
            "the worker ended before it was interrupted"
        );
        // SAFETY: the thread is alive (checked just above, and it only ends
        // after the stream lets it through, which happens below).
        let rc = unsafe { nix::libc::pthread_kill(worker.as_pthread_t(), nix::libc::SIGUSR1) };
        assert_eq!(rc, 0, "pthread_kill");
        thread::sleep(Duration::from_millis(1));
    }
    worker
}

#[test]
fn an_interrupted_read_still_gives_the_whole_frame() {
    let (mut client, server) = pair();
    let reader = interrupted(server, |mut s| Codec::course().read_frame(&mut s));
    let mut wire = Vec::new();
    Codec::course()
        .write_frame(&mut wire, b"still whole")
        .unwrap();
    client.write_all(&wire).unwrap();
    drop(client); // a reader that wants more than the frame meets the end
    let frame = reader
        .join()
        .unwrap()
        .expect("EINTR is retried, not an error");
    assert_eq!(frame.as_deref(), Some(&b"still whole"[..]));
}

#[test]
fn an_interrupted_read_inside_a_frame_still_gives_the_whole_frame() {
    let (mut client, server) = pair();
    let mut wire = Vec::new();
    Codec::course().write_frame(&mut wire, b"cut here").unwrap();
    // The prefix and part of the payload are there; the reader waits
    // inside the frame when the signal comes.
    client.write_all(&wire[..6]).unwrap();
    let reader = interrupted(server, |mut s| Codec::course().read_frame(&mut s));
    client.write_all(&wire[6..]).unwrap();
    drop(client); // a reader that wants more than the frame meets the end
    let frame = reader
        .join()
        .unwrap()
        .expect("EINTR is retried, not an error");
    assert_eq!(frame.as_deref(), Some(&b"cut here"[..]));
}

#[test]
fn an_interrupted_batched_read_still_gives_the_whole_frame() {
    let (mut client, server) = pair();
    let reader = interrupted(server, |s| {
        let mut frames = FrameReader::new(Codec::network(), s);
        frames.next_frame().map(|f| f.map(<[u8]>::to_vec))
    });
    let mut wire = Vec::new();
    Codec::network().write_frame(&mut wire, b"batched").unwrap();
    client.write_all(&wire).unwrap();
    drop(client); // a reader that wants more than the frame meets the end
    let frame = reader
        .join()
        .unwrap()
        .expect("EINTR is retried, not an error");
    assert_eq!(frame.as_deref(), Some(&b"batched"[..]));
}

#[test]
fn an_interrupted_write_still_sends_the_whole_frame() {
    let (client, mut server) = pair();
    // More than both ends' socket buffers hold while nobody reads (a
    // receive buffer grows only as its reader reads), so that the writer
    // blocks until the reader starts. If it did not block, `interrupted`
    // says so.
    let pattern: Vec<u8> = (0..=250).collect();
    let payload = pattern.repeat((8 << 20) / pattern.len());
    let sent = payload.clone();
    let writer = interrupted(client, move |mut s| {
        Codec::network().write_frame(&mut s, &sent)
    });
    let codec = Codec::network().with_max_frame(payload.len());
    let frame = codec.read_frame(&mut server).unwrap();
    // Closed before waiting for the writer: one that still had bytes to
    // send (the reader stopped early) fails instead of blocking for ever.
    drop(server);
    writer
        .join()
        .unwrap()
        .expect("EINTR is retried, not an error");
    assert!(
        frame.as_deref() == Some(&payload[..]),
        "the frame arrived changed"
    );
}
