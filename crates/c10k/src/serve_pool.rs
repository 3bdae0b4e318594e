//! `--model pool`: a fixed pool of threads.
//!
//! Python's `concurrent.futures.ThreadPoolExecutor` in a server
//! (`pool.submit(handle, conn)`), lesson 17: the accept loop puts each
//! connection on a queue, and `threads` workers take connections from it,
//! each serving one connection with blocking calls until that client
//! leaves. Memory and threads stay fixed however many clients come — and so
//! does the number served *at once*: client number `threads + 1` waits in
//! the queue until some client leaves. A pool bounds the cost by bounding
//! the concurrency.

use crate::accept::{accept, Spare};
use crate::serve_thread::{echo, STACK};
use std::io;
use std::net::TcpListener;

/// Accepts forever; `threads` workers serve the queued connections.
pub fn serve(listener: TcpListener, threads: usize) -> io::Result<()> {
    let (queue, jobs) = crossbeam_channel::unbounded();
    for _ in 0..threads {
        let jobs = jobs.clone();
        std::thread::Builder::new()
            .stack_size(STACK)
            .spawn(move || {
                // Each worker serves one whole connection, then takes the next.
                for conn in jobs.iter() {
                    echo(conn);
                }
            })?;
    }
    let mut spare = Spare::new()?;
    loop {
        let Some(conn) = accept(&listener, &mut spare)? else {
            continue;
        };
        if queue.send(conn).is_err() {
            return Err(io::Error::other("every pool worker has stopped"));
        }
    }
}
