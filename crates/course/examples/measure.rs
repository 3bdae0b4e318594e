//! Measures the runner as a student feels it: the rows of issue 19's table.
//!
//! Run by hand (not a test: timings on a shared machine are noisy):
//!
//! ```sh
//! cargo run -p course --example measure            # 5 runs per row
//! cargo run -p course --example measure -- --runs 9 --watch 4
//! cargo run -p course --example measure -- --baseline b76a3e1 --cold 3
//! ```
//!
//! With `--baseline REV`, the runner and exercises of that commit (git
//! archive into `target/course-measure/`) are measured too, each row
//! alternating between the two runners so that both see the same load: the
//! "before" and "after" columns of `exercises/README.md`.
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

use course::catalog::{self, Exercise};
use demo_kit::cli::Args;
use demo_kit::{bail_msg, Context, Result};
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::time::{Duration, Instant};

const HELP: &str = "\
measure: time the course runner as a student uses it (issue 19's table)

usage: cargo run -p course --example measure [-- --runs N] [--cold C] [--watch K]
                                              [--baseline REV]

  --runs N   runs per row, the median is reported (default 5, 1..=50)
  --cold C   cold first runs (each compiles everything again; default 1, 0..=9)
  --watch K  exercises to solve in `watch`, one sample each (default 3, 1..=8)
  --baseline REV
             measure the runner and exercises of commit REV too, alternating
             run by run (same catalog of exercises needed)

Works on a scratch copy in target/course-measure; your exercises are not touched.";

/// How long any one step may take before the measurement gives up.
const STEP_LIMIT: Duration = Duration::from_secs(300);

fn main() -> std::process::ExitCode {
    demo_kit::fail::run(run)
}

fn run() -> Result<()> {
    let mut args = Args::parse(HELP);
    let runs: usize = args.value_in("--runs", 1..=50, 5)?;
    let cold_runs: usize = args.value_in("--cold", 0..=9, 1)?;
    let solve: usize = args.value_in("--watch", 1..=8, 3)?;
    let baseline: Option<String> = args.value("--baseline")?;
    args.finish()?;
    let root = catalog::repo_root();
    let base = root.join("target/course-measure");
    let mut envs = vec![Env {
        label: "this tree".into(),
        root: root.clone(),
        scratch: base.join("exercises"),
        target: base.join("target"),
        baseline: None,
    }];
    if let Some(rev) = baseline {
        let dir = base.join(format!("baseline-{rev}"));
        if !dir.join("Cargo.toml").is_file() {
            extract(&root, &rev, &dir)?;
        }
        envs.insert(
            0,
            Env {
                label: format!("at {rev}"),
                root: dir.clone(),
                scratch: base.join("baseline-exercises"),
                target: base.join("baseline-target"),
                baseline: Some(dir.join("exercises")),
            },
        );
    }
    for env in &envs {
        println!(
            "runner {}: cargo run -p course in {} (built first, not timed)",
            env.label,
            env.root.display()
        );
        let built = Command::new(cargo())
            .args(["build", "-q", "-p", "course"])
            .current_dir(&env.root)
            .status()
            .context("running cargo build -p course")?;
        if !built.success() {
            return bail_msg("cargo build -p course failed");
        }
        env.make_scratch()?;
    }
    let labels: Vec<&str> = envs.iter().map(|e| e.label.as_str()).collect();
    println!("\n{:<36} {}", "", labels.join(" | "));

    // Each row runs the runners in turn, so both see the same load.
    let mut cold = Rows::new(&envs);
    for _ in 0..cold_runs {
        for (i, env) in envs.iter().enumerate() {
            let _ = std::fs::remove_dir_all(&env.target);
            cold.push(i, env.timed(&[], &["Next:", "All done"])?);
        }
    }
    if cold_runs > 0 {
        cold.print("cold first run: next on screen", "cold first run: finished");
    }

    let mut warm = Rows::new(&envs);
    let mut forgot = Rows::new(&envs);
    let mut list = Rows::new(&envs);
    let mut check = Rows::new(&envs);
    for _ in 0..runs {
        for (i, env) in envs.iter().enumerate() {
            warm.push(i, env.timed(&[], &["Next:", "All done"])?);
            let _ = std::fs::remove_dir_all(env.target.join("course-verdicts"));
            forgot.push(i, env.timed(&[], &["Next:", "All done"])?);
            list.push(i, env.timed(&["list"], &["Progress"])?);
            check.push(i, env.timed(&["check", "tcp_states"], &["tcp_states"])?);
        }
    }
    warm.print("warm status: next on screen", "warm status: finished");
    forgot.print(
        "no verdict cache: next on screen",
        "no verdict cache: finished",
    );
    list.print("", "list: finished");
    check.print("", "check tcp_states: finished");

    let mut watch = [Rows::new(&envs), Rows::new(&envs), Rows::new(&envs)];
    for (i, env) in envs.iter().enumerate() {
        env.make_scratch()?;
        let (verdict, next, progress) = env.watch(solve)?;
        for (k, v) in [verdict, next, progress].into_iter().enumerate() {
            watch[k].1[i] = v;
        }
    }
    let [verdict, next, progress] = watch;
    verdict.print("", "watch: save -> verdict");
    next.print("", "watch: passes! -> next exercise");
    progress.print("", "watch: passes! -> progress n/N");
    println!("\n(seconds: medians, the raw figures in brackets; the machine may be shared)");
    Ok(())
}

