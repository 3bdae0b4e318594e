//! Running the course's Python beside our Rust, when `python3` is installed.
//!
//! A comparison's Python side is a short script passed with `python3 -c`,
//! run in the same run as the Rust side so both see the same machine. No
//! `python3` is not an error: [`spawn`] and [`run`] return `Ok(None)` and
//! the demo says what it skipped.

use crate::{bail_msg, Context, Result};
use std::io::Read;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// Starts `python3 -c script args..` with stdin from `/dev/null`, stdout
/// piped to us and stderr as given. `Ok(None)` if `python3` is not
/// installed; any other failure to start it is an error.
///
/// ```
/// use std::process::Stdio;
/// if let Some(child) = demo_kit::python::spawn("print(6 * 7)", &[], Stdio::inherit()).unwrap() {
///     let out = child.wait_with_output().unwrap();
///     assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "42");
/// }
/// ```
pub fn spawn(script: &str, args: &[String], stderr: Stdio) -> Result<Option<Child>> {
    let spawned = Command::new("python3")
        .arg("-c")
        .arg(script)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(stderr)
        .spawn();
    match spawned {
        Ok(c) => Ok(Some(c)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e).context("starting python3"),
    }
}

/// Runs `python3 -c script args..` within `limit` and returns its stdout;
/// `Ok(None)` if python3 is not installed. A script that runs longer is
/// killed and reaped; one that fails is an error carrying its output.
///
/// ```
/// let out = demo_kit::python::run("import sys; print('n', sys.argv[1])", &["7".into()],
///     std::time::Duration::from_secs(30)).unwrap();
/// if let Some(text) = out {
///     assert_eq!(demo_kit::python::field(&text, "n").unwrap(), 7.0);
/// }
/// ```
pub fn run(script: &str, args: &[String], limit: Duration) -> Result<Option<String>> {
    let Some(mut child) = spawn(script, args, Stdio::inherit())? else {
        return Ok(None);
    };
    // Our scripts print a few lines: they cannot fill the pipe and block.
    let Some(status) = crate::wait::until(limit, || child.try_wait().ok().flatten()) else {
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

/// The number after `key` on the first line starting with `key` that has one.
///
/// ```
/// assert_eq!(demo_kit::python::field("fork 1200\nspawn 9000\n", "spawn").unwrap(), 9000.0);
/// assert!(demo_kit::python::field("fork 1200\n", "thread").is_err());
/// ```
pub fn field(text: &str, key: &str) -> Result<f64> {
    text.lines()
        .find_map(|l| l.strip_prefix(key)?.trim().parse::<f64>().ok())
        .with_context(|| format!("python3 printed no `{key}` line: {text:?}"))
}
