//! Every claim `handshake-demo` makes, tested on the real kernel. One test
//! binary with a module per scenario: cargo runs test binaries one after
//! another, and these tests mostly wait for the kernel's timers (a SYN's
//! 1 s retries, a handshake); in one binary those waits overlap.
//! `cargo test -p handshake-demo --test claims backlog::` runs one module.

mod backlog;
mod cli;
// The demo told in Chinese: in this binary, so it runs alongside the claims.
mod lang;
mod retries;
mod reuse;
mod sniff;
mod states;
