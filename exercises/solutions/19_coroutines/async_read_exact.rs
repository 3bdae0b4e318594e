// Solution of `async_read_exact` (lesson 19). The tests are the exercise's
// own: see exercises/19_coroutines/async_read_exact.rs.

use exercises::reactor::Reactor;
use std::io::{self, ErrorKind, Read};
use std::net::TcpStream;
use std::os::fd::AsRawFd;
use std::task::Poll;

/// Fills `buf` from the non-blocking `sock`, waiting on `reactor` on EAGAIN.
pub async fn read_exact(reactor: &Reactor, sock: &TcpStream, buf: &mut [u8]) -> io::Result<()> {
    let mut got = 0;
    while got < buf.len() {
        match (&*sock).read(&mut buf[got..]) {
            Ok(0) => return Err(ErrorKind::UnexpectedEof.into()),
            Ok(n) => got += n,
            Err(e) if e.kind() == ErrorKind::WouldBlock => {
                // Nothing yet: leave our waker with the reactor, switch away.
                let mut registered = false;
                std::future::poll_fn(|cx| {
                    if registered {
                        return Poll::Ready(Ok::<(), io::Error>(()));
                    }
                    registered = true;
                    reactor.register(sock.as_raw_fd(), cx.waker())?;
                    Poll::Pending
                })
                .await?;
            }
            Err(e) if e.kind() == ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}
