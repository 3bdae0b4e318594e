//! Checking exercises for real: compile them, run their tests, read the result.
//!
//! There is no state file saying "done": an exercise is done when its tests
//! pass, right now, on this machine. One `cargo build` compiles every asked
//! exercise (each is its own test target, and `--keep-going` means one that
//! does not compile yet does not stop the others); then each test binary
//! runs in its own process group with a time limit, its output going to a
//! file. Reading a file instead of a pipe matters here: a forked child
//! (or a daemon!) that outlives the test would keep a pipe open forever.
//!
//! An exercise whose tests pass but which printed a line `COURSE-SKIP:
//! <reason>` (`exercises::skip`, for a part that needs privileges this
//! machine does not give) is *skipped*: neither done nor failed.

use crate::i18n;
use nix::sys::signal::{killpg, Signal};
use nix::unistd::Pid;
use std::collections::BTreeMap;
use std::fs::File;
use std::io::{self, Read};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

/// What checking one exercise found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Status {
    /// Compiles and every test passes.
    Passed,
    /// Does not compile: the compiler's errors.
    CompileError(String),
    /// Compiles, but some test failed (or it ran out of time): the output.
    Failed(String),
    /// The tests pass but said they skipped what they check here
    /// (`COURSE-SKIP: <reason>`): the reason(s).
    Skipped(String),
}

impl Status {
    pub fn passed(&self) -> bool {
        *self == Status::Passed
    }

    /// Passed or skipped: the runner moves on past it to the next exercise.
    pub fn moves_on(&self) -> bool {
        matches!(self, Status::Passed | Status::Skipped(_))
    }
}

/// The line prefix `exercises::skip` prints.
pub const SKIP_PREFIX: &str = "COURSE-SKIP: ";

/// The reasons given by `COURSE-SKIP: ` lines in a test run's output, each
/// once, joined with "; "; `None` if there are none.
pub fn skip_reasons(output: &str) -> Option<String> {
    let mut reasons: Vec<&str> = Vec::new();
    for line in output.lines() {
        if let Some(reason) = line.strip_prefix(SKIP_PREFIX) {
            let reason = reason.trim();
            if !reasons.contains(&reason) {
                reasons.push(reason);
            }
        }
    }
    (!reasons.is_empty()).then(|| reasons.join("; "))
}

/// How many tests a run of test binaries started: libtest says `running N
/// tests` (`running 1 test`) before it runs a binary's tests.
pub fn tests_started(output: &str) -> usize {
    output
        .lines()
        .filter_map(|line| {
            let rest = line.strip_prefix("running ")?;
            let (n, word) = rest.split_once(' ')?;
            matches!(word, "test" | "tests").then(|| n.parse::<usize>().ok())?
        })
        .sum()
}

/// An exercises workspace to check: the student's `exercises/`, or a scratch copy.
#[derive(Debug, Clone)]
pub struct Workspace {
    /// The directory holding the exercises' Cargo.toml.
    pub root: PathBuf,
    /// Where cargo builds.
    pub target_dir: PathBuf,
    /// How long one exercise's test binary may run in all.
    pub time_limit: Duration,
    /// How long one cargo command may take.
    pub build_limit: Duration,
}

impl Workspace {
    /// The student's exercises, built in `exercises/target` (or in
    /// `COURSE_TARGET_DIR`, which the runner's own tests set).
    pub fn student(root: PathBuf) -> Workspace {
        Workspace {
            target_dir: std::env::var_os("COURSE_TARGET_DIR")
                .map(PathBuf::from)
                .unwrap_or_else(|| root.join("target")),
            root,
            time_limit: Duration::from_secs(60),
            build_limit: Duration::from_secs(900),
        }
    }

    fn cargo(&self, subcommand: &str) -> Command {
        let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
        let mut cmd = Command::new(cargo);
        cmd.arg(subcommand)
            .arg("--manifest-path")
            .arg(self.root.join("Cargo.toml"))
            .arg("--target-dir")
            .arg(&self.target_dir)
            // Same versions as the root workspace, already downloaded.
            .args(["--locked", "--offline", "--message-format=json"])
            .env_remove("CARGO_TARGET_DIR")
            // Shipped exercises have warnings (unused parameters next to a
            // `todo` macro): a global `-D warnings` must not turn them into errors.
            .env_remove("RUSTFLAGS")
            .env_remove("CARGO_ENCODED_RUSTFLAGS")
            .current_dir(&self.root);
        cmd
    }

