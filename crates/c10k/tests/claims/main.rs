//! The C10K demo's claims, on the real kernel, in one test binary: cargo
//! runs test binaries one after another, and the tests inside one side by
//! side, so the 1-second waits of `emfile` overlap the 500-connection runs
//! of `models` instead of following them.

mod cli;
mod emfile;
mod lang;
mod measuring;
mod models;
mod serving;
