//! For tests: run a demo binary like a student would, but never wait forever.
//!
//! `Command::output()` waits as long as the program runs. A demo that hangs
//! (a read that never sees end-of-file, a child never reaped) would then hang
//! `cargo test` — and CI — instead of failing. [`OutputWithin::output_within`]
//! is `output()` with a deadline: past it, the program is killed, reaped,
//! and the test fails saying which command hung.

use std::io::Read;
use std::process::{Command, Output, Stdio};
use std::thread;
use std::time::{Duration, Instant};

/// How long a demo may run in a test before it counts as hung: generous,
/// because CI machines are small and busy.
pub const DEMO_LIMIT: Duration = Duration::from_secs(90);

/// `Command::output()` with a deadline.
///
/// ```
/// use demo_kit::testing::OutputWithin;
/// let out = std::process::Command::new("echo").arg("hi").output_within();
/// assert!(out.status.success());
/// assert_eq!(out.stdout, b"hi\n");
/// ```
pub trait OutputWithin {
    /// Runs to completion within [`DEMO_LIMIT`]; panics (failing the test)
    /// if it cannot start or does not finish in time.
    fn output_within(&mut self) -> Output {
        self.output_within_limit(DEMO_LIMIT)
    }

    /// Like [`OutputWithin::output_within`] with a limit of your choice.
    fn output_within_limit(&mut self, limit: Duration) -> Output;
}

/// `spawn`, tried again for up to 2 s while it fails with `ETXTBSY` ("text
/// file busy"). A test that copies a binary (to run it as `nobody`) and
/// then runs it can meet that: tests run in parallel threads, and another
/// test's `fork` in the instant the copy was open for writing gives its
/// child a copy of that descriptor, held until the child's `exec` closes
/// it. Nothing tells us when that happens, so we look again every 10 ms.
// (`io::ErrorKind::ExecutableFileBusy` is newer than our minimum Rust.)
const ETXTBSY: i32 = 26; // the same number on Linux, the BSDs and macOS

fn spawn_when_not_busy(cmd: &mut Command) -> std::io::Result<std::process::Child> {
    let deadline = Instant::now() + Duration::from_secs(2);
    loop {
        match cmd.spawn() {
            Err(e) if e.raw_os_error() == Some(ETXTBSY) && Instant::now() < deadline => {
                thread::sleep(Duration::from_millis(10));
            }
            result => return result,
        }
    }
}

impl OutputWithin for Command {
    fn output_within_limit(&mut self, limit: Duration) -> Output {
        let shown = format!("{self:?}");
        self.stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child =
            spawn_when_not_busy(self).unwrap_or_else(|e| panic!("cannot start {shown}: {e}"));
        // Both pipes are drained while the program runs, so it never blocks
        // on a full pipe while we wait for it to exit.
        let drain = |pipe: Option<Box<dyn Read + Send>>| {
            thread::spawn(move || {
                let mut bytes = Vec::new();
                if let Some(mut pipe) = pipe {
                    let _ = pipe.read_to_end(&mut bytes);
                }
                bytes
            })
        };
        let stdout = drain(
            child
                .stdout
                .take()
                .map(|p| Box::new(p) as Box<dyn Read + Send>),
        );
        let stderr = drain(
            child
                .stderr
                .take()
                .map(|p| Box::new(p) as Box<dyn Read + Send>),
        );
        let deadline = Instant::now() + limit;
        let status = loop {
            match child.try_wait() {
                Ok(Some(status)) => break status,
                Ok(None) if Instant::now() < deadline => thread::sleep(Duration::from_millis(5)),
                Ok(None) => {
                    let _ = child.kill();
                    let _ = child.wait();
                    panic!("{shown} did not finish within {limit:?}: killed it");
                }
                Err(e) => panic!("waiting for {shown}: {e}"),
            }
        };
        Output {
            status,
            stdout: stdout.join().unwrap_or_default(),
            stderr: stderr.join().unwrap_or_default(),
        }
    }
}

/// Runs a demo binary with `args` and `NO_COLOR=1`, within [`DEMO_LIMIT`];
/// returns its exit code (-1 if a signal ended it), stdout and stderr.
///
/// ```
/// let (code, out, _err) = demo_kit::testing::run_demo("echo", &["hi"]);
/// assert_eq!((code, out.as_str()), (0, "hi\n"));
/// ```
pub fn run_demo(bin: &str, args: &[&str]) -> (i32, String, String) {
    let out = Command::new(bin)
        .args(args)
        .env("NO_COLOR", "1")
        .output_within();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// The number a demo printed right after `marker`, up to the next space,
/// e.g. `number_after::<u64>(out, "produced ")`; panics (failing the test)
/// with the text if there is none.
///
/// ```
/// let n: u64 = demo_kit::testing::number_after("totals: produced 150 consumed 149", "consumed ");
/// assert_eq!(n, 149);
/// ```
pub fn number_after<T: std::str::FromStr>(text: &str, marker: &str) -> T {
    text.split(marker)
        .nth(1)
        .and_then(|rest| rest.split(' ').next())
        .and_then(|word| word.parse().ok())
        .unwrap_or_else(|| panic!("no number after {marker:?} in: {text}"))
}