    /// Compiles and tests the named exercises: one status per name, and
    /// whether it is a verdict on the exercise (`true`), or on something
    /// else that went wrong (cargo itself failing: not to be remembered).
    pub fn check_each(&self, names: &[&str]) -> io::Result<BTreeMap<String, (Status, bool)>> {
        Ok(self.check_with(names, None)?.statuses)
    }

    /// Like [`Workspace::check_each`], compiling the workspace's own crates
    /// through `clippy-driver` (cargo's `RUSTC_WORKSPACE_WRAPPER`, which is
    /// how `cargo clippy` lints): one build makes the test binaries AND
    /// lints them, where `cargo build` then `cargo clippy` would compile
    /// everything twice. The warnings (rustc's and clippy's) come back per
    /// target; cargo replays them when nothing needed compiling.
    pub fn check_linted(&self, names: &[&str], clippy_driver: &Path) -> io::Result<Checked> {
        self.check_with(names, Some(clippy_driver))
    }

    fn check_with(&self, names: &[&str], clippy_driver: Option<&Path>) -> io::Result<Checked> {
        let mut cmd = self.cargo("build");
        if let Some(driver) = clippy_driver {
            cmd.env("RUSTC_WORKSPACE_WRAPPER", driver);
        } else {
            cmd.env_remove("RUSTC_WORKSPACE_WRAPPER");
        }
        // Only the targets asked for (`--tests` would build every exercise:
        // the next task must not wait for the others to compile).
        cmd.arg("--keep-going");
        for name in names {
            cmd.args(["--test", name]);
        }
        let built = compile(cmd, self.build_limit, &self.target_dir)?;
        let mut statuses = BTreeMap::new();
        let mut to_run = Vec::new();
        for name in names {
            if let Some(errors) = built.errors.get(*name) {
                statuses.insert(
                    name.to_string(),
                    (Status::CompileError(errors.clone()), true),
                );
            } else if let Some(exe) = built.executables.get(*name) {
                to_run.push((name.to_string(), exe.clone()));
            } else {
                let why = i18n::cargo_did_not_build(&built.stderr_tail);
                statuses.insert(name.to_string(), (Status::CompileError(why), false));
            }
        }
        let executables = to_run.iter().map(|(_, exe)| exe.clone()).collect();
        // Run the test binaries eight at a time: they mostly wait on sockets,
        // pipes and children, and a stuck one waits for its time limit (the
        // shipped stubs of two_clients, lock_order and pipe_eof each wait
        // 2 s). Four at a time, verify took 4.3 s warm; eight, 2.5 s.
        let runs_dir = self.target_dir.join("course-runs");
        std::fs::create_dir_all(&runs_dir)?;
        longest_first(&runs_dir, &mut to_run);
        let queue = std::sync::Mutex::new(to_run.into_iter());
        let results = std::sync::Mutex::new(Vec::new());
        std::thread::scope(|s| {
            for _ in 0..8 {
                s.spawn(|| loop {
                    let next = queue.lock().expect("queue lock").next();
                    let Some((name, exe)) = next else { return };
                    // One file per runner process: two runners (a `watch` and a
                    // `list`) may check the same exercise at once.
                    let out = runs_dir.join(format!("{name}-{}.txt", std::process::id()));
                    let started = Instant::now();
                    let status = run_tests(&exe, &self.root, &out, self.time_limit);
                    let _ = std::fs::remove_file(&out);
                    // Only for the order of the next check: losing it costs nothing.
                    let took = started.elapsed().as_millis().to_string();
                    let _ = std::fs::write(runs_dir.join(format!("{name}.took")), took);
                    results.lock().expect("results lock").push((name, status));
                });
            }
        });
        for (name, status) in results.into_inner().expect("results lock") {
            // A run stopped by the runner's own limit is not a verdict to keep.
            let status = status?;
            let verdict =
                !matches!(&status, Status::Failed(t) if t.lines().any(i18n::is_stopped_line));
            statuses.insert(name, (status, verdict));
        }
        Ok(Checked {
            statuses,
            warnings: built.warnings,
            executables,
        })
    }
}

