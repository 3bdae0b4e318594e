//! The reference a Rust user would pick instead of lesson 19's runtime:
//! the same echo service on tokio (`tokio-ref/`, its own workspace, so
//! that `cargo build`, `cargo test --workspace` and a student's first
//! build never compile tokio). The bench builds it when asked (`--tokio`),
//! offline, from the crates cargo already has.

use demo_kit::{bail_msg, Context, Result};
use std::path::PathBuf;
use std::process::Command;

/// The two runtimes measured: tokio's `current_thread` (one thread, like
/// `--model async`) and its multi-thread runtime (a worker per core).
pub const MODELS: [&str; 2] = ["tokio-current", "tokio-multi"];

/// `current` or `multi` for a tokio model name.
pub fn flavor(model: &str) -> Option<&'static str> {
    match model {
        "tokio-current" => Some("current"),
        "tokio-multi" => Some("multi"),
        _ => None,
    }
}

fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tokio-ref")
}

/// The server's binary, once built.
pub fn binary() -> PathBuf {
    dir().join("target/release/c10k-tokio-ref")
}

/// `cargo build --release --offline` of the reference server.
pub fn build() -> Result<PathBuf> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let status = Command::new(cargo)
        .args([
            "build",
            "--release",
            "--offline",
            "--quiet",
            "--manifest-path",
        ])
        .arg(dir().join("Cargo.toml"))
        .status()
        .context("running cargo to build the tokio reference server")?;
    if !status.success() {
        return bail_msg(format!(
            "building {} failed ({status}): tokio must be in cargo's cache (cargo fetch --manifest-path {})",
            dir().display(),
            dir().join("Cargo.toml").display()
        ));
    }
    Ok(binary())
}
