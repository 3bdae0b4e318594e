//! `--model epoll-cores`: one `epoll` loop per core.
//!
//! One loop uses one core. To use them all, run one loop per core, all
//! sharing the listening socket; each registers it with `EPOLLEXCLUSIVE`
//! so a new client wakes one loop, not all of them (the "thundering herd").
//! A connection stays with the loop that accepted it: no locks, nothing
//! shared but the listener. (nginx's worker processes do the same.)

use crate::serve_epoll::event_loop;
use std::io;
use std::net::TcpListener;
use std::sync::Arc;

/// Starts one loop per core (`available_parallelism`) and runs until one fails.
pub fn serve(listener: TcpListener) -> io::Result<()> {
    listener.set_nonblocking(true)?;
    let listener = Arc::new(listener);
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let (failed, failure) = crossbeam_channel::bounded(cores);
    for _ in 0..cores {
        let (listener, failed) = (Arc::clone(&listener), failed.clone());
        std::thread::spawn(move || {
            let _ = failed.send(event_loop(&listener, true));
        });
    }
    // The loops never return unless something broke: report the first error.
    failure
        .recv()
        .unwrap_or_else(|_| Err(io::Error::other("every loop stopped")))
}