/// What [`Workspace::check_linted`] found.
#[derive(Debug)]
pub struct Checked {
    /// Each test target's status, and whether it is a verdict on the exercise.
    pub statuses: BTreeMap<String, (Status, bool)>,
    /// Rendered warnings by target name (the library's under its own name).
    pub warnings: BTreeMap<String, String>,
    /// The test binaries that ran.
    pub executables: Vec<PathBuf>,
}

/// What one cargo invocation produced.
struct Built {
    /// Test executables by target name.
    executables: BTreeMap<String, PathBuf>,
    /// Rendered error messages by target name.
    errors: BTreeMap<String, String>,
    /// Rendered warnings by target name.
    warnings: BTreeMap<String, String>,
    stderr_tail: String,
}

fn compile(mut cmd: Command, limit: Duration, scratch: &Path) -> io::Result<Built> {
    std::fs::create_dir_all(scratch)?;
    // One pair of files per runner process: several runners (a `watch` and
    // a `list`, or parallel tests) may share the target directory.
    let out_path = scratch.join(format!("course-cargo-{}.json", std::process::id()));
    let err_path = scratch.join(format!("course-cargo-{}.err", std::process::id()));
    cmd.stdout(File::create(&out_path)?)
        .stderr(File::create(&err_path)?);
    let status = run_bounded(cmd, limit)?;
    let json = std::fs::read_to_string(&out_path)?;
    let stderr = std::fs::read_to_string(&err_path)?;
    let _ = std::fs::remove_file(&out_path);
    let _ = std::fs::remove_file(&err_path);
    let mut built = Built {
        executables: BTreeMap::new(),
        errors: BTreeMap::new(),
        warnings: BTreeMap::new(),
        stderr_tail: last_lines(&stderr, 30),
    };
    if status.is_none() {
        built.stderr_tail = i18n::cargo_took_too_long(limit.as_secs(), &built.stderr_tail);
    }
    for line in json.lines() {
        let Ok(msg) = serde_json::from_str::<serde_json::Value>(line) else {
            continue;
        };
        let target = msg["target"]["name"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        match msg["reason"].as_str() {
            Some("compiler-artifact") => {
                if let Some(exe) = msg["executable"].as_str() {
                    built.executables.insert(target, PathBuf::from(exe));
                }
            }
            Some("compiler-message") => {
                let text = msg["message"]["rendered"].as_str().unwrap_or_default();
                let by_target = match msg["message"]["level"].as_str() {
                    Some("error") => &mut built.errors,
                    Some("warning") => &mut built.warnings,
                    _ => continue,
                };
                by_target.entry(target).or_default().push_str(text);
            }
            _ => {}
        }
    }
    Ok(built)
}

/// Runs one exercise's test binary with a time limit, in its own process
/// group; afterwards kills whatever of that group is left (children a wrong
/// attempt forked and forgot).
fn run_tests(exe: &Path, root: &Path, out: &Path, limit: Duration) -> io::Result<Status> {
    let file = File::create(out)?;
    let mut cmd = Command::new(exe);
    // `--show-output`: a passing test's output too, where a skip is said.
    cmd.args(["--color", "never", "--test-threads", "4", "--show-output"])
        .env("RUST_BACKTRACE", "0")
        .current_dir(root)
        .stdin(Stdio::null())
        .stdout(file.try_clone()?)
        .stderr(file);
    let status = run_bounded(cmd, limit)?;
    let mut text = String::new();
    File::open(out)?.read_to_string(&mut text)?;
    Ok(match status {
        Some(s) if s.success() => match skip_reasons(&text) {
            Some(reasons) => Status::Skipped(reasons),
            // An exercise emptied, or its tests deleted, compiles and
            // "passes" with nothing checked: that is not done.
            None if tests_started(&text) == 0 => {
                Status::Failed(format!("{text}\n{}", i18n::no_tests_ran()))
            }
            None => Status::Passed,
        },
        Some(_) => Status::Failed(text),
        None => Status::Failed(format!("{text}\n{}", i18n::stopped_after(limit.as_secs()))),
    })
}

/// Spawns `cmd` as the leader of a new process group and waits for it at
/// most `limit`. `None` means it ran out of time (the group was killed).
fn run_bounded(mut cmd: Command, limit: Duration) -> io::Result<Option<ExitStatus>> {
    let mut child = cmd.process_group(0).spawn()?;
    let group = Pid::from_raw(child.id() as i32);
    let deadline = Instant::now() + limit;
    let result = loop {
        if let Some(status) = child.try_wait()? {
            break Some(status);
        }
        if Instant::now() >= deadline {
            let _ = killpg(group, Signal::SIGKILL);
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    // Leftovers of the group (forked children nobody reaped or killed).
    let _ = killpg(group, Signal::SIGKILL);
    Ok(result)
}

fn last_lines(text: &str, n: usize) -> String {
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(n)..].join("\n")
}

/// The part of a test run's output a student needs: the failing tests'
/// messages, without the harness's bookkeeping, at most `max_lines` lines.
pub fn trim(output: &str, max_lines: usize) -> String {
    let lines: Vec<&str> = output.lines().collect();
    let failures: Vec<usize> = lines
        .iter()
        .enumerate()
        .filter(|(_, l)| l.trim_end() == "failures:")
        .map(|(i, _)| i)
        .collect();
    let mut keep: Vec<&str> = match (failures.first(), failures.last()) {
        (Some(&a), Some(&b)) if a < b => lines[a + 1..b].to_vec(),
        _ => lines.clone(),
    };
    keep.retain(|l| {
        !l.starts_with("note: run with `RUST_BACKTRACE")
            && !l.starts_with("running ")
            && !l.starts_with("test result:")
    });
    // Drop blank runs.
    let mut out: Vec<&str> = Vec::new();
    for l in keep {
        if l.trim().is_empty() && out.last().is_none_or(|p| p.trim().is_empty()) {
            continue;
        }
        out.push(l);
    }
    while out.last().is_some_and(|l| l.trim().is_empty()) {
        out.pop();
    }
    let extra = out.len().saturating_sub(max_lines);
    out.truncate(max_lines);
    let mut text = out.join("\n");
    // The summary line, e.g. "test result: FAILED. 1 passed; 3 failed".
    if let Some(summary) = lines.iter().rev().find(|l| l.starts_with("test result:")) {
        text.push_str(&format!("\n{summary}"));
    }
    for l in lines.iter().filter(|l| i18n::is_stopped_line(l)) {
        text.push_str(&format!("\n{l}"));
    }
    if extra > 0 {
        text.push_str(&format!("\n… {extra} more lines"));
    }
    text
}

/// Puts the test binaries that took longest last time first (stable, so
/// those never timed keep their order). Eight run at once, and a stub that
/// hangs waits out its deadline: started first, its wait overlaps all the
/// quick ones instead of coming after them. The times are each binary's
/// `<name>.took` in `runs_dir`, in milliseconds.
fn longest_first(runs_dir: &Path, to_run: &mut [(String, PathBuf)]) {
    let took = |name: &str| -> u64 {
        std::fs::read_to_string(runs_dir.join(format!("{name}.took")))
            .ok()
            .and_then(|t| t.trim().parse().ok())
            .unwrap_or(0)
    };
    to_run.sort_by_cached_key(|(name, _)| std::cmp::Reverse(took(name)));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_slowest_last_time_run_first() {
        let dir = std::env::temp_dir().join(format!(
            "course-took-{}-{}",
            std::process::id(),
            // Another user's run may have left a directory of the same pid.
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_nanos())
        ));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("slow.took"), "2003\n").unwrap();
        std::fs::write(dir.join("quick.took"), "40").unwrap();
        std::fs::write(dir.join("garbled.took"), "x").unwrap();
        let mut runs: Vec<(String, PathBuf)> = ["new", "quick", "garbled", "slow", "newer"]
            .iter()
            .map(|n| (n.to_string(), PathBuf::from(n)))
            .collect();
        longest_first(&dir, &mut runs);
        let order: Vec<&str> = runs.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(order, ["slow", "quick", "new", "garbled", "newer"]);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn the_tests_started_are_counted_from_libtests_own_lines() {
        let out = "\nrunning 2 tests\ntest a ... ok\nrunning 3 clients\n\nrunning 1 test\n";
        assert_eq!(tests_started(out), 3);
        assert_eq!(
            tests_started("\nrunning 0 tests\n\ntest result: ok. 0 passed"),
            0
        );
        assert_eq!(tests_started(""), 0);
    }

    /// A test binary that exits 0 having run no test (an exercise emptied,
    /// or its tests deleted) is not a pass; one that ran a test is.
    #[test]
    fn a_run_of_no_test_is_not_a_pass() {
        let dir = std::env::temp_dir().join(format!("course-none-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let script = |name: &str, says: &str| {
            let path = dir.join(name);
            std::fs::write(&path, format!("#!/bin/sh\nprintf '{says}'\n")).unwrap();
            std::fs::set_permissions(&path, std::os::unix::fs::PermissionsExt::from_mode(0o755))
                .unwrap();
            path
        };
        let none = script(
            "none",
            "\\nrunning 0 tests\\n\\ntest result: ok. 0 passed\\n",
        );
        let one = script("one", "\\nrunning 1 test\\ntest t ... ok\\n");
        let limit = Duration::from_secs(10);
        let status = run_tests(&none, &dir, &dir.join("none.txt"), limit).unwrap();
        match status {
            Status::Failed(t) => assert!(t.contains(i18n::no_tests_ran()), "{t}"),
            other => panic!("no test ran, yet {other:?}"),
        }
        let status = run_tests(&one, &dir, &dir.join("one.txt"), limit).unwrap();
        assert_eq!(status, Status::Passed);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn trim_keeps_the_failure_messages_and_the_summary() {
        let out = "\nrunning 2 tests\ntest a ... ok\ntest b ... FAILED\n\nfailures:\n\n---- tests::b stdout ----\n\nthread '<unnamed>' panicked at x.rs:3:5:\nnot yet implemented\nnote: run with `RUST_BACKTRACE=1` environment variable to display a backtrace\n\n\nfailures:\n    tests::b\n\ntest result: FAILED. 1 passed; 1 failed; 0 ignored\n";
        let t = trim(out, 40);
        assert!(t.contains("---- tests::b stdout ----"));
        assert!(t.contains("not yet implemented"));
        assert!(t.ends_with("test result: FAILED. 1 passed; 1 failed; 0 ignored"));
        assert!(!t.contains("RUST_BACKTRACE"));
        assert!(!t.contains("test a ... ok"));
    }

    #[test]
    fn skip_lines_give_the_reasons_once() {
        let out = "running 2 tests\nsuccesses:\n---- tests::a stdout ----\nCOURSE-SKIP: needs root\nCOURSE-SKIP: needs root\n---- tests::b stdout ----\nCOURSE-SKIP: no IPv6\n";
        assert_eq!(skip_reasons(out).as_deref(), Some("needs root; no IPv6"));
        assert_eq!(
            skip_reasons("test a ... ok\n  COURSE-SKIP: indented\n"),
            None
        );
    }

    /// Only what lies between the first and the last `failures:` lines is
    /// the failures' text; the runner's stopped note is kept at the end.
    #[test]
    fn trim_keeps_what_lies_between_the_failures_lines() {
        let out = "test b ... FAILED\nfailures:\n---- tests::b stdout ----\nboom\nfailures:\n    tests::b\ntest result: FAILED. 0 passed; 1 failed\n\n(stopped: the tests were still running after 60 s)\n";
        assert_eq!(
            trim(out, 40),
            "---- tests::b stdout ----\nboom\ntest result: FAILED. 0 passed; 1 failed\n(stopped: the tests were still running after 60 s)"
        );
        // One `failures:` line only (a test's own output, say): all kept.
        assert_eq!(trim("failures:\nx\n", 40), "failures:\nx");
    }

    #[test]
    fn trim_cuts_long_output() {
        let out: String = (0..100).map(|i| format!("line {i}\n")).collect();
        let t = trim(&out, 10);
        assert!(t.contains("line 9") && !t.contains("line 10\n"));
        assert!(t.ends_with("… 90 more lines"));
    }
}
