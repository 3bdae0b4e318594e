//! `demo-kit`: the few things every demo in this course needs *identically*.
//!
//! A demo's `main.rs` should read like its lesson: a list of steps, each a
//! small function making the system calls the lesson is about. Everything
//! that is not the lesson — colouring the `[client]` label, parsing `--help`,
//! turning an error into a message a student can act on, the rules for code
//! that runs in a forked child — lives here once, so no demo copies it.
//!
//! * [`say`]: narration, with the speaking side marked (client, server,
//!   parent, child, kernel); colours only on a terminal and never with `NO_COLOR`.
//! * [`cli`]: a tiny argument parser with `--help` and `--lang`.
//! * [`lang`]: English or Chinese, each line written once per language
//!   side by side ([`tr!`]), and the parity check of the two runs.
//! * [`fail`]: an error type with context, and [`fail::run`] for `main`.
//! * [`child`]: what a forked child may do, and how it must end.
//! * [`net`]: `TCP_INFO` (the kernel's view of a connection) and a loopback
//!   client/server pair.
//! * [`report`]: a child→parent report pipe, read with a deadline.
//! * [`measure`]: the median of repeated timings.
//! * [`plot`]: bar charts of measured data as SVG, drawn from a data file.
//! * [`procfs`]: a process's state, parent, session and terminal from `/proc`.
//! * [`procnet`]: the addresses in `/proc/net/tcp` and `/proc/net/tcp6`.
//! * [`python`]: running the course's Python beside our Rust, if installed.
//! * [`sock`]: how many bytes wait in a socket's receive buffer (`FIONREAD`).
//! * [`testing`]: running a demo binary from a test, with a deadline.
//! * [`wait`]: bounded polling for states the kernel offers no signal for.
//! * [`work`]: the CPU-bound task (counting primes) and its calibration.
//!
//! The course runs on Linux only: its demos read `/proc`, `TCP_INFO`,
//! `epoll` and other Linux interfaces. On any other system the build stops
//! here with one clear error (nothing else of this crate is compiled, and
//! the crates use `nix` only on Linux, so there are no follow-on errors).

#[cfg(not(target_os = "linux"))]
compile_error!("netproc-course runs on Linux: on Windows use WSL2 (see README), on macOS a Linux VM or container");

// Every module is Linux-only (see above). The attribute is repeated on each
// declaration, not put inside a macro: tools that follow `mod` declarations
// through the source (cargo-mutants, to find the files to mutate) do not look
// inside macro calls.
#[cfg(target_os = "linux")]
pub mod child;
#[cfg(target_os = "linux")]
pub mod cli;
#[cfg(target_os = "linux")]
pub mod fail;
#[cfg(target_os = "linux")]
pub mod lang;
#[cfg(target_os = "linux")]
pub mod measure;
#[cfg(target_os = "linux")]
pub mod net;
#[cfg(target_os = "linux")]
pub mod plot;
#[cfg(target_os = "linux")]
pub mod procfs;
#[cfg(target_os = "linux")]
pub mod procnet;
#[cfg(target_os = "linux")]
pub mod python;
#[cfg(target_os = "linux")]
pub mod report;
#[cfg(target_os = "linux")]
pub mod say;
#[cfg(target_os = "linux")]
pub mod sock;
#[cfg(target_os = "linux")]
pub mod testing;
#[cfg(target_os = "linux")]
pub mod wait;
#[cfg(target_os = "linux")]
pub mod work;

#[cfg(target_os = "linux")]
pub use fail::{bail_msg, Context, Error, Result};
#[cfg(target_os = "linux")]
pub use say::Side;