/// Figures per runner for one or two rows (time to the mark, time to the end).
struct Rows(Vec<Vec<f64>>, Vec<Vec<f64>>);

impl Rows {
    fn new(envs: &[Env]) -> Rows {
        Rows(vec![Vec::new(); envs.len()], vec![Vec::new(); envs.len()])
    }
    fn push(&mut self, i: usize, (shown, ended): (f64, f64)) {
        self.0[i].push(shown);
        self.1[i].push(ended);
    }
    fn print(&self, shown: &str, ended: &str) {
        if !shown.is_empty() {
            row(shown, &self.0);
        }
        row(ended, &self.1);
    }
}

fn cargo() -> std::ffi::OsString {
    std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into())
}

/// The repository at `rev` (its workspace and exercises) in `dir`.
fn extract(root: &Path, rev: &str, dir: &Path) -> Result<()> {
    std::fs::create_dir_all(dir)?;
    let tar = dir.join("tree.tar");
    let out = Command::new("git")
        .arg("-C")
        .arg(root)
        .args(["archive", "--format=tar", "-o"])
        .arg(&tar)
        .args([rev, "Cargo.toml", "Cargo.lock", "crates", "exercises"])
        .status()
        .context("running git archive")?;
    let unpacked = out.success()
        && Command::new("tar")
            .arg("-xf")
            .arg(&tar)
            .arg("-C")
            .arg(dir)
            .status()
            .context("running tar")?
            .success();
    if !unpacked {
        return bail_msg(format!("could not extract {rev} into {}", dir.display()));
    }
    Ok(())
}

fn row(what: &str, per_runner: &[Vec<f64>]) {
    let cells: Vec<String> = per_runner
        .iter()
        .map(|secs| {
            let mut sorted = secs.clone();
            sorted.sort_by(f64::total_cmp);
            let median = sorted.get(sorted.len() / 2).copied().unwrap_or(f64::NAN);
            let raw: Vec<String> = secs.iter().map(|s| format!("{s:.2}")).collect();
            format!("{median:>6.2} [{}]", raw.join(" "))
        })
        .collect();
    println!("{what:<36} {}", cells.join(" | "));
}

/// One runner to measure: this tree's, or the one at `--baseline REV`.
struct Env {
    label: String,
    /// Where `cargo run -p course` runs.
    root: PathBuf,
    /// The scratch exercises it checks, and their target directory.
    scratch: PathBuf,
    target: PathBuf,
    /// For a baseline: its exercises as shipped (with its solutions).
    baseline: Option<PathBuf>,
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
    /// An exercise as shipped.
    fn shipped(&self, e: &Exercise) -> Result<String> {
        match &self.baseline {
            None => Ok(catalog::pristine(e)?),
            Some(dir) => Ok(std::fs::read_to_string(dir.join(e.path))?),
        }
    }

    /// An exercise solved: its solution's code, then its tests as shipped.
    fn solved(&self, e: &Exercise) -> Result<String> {
        let solutions = match &self.baseline {
            None => catalog::exercises_dir().join("solutions"),
            Some(dir) => dir.join("solutions"),
        };
        let code = std::fs::read_to_string(solutions.join(e.path))?;
        let code = code.split("\n#[cfg(test)]").next().unwrap_or_default();
        let shipped = self.shipped(e)?;
        let tests = shipped
            .find("\n#[cfg(test)]")
            .map_or("", |at| &shipped[at..]);
        Ok(format!("{}{tests}", code.trim_end_matches('\n')))
    }

    /// The exercises workspace as shipped.
    fn make_scratch(&self) -> Result<()> {
        let from = match &self.baseline {
            None => catalog::exercises_dir(),
            Some(dir) => dir.clone(),
        };
        course::verify::copy_workspace(&from, &self.scratch)
            .context("copying the exercises workspace")?;
        for e in catalog::all() {
            let path = self.scratch.join(e.path);
            std::fs::create_dir_all(path.parent().expect("exercise paths have a directory"))?;
            std::fs::write(&path, self.shipped(e)?)?;
        }
        Ok(())
    }

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

    /// Drives `watch` through the first `solve` exercises by writing each
    /// solution into its file. Returns (save -> verdict, passes! -> next,
    /// passes! -> progress) per exercise, in seconds.
    fn watch(&self, solve: usize) -> Result<(Vec<f64>, Vec<f64>, Vec<f64>)> {
        let mut run = self.start(&["watch"], Stdio::piped())?;
        let mut stdin = run.child.stdin.take().expect("piped");
        run.until(&["Watching for saves"])?;
        let (mut verdict, mut next, mut progress) = (Vec::new(), Vec::new(), Vec::new());
        for e in catalog::all().iter().take(solve) {
            // A save a student would make: the whole solved file at once.
            let solved = self.solved(e)?;
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
