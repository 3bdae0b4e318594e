//! For tests: run a demo binary like a student would, but never wait forever.
//!
//! `Command::output()` waits as long as the program runs. A demo that hangs
//! (a read that never sees end-of-file, a child never reaped) would then hang
//! `cargo test` — and CI — instead of failing. [`OutputWithin::output_within`]
//! is `output()` with a deadline: past it, the program is killed, reaped,
//! and the test fails saying which command hung.
//!
//! A test that needs something a machine may lack (python3, root,
//! `CAP_NET_RAW`, a kernel sysctl) calls [`skip`] and returns: the student
//! sees `skipped: <reason>`, and under CI, where nothing may be missing, the
//! skip is a failure.

use std::io::{Read, Write};
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
/// The locale is English (`LANG=C.UTF-8`, no `LC_ALL` or `LC_MESSAGES`), so
/// a test reads the same words on a learner's Chinese machine; `--lang zh`
/// among `args` asks for Chinese ([`crate::lang`]).
///
/// ```
/// let (code, out, _err) = demo_kit::testing::run_demo("echo", &["hi"]);
/// assert_eq!((code, out.as_str()), (0, "hi\n"));
/// ```
pub fn run_demo(bin: &str, args: &[&str]) -> (i32, String, String) {
    let out = Command::new(bin)
        .args(args)
        .env("NO_COLOR", "1")
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .env("LANG", "C.UTF-8")
        .output_within();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// A demo's English and Chinese runs, for a parity test: [`run_demo`] with
/// `args` and then `--lang en`, and with `args` and then `--lang zh`, both
/// at once. Each run is a process of its own, so the test waits for the
/// longer of the two rather than for both in turn.
///
/// ```
/// let (en, zh) = demo_kit::testing::run_demo_en_zh("echo", &["hi"]);
/// assert_eq!(en, (0, "hi --lang en\n".to_string(), String::new()));
/// assert_eq!(zh.1, "hi --lang zh\n");
/// ```
pub fn run_demo_en_zh(bin: &str, args: &[&str]) -> ((i32, String, String), (i32, String, String)) {
    let with = |lang| [args, &["--lang", lang]].concat();
    thread::scope(|s| {
        let zh = s.spawn(|| run_demo(bin, &with("zh")));
        let en = run_demo(bin, &with("en"));
        (en, zh.join().expect("the Chinese run panicked"))
    })
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

/// The message a skip panics with under CI.
const CI_SKIP_RULE: &str = "CI runs as root with python3: nothing may be missing there";

/// Says that this test cannot check its claim here, then returns: the
/// caller returns too. Prints `skipped: <reason>` straight to the process's
/// stderr, so the line is seen even when the test passes (libtest captures
/// what `eprintln!` prints in a passing test, not a write to the stream
/// itself).
///
/// When the environment variable `CI` is set (CI sets `CI=true`), it panics
/// instead: CI runs as root with python3, so a test that would skip there
/// proves nothing and must fail.
///
/// ```no_run
/// if std::process::Command::new("python3").arg("-V").output().is_err() {
///     demo_kit::testing::skip("python3 is not installed");
///     return;
/// }
/// ```
pub fn skip(reason: &str) {
    skip_with(
        std::env::var_os("CI").is_some(),
        &mut std::io::stderr(),
        reason,
    );
}

/// [`skip`] with the CI flag and the stream given, so both branches can be
/// tested whatever the environment.
fn skip_with(ci: bool, out: &mut dyn Write, reason: &str) {
    if ci {
        panic!("skipped under CI: {reason} ({CI_SKIP_RULE})");
    }
    // One write, so that tests skipping in parallel threads do not
    // interleave their lines. A stderr that cannot be written to leaves
    // nothing to tell.
    let _ = out.write_all(format!("skipped: {reason}\n").as_bytes());
}

/// A pseudo-terminal (pty(7)): (its terminal side, which a program takes as
/// its stdin or stdout, and the other side, where the test reads what the
/// program wrote or types what it reads). For a test of what a program does
/// on a terminal: colours, a question it asks only there.
pub fn pty() -> (std::fs::File, std::fs::File) {
    use nix::libc;
    use std::os::fd::FromRawFd;
    // SAFETY: plain libc calls; every returned descriptor is checked.
    unsafe {
        let master = libc::posix_openpt(libc::O_RDWR | libc::O_NOCTTY);
        assert!(master >= 0, "posix_openpt");
        assert_eq!(libc::grantpt(master), 0);
        assert_eq!(libc::unlockpt(master), 0);
        let mut name = [0 as libc::c_char; 128];
        assert_eq!(libc::ptsname_r(master, name.as_mut_ptr(), name.len()), 0);
        let slave = libc::open(name.as_ptr(), libc::O_RDWR | libc::O_NOCTTY);
        assert!(slave >= 0, "opening the pty's terminal side");
        (
            std::fs::File::from_raw_fd(slave),
            std::fs::File::from_raw_fd(master),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Both sides of the pseudo-terminal are open for reading and writing:
    /// what a program writes on the terminal side comes out on the other
    /// (the line discipline turns "\n" into "\r\n", termios(3) ONLCR), and
    /// a line typed on the other side is read on the terminal side.
    #[test]
    fn a_pty_carries_both_ways() {
        let (mut terminal, mut keyboard) = pty();
        terminal.write_all(b"hi\n").unwrap();
        let mut said = [0u8; 4];
        keyboard.read_exact(&mut said).unwrap();
        assert_eq!(&said, b"hi\r\n");
        keyboard.write_all(b"y\n").unwrap();
        let mut typed = [0u8; 2];
        terminal.read_exact(&mut typed).unwrap();
        assert_eq!(&typed, b"y\n");
    }

    #[test]
    fn the_english_and_the_chinese_run_each_get_their_language() {
        let (en, zh) = run_demo_en_zh("echo", &["a", "b"]);
        assert_eq!(en, (0, "a b --lang en\n".to_string(), String::new()));
        assert_eq!(zh, (0, "a b --lang zh\n".to_string(), String::new()));
        let (en, zh) = run_demo_en_zh("false", &[]);
        assert_eq!((en.0, zh.0), (1, 1));
    }

    #[test]
    fn a_skip_outside_ci_says_why_and_returns() {
        let mut out = Vec::new();
        skip_with(false, &mut out, "python3 is not installed");
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "skipped: python3 is not installed\n"
        );
    }

    #[test]
    fn a_skip_under_ci_fails_saying_why() {
        let mut out = Vec::new();
        let panic = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            skip_with(true, &mut out, "no CAP_NET_RAW")
        }))
        .expect_err("a skip under CI must fail the test");
        let message = panic
            .downcast_ref::<String>()
            .expect("the panic carries a formatted message");
        assert_eq!(
            message,
            "skipped under CI: no CAP_NET_RAW (CI runs as root with python3: nothing may be missing there)"
        );
        assert!(out.is_empty(), "nothing is printed as a skip under CI");
    }

    /// Run only by `skip_reads_ci_from_the_environment`, in a child process.
    #[test]
    #[ignore = "run in a child process by skip_reads_ci_from_the_environment"]
    fn skip_in_a_child() {
        skip("the child's reason");
    }

    #[test]
    fn skip_reads_ci_from_the_environment() {
        let run = |ci: Option<&str>| {
            let mut child = Command::new(std::env::current_exe().unwrap());
            child.args([
                "--ignored",
                "--exact",
                "testing::tests::skip_in_a_child",
                "--test-threads=1",
            ]);
            match ci {
                Some(value) => child.env("CI", value),
                None => child.env_remove("CI"),
            };
            let out = child.output_within_limit(Duration::from_secs(30));
            (
                out.status.success(),
                String::from_utf8_lossy(&out.stdout).into_owned(),
                String::from_utf8_lossy(&out.stderr).into_owned(),
            )
        };
        let (passed, _, stderr) = run(None);
        assert!(passed, "without CI a skip passes: {stderr}");
        assert!(
            stderr.contains("skipped: the child's reason\n"),
            "the skip line is seen although the test passed: {stderr}"
        );
        // libtest prints a failed test's panic in its report, on stdout.
        let (passed, stdout, stderr) = run(Some("true"));
        assert!(!passed, "with CI=true a skip fails: {stdout}{stderr}");
        assert!(
            stdout.contains("skipped under CI: the child's reason"),
            "{stdout}{stderr}"
        );
    }
}
