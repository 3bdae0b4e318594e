//! `c10k`: 10,000 connections, measured (lesson 20, C10K and `socketserver`).
//!
//! The same echo service — frames in the course's format, a 4-byte
//! `struct.pack('i')` length and the body — written five ways, each a small
//! file: a thread per connection ([`serve_thread`], what remote-shell and
//! `socketserver.ThreadingTCPServer` do), a fixed pool ([`serve_pool`]), one
//! `epoll` loop ([`serve_epoll`]) and one loop per core
//! ([`serve_epoll_cores`]), and each connection an `async fn` on lesson
//! 19's runtime ([`serve_async`]); plus Python's `socketserver` and `asyncio`
//! servers ([`python`]). One load generator ([`load`], itself an `epoll`
//! loop in its own process) drives each and reads the server's memory,
//! descriptors and CPU time from `/proc` ([`procstat`]); [`run`] starts the
//! two processes and collects the report; [`plot`] draws the table (`--svg`).

pub mod accept;
pub mod conn;
pub mod entry;
pub mod limits;
pub mod listen;
pub mod load;
pub mod plot;
pub mod procstat;
pub mod python;
pub mod report;
pub mod run;
pub mod serve_async;
pub mod serve_epoll;
pub mod serve_epoll_cores;
pub mod serve_pool;
pub mod serve_thread;
pub mod table;
pub mod tokio_ref;

/// The largest frame a server accepts: the load sends 64-byte bodies.
pub const MAX_FRAME: usize = 64 * 1024;

/// The server models `--model` accepts, in the order the default run uses.
pub const MODELS: &[&str] = &[
    "thread",
    "pool",
    "epoll",
    "epoll-cores",
    "async",
    "py-threading",
    "py-asyncio",
];

/// Checks a `--model` name, with the list in the error.
pub fn check_model(name: &str) -> demo_kit::Result<&'static str> {
    MODELS
        .iter()
        .chain(&["bare"])
        .find(|m| **m == name)
        .copied()
        .ok_or_else(|| {
            demo_kit::Error::msg(format!(
                "unknown --model {name:?}: use one of {}, or bare (one client at a time); see --help",
                MODELS.join(", ")
            ))
        })
}
