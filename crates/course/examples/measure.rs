//! Measures the runner as a student feels it: the rows of issue 19's table.
//!
//! Run by hand (not a test: timings on a shared machine are noisy):
//!
//! ```sh
//! cargo run -p course --example measure            # 5 runs per row
//! cargo run -p course --example measure -- --runs 9 --watch 4
//! ```
//!
//! Everything happens on a scratch copy of the exercises as shipped, in
//! `target/course-measure/` (the student's files are never touched), and
//! the runner is started exactly as a student starts it, `cargo run -p
//! course -- ...`, so each figure includes cargo's own start-up. The rows:
//!
//! 1. cold first run: the scratch target directory is deleted first, so the
//!    exercises and their dependencies compile (the runner itself is built);
//! 2. warm status: `cargo run -p course` again, nothing changed;
//! 3. warm status with no verdict cache (build warm, every exercise re-run);
//! 4. `list`, and 5. `check tcp_states`;
//! 6. `watch`, driven as a student would: write the solution into the
//!    current exercise's file, then time save -> "passes!" and "passes!" ->
//!    the next exercise on screen (and -> the progress line).
//!
//! Each figure is the time until the line a student waits for appears on
//! the runner's stdout ("Next:", "Progress", the last line), read as it
//! streams. Medians of `--runs` runs, raw figures beside them.

use course::catalog::{self, EXERCISES};
use demo_kit::cli::Args;
use demo_kit::{bail_msg, Context, Result};
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::time::{Duration, Instant};

const HELP: &str = "\
measure: time the course runner as a student uses it (issue 19's table)

usage: cargo run -p course --example measure [-- --runs N] [--watch K]

  --runs N   runs per row, the median is reported (default 5, 1..=50)
  --watch K  exercises to solve in `watch`, one sample each (default 3, 1..=8)

Works on a scratch copy in target/course-measure; your exercises are not touched.";

/// How long any one step may take before the measurement gives up.
const STEP_LIMIT: Duration = Duration::from_secs(300);

fn main() -> std::process::ExitCode {
    demo_kit::fail::run(run)
}

fn run() -> Result<()> {
    let mut args = Args::parse(HELP);
    let runs: usize = args.value_in("--runs", 1..=50, 5)?;
    let solve: usize = args.value_in("--watch", 1..=8, 3)?;
    args.finish()?;
    let root = catalog::repo_root();
    let base = root.join("target/course-measure");
    let scratch = base.join("exercises");
    let target = base.join("target");
    make_scratch(&scratch)?;
    let env = Env {
        root: root.clone(),
        scratch: scratch.clone(),
        target: target.clone(),
    };
    println!("runner: cargo run -p course (building it first, not timed)");
    let built = Command::new(cargo())
        .args(["build", "-q", "-p", "course"])
        .current_dir(&root)
        .status()
        .context("running cargo build -p course")?;
    if !built.success() {
        return bail_msg("cargo build -p course failed");
    }

    let _ = std::fs::remove_dir_all(&target);
    let cold = env.timed(&[], &["Next:", "All done"])?;
    row("cold first run: next on screen", &[cold.0]);
    row("cold first run: finished", &[cold.1]);

    let warm = env.repeat(runs, &[], &["Next:", "All done"])?;
    row("warm status: next on screen", &warm.0);
    row("warm status: finished", &warm.1);

    let mut next = Vec::new();
    let mut total = Vec::new();
    for _ in 0..runs {
        let _ = std::fs::remove_dir_all(target.join("course-verdicts"));
        let (n, t) = env.timed(&[], &["Next:", "All done"])?;
        next.push(n);
        total.push(t);
    }
    row("no verdict cache: next on screen", &next);
    row("no verdict cache: finished", &total);

    let list = env.repeat(runs, &["list"], &["Progress"])?;
    row("list: finished", &list.1);
    let check = env.repeat(runs, &["check", "tcp_states"], &["tcp_states"])?;
    row("check tcp_states: finished", &check.1);

    let (verdict, next, progress) = env.watch(solve)?;
    row("watch: save -> verdict", &verdict);
    row("watch: passes! -> next exercise", &next);
    row("watch: passes! -> progress n/N", &progress);
    println!("\n(medians of the raw figures in brackets; the machine may be shared)");
    Ok(())
}

fn cargo() -> std::ffi::OsString {
    std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into())
}

/// The exercises workspace as shipped, with hints and solutions.
fn make_scratch(dir: &Path) -> Result<()> {
    let from = catalog::exercises_dir();
    course::verify::copy_workspace(&from, dir).context("copying the exercises workspace")?;
    for e in EXERCISES {
        let path = dir.join(e.path);
        std::fs::create_dir_all(path.parent().expect("exercise paths have a directory"))?;
        std::fs::write(&path, catalog::pristine(e)?)?;
    }
    Ok(())
}

fn row(what: &str, secs: &[f64]) {
    let mut sorted = secs.to_vec();
    sorted.sort_by(f64::total_cmp);
    let median = sorted[sorted.len() / 2];
    let raw: Vec<String> = secs.iter().map(|s| format!("{s:.2}")).collect();
    println!("{what:<36} {median:>6.2} s   [{}]", raw.join(" "));
}

struct Env {
    root: PathBuf,
    scratch: PathBuf,
    target: PathBuf,
}

