// Exercise `accept_emfile` — lesson 20, C10K (10,000 connections):
// docs/20-c10k.md
//
// Every connection is a file descriptor, and a process may hold only so
// many (`ulimit -n`). When it holds them all, `accept` fails with EMFILE
// ("too many open files") and the client STAYS in the accept queue. A server
// that just retries spins at 100 % CPU forever; one that gives up stops
// serving everyone.
//
// Write `accept_or_shed`, the trick libuv and muduo use: keep one SPARE
// descriptor open (`/dev/null`). On EMFILE:
//   1. close the spare (`spare.take()`, then drop it): one descriptor is free;
//   2. `accept` the waiting client and drop that connection at once (the
//      client sees end-of-file: refused, not left hanging);
//   3. open the spare again (`File::open("/dev/null")`) and return Ok(None).
// A client accepted normally is `Ok(Some(conn))`; any other error is `Err`.
// The tests run your loop in a child process whose open-files limit is 16.

use std::fs::File;
use std::io;
use std::net::{TcpListener, TcpStream};

/// `accept`, shedding the client instead of failing when out of descriptors.
pub fn accept_or_shed(
    listener: &TcpListener,
    spare: &mut Option<File>,
) -> io::Result<Option<TcpStream>> {
    match listener.accept() {
        Ok((conn, _)) => Ok(Some(conn)),
        Err(e) if e.raw_os_error() == Some(nix::libc::EMFILE) => {
            drop(spare.take());
            if let Ok((conn, _)) = listener.accept() {
                drop(conn);
            }
            *spare = Some(File::open("/dev/null")?);
            Ok(None)
        }
        Err(e) => Err(e),
    }
}
