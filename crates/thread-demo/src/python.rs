//! Running a measurement in `python3`, when it is installed.
//!
//! The Python side of a comparison is a short script passed with
//! `python3 -c`, run in the same run as the Rust side so both see the same
//! machine. No `python3` is not an error: the caller says it was skipped.

use demo_kit::{bail_msg, Context, Result};
use std::io::Read;
use std::process::{Command, Stdio};
use std::time::Duration;

/// Runs `python3 -c script args..` within `limit`; `Ok(None)` if python3
/// is not installed. Returns its stdout.
pub fn run(script: &str, args: &[String], limit: Duration) -> Result<Option<String>> {
    let spawned = Command::new("python3")
        .arg("-c")
        .arg(script)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .spawn();
    let mut child = match spawned {
        Ok(c) => c,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e).context("starting python3"),
    };
    // Our scripts print a few lines: they cannot fill the pipe and block.
    let Some(status) = demo_kit::wait::until(limit, || child.try_wait().ok().flatten()) else {
        let _ = child.kill();
        let _ = child.wait();
        return bail_msg(format!("python3 took longer than {limit:?}; killed it"));
    };
    let mut text = String::new();
    if let Some(mut out) = child.stdout.take() {
        out.read_to_string(&mut text)
            .context("reading python3's output")?;
    }
    if !status.success() {
        return bail_msg(format!(
            "the python3 script failed ({status}); output: {text:?}"
        ));
    }
    Ok(Some(text))
}

/// The number after `key` on the line starting with `key`.
pub fn field(text: &str, key: &str) -> Result<f64> {
    text.lines()
        .find_map(|l| l.strip_prefix(key)?.trim().parse::<f64>().ok())
        .with_context(|| format!("python3 printed no `{key}` line: {text:?}"))
}