/// A running runner: its output lines, each with the time it arrived.
struct Running {
    child: Child,
    lines: Receiver<(Instant, String)>,
    seen: Vec<String>,
}

impl Running {
    /// Waits for a line containing any of `marks`; returns when it came.
    fn until(&mut self, marks: &[&str]) -> Result<Instant> {
        Ok(self.until_line(marks)?.0)
    }

    /// Waits for a line containing any of `marks`; returns it and when it came.
    fn until_line(&mut self, marks: &[&str]) -> Result<(Instant, String)> {
        let deadline = Instant::now() + STEP_LIMIT;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok((at, line)) => {
                    self.seen.push(line.clone());
                    if marks.iter().any(|m| line.contains(m)) {
                        return Ok((at, line));
                    }
                }
                Err(_) => {
                    let _ = self.child.kill();
                    let _ = self.child.wait();
                    let tail = self.seen[self.seen.len().saturating_sub(30)..].join("\n");
                    return bail_msg(format!(
                        "no line with {marks:?} within {} s (or the runner ended); its output:\n{tail}",
                        STEP_LIMIT.as_secs()
                    ));
                }
            }
        }
    }
}

impl Env {
    fn start(&self, args: &[&str], stdin: Stdio) -> Result<Running> {
        let mut child = Command::new(cargo())
            .args(["run", "-q", "-p", "course", "--"])
            .args(args)
            .current_dir(&self.root)
            .env("COURSE_EXERCISES", &self.scratch)
            .env("COURSE_TARGET_DIR", &self.target)
            .env("NO_COLOR", "1")
            .env_remove("LANG")
            .env_remove("LC_ALL")
            .env_remove("LC_MESSAGES")
            .stdin(stdin)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .context("starting cargo run -p course")?;
        let (tx, lines) = mpsc::channel();
        for stream in [
            Box::new(child.stdout.take().expect("piped")) as Box<dyn std::io::Read + Send>,
            Box::new(child.stderr.take().expect("piped")),
        ] {
            let tx = tx.clone();
            std::thread::spawn(move || {
                for line in BufReader::new(stream).lines() {
                    let Ok(line) = line else { return };
                    if tx.send((Instant::now(), line)).is_err() {
                        return;
                    }
                }
            });
        }
        Ok(Running {
            child,
            lines,
            seen: Vec::new(),
        })
    }

    /// One run: (seconds to the first line with one of `marks`, seconds to exit).
    fn timed(&self, args: &[&str], marks: &[&str]) -> Result<(f64, f64)> {
        let started = Instant::now();
        let mut run = self.start(args, Stdio::null())?;
        let shown = run.until(marks)?;
        // The end: both output streams closed, then the exit status.
        while run.lines.recv_timeout(STEP_LIMIT).is_ok() {}
        run.child.wait().context("waiting for the runner")?;
        let ended = Instant::now();
        Ok((
            (shown - started).as_secs_f64(),
            (ended - started).as_secs_f64(),
        ))
    }

    fn repeat(&self, runs: usize, args: &[&str], marks: &[&str]) -> Result<(Vec<f64>, Vec<f64>)> {
        let mut shown = Vec::new();
        let mut total = Vec::new();
        for _ in 0..runs {
            let (s, t) = self.timed(args, marks)?;
            shown.push(s);
            total.push(t);
        }
        Ok((shown, total))
    }

    /// Drives `watch` through the first `solve` exercises by writing each
    /// solution into its file. Returns (save -> verdict, passes! -> next,
    /// passes! -> progress) per exercise, in seconds.
    fn watch(&self, solve: usize) -> Result<(Vec<f64>, Vec<f64>, Vec<f64>)> {
        let mut run = self.start(&["watch"], Stdio::piped())?;
        let mut stdin = run.child.stdin.take().expect("piped");
        run.until(&["Watching for saves"])?;
        let (mut verdict, mut next, mut progress) = (Vec::new(), Vec::new(), Vec::new());
        for e in EXERCISES.iter().take(solve) {
            // A save a student would make: the whole solved file at once.
            let solved = catalog::solved_text(e, &catalog::exercises_dir().join("solutions"))?;
            std::thread::sleep(Duration::from_millis(300));
            let saved = Instant::now();
            std::fs::write(self.scratch.join(e.path), solved)?;
            let passed = run.until(&[&format!("{} passes!", e.name)])?;
            let shown = run.until(&["Next:", "All done"])?;
            verdict.push((passed - saved).as_secs_f64());
            next.push((shown - passed).as_secs_f64());
            // The progress line (a runner without one in watch: NaN).
            let (at, line) = run.until_line(&["Progress", "Watching for saves"])?;
            if line.contains("Progress") {
                progress.push((at - passed).as_secs_f64());
                run.until(&["Watching for saves"])?;
            } else {
                progress.push(f64::NAN);
            }
        }
        let _ = writeln!(stdin, "q");
        drop(stdin);
        let ended = demo_kit::wait::until(Duration::from_secs(30), || {
            run.child.try_wait().ok().flatten()
        });
        if ended.is_none() {
            let _ = run.child.kill();
            let _ = run.child.wait();
            return bail_msg("watch did not quit on `q`");
        }
        Ok((verdict, next, progress))
    }
}
