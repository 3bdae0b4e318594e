//! Accepting when the process is out of descriptors (`EMFILE`).
//!
//! When a server has used its whole open-files limit, `accept` fails with
//! `EMFILE` — and the client stays in the accept queue. A level-triggered
//! `epoll` (or a blocking `accept` loop) then reports the listener ready
//! again at once, forever: the server spins at 100 % CPU and serves nobody.
//! The cure (libuv's and muduo's; libev's documentation suggests it, nginx
//! instead stops accepting for a moment): keep one *spare* descriptor open; on
//! `EMFILE`, close it, accept the client, close that connection at once
//! (the client sees end-of-file and knows it was refused), and take the
//! spare again. The queue drains, nothing spins.

use std::fs::File;
use std::io;
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicU64, Ordering};

/// Connections refused for lack of descriptors, for the report.
pub static SHED: AtomicU64 = AtomicU64::new(0);

/// A reserved descriptor (`/dev/null`), released only to shed a client.
pub struct Spare(Option<File>);

impl Spare {
    pub fn new() -> io::Result<Spare> {
        Ok(Spare(Some(File::open("/dev/null")?)))
    }
}

/// `accept`, surviving `EMFILE`/`ENFILE`: `Ok(None)` if a client had to be
/// shed (or, non-blocking, if none was waiting: `WouldBlock` is an error the
/// caller matches on).
pub fn accept(listener: &TcpListener, spare: &mut Spare) -> io::Result<Option<TcpStream>> {
    // The spare is taken back BEFORE the next client is accepted. If it
    // could not be reopened after the last shed (a descriptor another
    // thread held for a moment), accepting first would hand that slot to
    // a client, and with no spare left every later client would wait in
    // the queue for ever.
    if spare.0.is_none() {
        spare.0 = File::open("/dev/null").ok();
    }
    match listener.accept() {
        Ok((conn, _)) => Ok(Some(conn)),
        Err(e)
            if matches!(
                e.raw_os_error(),
                Some(nix::libc::EMFILE | nix::libc::ENFILE)
            ) =>
        {
            drop(spare.0.take()); // one descriptor free...
            if let Ok((conn, _)) = listener.accept() {
                drop(conn); // ...for just long enough to refuse this client
            }
            spare.0 = File::open("/dev/null").ok();
            if spare.0.is_none() {
                // Not even one descriptor came back (another thread took
                // it): back off a little instead of spinning.
                std::thread::sleep(std::time::Duration::from_millis(10));
            }
            if SHED.fetch_add(1, Ordering::Relaxed) < 3 {
                eprintln!("server: out of descriptors (EMFILE): refused a client; raise ulimit -n");
            }
            Ok(None)
        }
        Err(e)
            if e.kind() == io::ErrorKind::Interrupted
                || e.kind() == io::ErrorKind::ConnectionAborted =>
        {
            Ok(None)
        }
        Err(e) => Err(e),
    }
}
