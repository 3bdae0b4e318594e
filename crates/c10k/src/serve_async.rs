//! `--model async`: every connection an `async fn` on lesson 19's runtime
//! (`coroutine_demo::runtime`: a task queue, wakers, and an epoll reactor),
//! all on one thread.
//!
//! [`serve_conn`] reads like [`crate::serve_thread`]'s loop: read, send the
//! complete frames back, keep the rest. Where the thread would sleep in
//! `read`, the task returns `Pending` and the runtime runs another
//! connection, or waits in `epoll_wait`. Its saved state between two reads
//! is the future itself: [`conn_future_size`] bytes, plus what a split
//! frame leaves in `partial`. Out of descriptors (`EMFILE`), the accept
//! loop refuses clients with a spare descriptor, as [`crate::accept`] does.

use crate::accept::SHED;
use crate::conn::complete_frames;
use coroutine_demo::runtime::net::{TcpListener, TcpStream};
use coroutine_demo::runtime::{spawn, Runtime};
use std::fs::File;
use std::io::{self, ErrorKind};
use std::sync::atomic::Ordering;

/// Serves every connection from this thread, until the process ends.
pub fn serve(listener: std::net::TcpListener) -> io::Result<()> {
    let rt = Runtime::new()?;
    rt.block_on(accept_loop(TcpListener::from_std(listener)?))?
}

async fn accept_loop(listener: TcpListener) -> io::Result<()> {
    let mut spare = Some(File::open("/dev/null")?);
    loop {
        if spare.is_none() {
            spare = File::open("/dev/null").ok();
        }
        match listener.accept().await {
            Ok((conn, _)) => {
                spawn("conn", async move {
                    let _ = serve_conn(conn).await; // a broken client ends its own task
                });
            }
            Err(e)
                if matches!(
                    e.raw_os_error(),
                    Some(nix::libc::EMFILE | nix::libc::ENFILE)
                ) =>
            {
                // accept(2) takes a descriptor number before it looks at the
                // queue: EMFILE comes even when nobody is waiting.
                drop(spare.take());
                match listener.accept_now() {
                    Ok(conn) => {
                        drop(conn); // refused: the client reads end-of-file
                        if SHED.fetch_add(1, Ordering::Relaxed) < 3 {
                            eprintln!("server: out of descriptors (EMFILE): refused a client; raise ulimit -n");
                        }
                    }
                    Err(e) if e.kind() == ErrorKind::WouldBlock => {
                        spare = File::open("/dev/null").ok();
                        listener.readable().await?;
                    }
                    Err(_) => {}
                }
            }
            Err(e)
                if matches!(
                    e.kind(),
                    ErrorKind::Interrupted | ErrorKind::ConnectionAborted
                ) => {}
            Err(e) => return Err(e),
        }
    }
}

/// One connection: read, echo the complete frames, keep a split one.
pub async fn serve_conn(conn: TcpStream) -> io::Result<()> {
    let mut buf = [0u8; 256];
    let mut partial: Vec<u8> = Vec::new();
    loop {
        let n = conn.read(&mut buf).await?;
        if n == 0 {
            return Ok(());
        }
        if partial.is_empty() {
            let end = complete_frames(&buf[..n])?;
            conn.write_all(&buf[..end]).await?;
            partial.extend_from_slice(&buf[end..n]); // allocates only for a split frame
        } else {
            partial.extend_from_slice(&buf[..n]);
            let end = complete_frames(&partial)?;
            conn.write_all(&partial[..end]).await?;
            partial.drain(..end);
        }
    }
}

/// The size of one connection's future before it first runs (the state
/// the runtime keeps per connection, besides the socket and `partial`).
pub fn conn_future_size() -> io::Result<usize> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    let client = std::net::TcpStream::connect(listener.local_addr()?)?;
    Ok(std::mem::size_of_val(&serve_conn(TcpStream::from_std(
        client,
    )?)))
}
