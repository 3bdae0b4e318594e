//! The runner's tests, in one test binary so that they run at the same
//! time: `cli` drives the `course` command on a small fixture workspace,
//! `verify` proves every real exercise both ways. Each builds in its own
//! target directory, so neither waits for the other's cargo.
//! `cargo test -p course --test runner verify::` runs one of them.

mod cli;
mod verify;
