//! Every claim `remote-shell` makes, tested against real server processes.
//! One test binary with a module per subject: cargo runs test binaries one
//! after another, and these tests mostly wait (for a timeout, a command, a
//! client); in one binary those waits overlap.
//! `cargo test -p remote-shell --test claims limits::` runs one module.

mod common;
mod escape;
mod hostile;
mod kill;
// The demo told in Chinese: in this binary, so it runs alongside the claims.
mod lang;
mod limits;
mod python;
mod serve;
mod simple;
mod time_wait;
