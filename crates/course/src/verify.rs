//! Proving every exercise both ways, on scratch copies.
//!
//! An exercise set fails its students in two quiet ways: an exercise that
//! already passes before anyone touches it, and a "solution" that does not
//! actually pass (or is not clean code). `verify` checks both, for every
//! exercise, without touching the student's files:
//!
//! 1. copy the exercises workspace to `scratch/untouched` with every
//!    exercise as shipped: each must compile and FAIL its tests;
//! 2. copy it to `scratch/solved` with every solution in place: each must
//!    PASS, and `cargo clippy -D warnings` must be clean.
//!
//! An exercise whose tests skip what they check (`COURSE-SKIP:`, e.g. a
//! part that needs root) on either side is not a defect but is *not
//! proven here*: the report says so, and how many.
//!
//! Each side is one `cargo build` (all exercises at once), so the proof costs
//! two builds, not two per exercise. The two sides share a target directory
//! under `scratch`, so the dependencies are compiled once.

use crate::catalog::{Exercise, EXERCISES};
use crate::i18n;
use crate::runner::{Status, Workspace};
use nix::fcntl::{Flock, FlockArg};
use std::collections::BTreeMap;
use std::fs::File;
use std::io;
use std::path::Path;
use std::time::{Duration, Instant};

/// The verdict for one exercise.
#[derive(Debug)]
pub struct Row {
    pub name: &'static str,
    /// The shipped exercise's result: must be `Failed`.
    pub untouched: Status,
    /// The solution's result: must be `Passed`.
    pub solved: Status,
    /// Clippy's complaints about the solution, if any.
    pub clippy: Option<String>,
}

impl Row {
    /// What is wrong with this exercise, if anything.
    pub fn defects(&self) -> Vec<String> {
        let mut d = Vec::new();
        match &self.untouched {
            Status::Passed => d.push(i18n::untouched_passes().to_string()),
            Status::CompileError(e) => d.push(i18n::untouched_no_compile(e)),
            Status::Failed(_) | Status::Skipped(_) => {}
        }
        match &self.solved {
            Status::Passed | Status::Skipped(_) => {}
            Status::CompileError(e) => d.push(i18n::solution_no_compile(e)),
            Status::Failed(out) => d.push(i18n::solution_fails(&crate::runner::trim(out, 40))),
        }
        if let Some(c) = &self.clippy {
            d.push(i18n::solution_clippy(c));
        }
        d
    }

    /// Why this exercise is not proven here, if a side skipped.
    pub fn not_proven(&self) -> Option<&str> {
        [&self.untouched, &self.solved]
            .into_iter()
            .find_map(|s| match s {
                Status::Skipped(reason) => Some(reason.as_str()),
                _ => None,
            })
    }
}

/// The whole proof.
#[derive(Debug)]
pub struct Report {
    pub rows: Vec<Row>,
    /// Problems not tied to one exercise (e.g. clippy on the test support).
    pub general: Vec<String>,
    pub elapsed: Duration,
}

impl Report {
    pub fn ok(&self) -> bool {
        self.general.is_empty() && self.rows.iter().all(|r| r.defects().is_empty())
    }

    /// How many exercises skipped on a side, so were not proven here.
    pub fn not_proven(&self) -> usize {
        self.rows
            .iter()
            .filter(|r| r.not_proven().is_some())
            .count()
    }
}

/// Runs the proof for every exercise. `exercises` is the student's
/// `exercises/` (read only: its Cargo files, test support and solutions);
/// `scratch` is a directory this may wipe and fill.
pub fn verify(exercises: &Path, scratch: &Path, time_limit: Duration) -> io::Result<Report> {
    let started = Instant::now();
    std::fs::create_dir_all(scratch)?;
    // Two verifies at once would overwrite each other's copies: take turns.
    let lock = File::create(scratch.join(".lock"))?;
    let _turn = Flock::lock(lock, FlockArg::LockExclusive).map_err(|(_, e)| io::Error::from(e))?;

    let untouched = side(
        exercises,
        scratch,
        "untouched",
        time_limit,
        &crate::catalog::pristine,
    )?;
    let solved = side(exercises, scratch, "solved", time_limit, &|e| {
        crate::catalog::solved_text(e, &exercises.join("solutions"))
    })?;

    let names: Vec<&str> = EXERCISES.iter().map(|e| e.name).collect();
    let mut before = untouched.check(&names)?;
    let mut after = solved.check(&names)?;
    let mut general = Vec::new();
    // Nothing an exercise's tests started may outlive them (no orphan, no
    // forgotten daemon). Zombies have no exe link and are not counted.
    let target_dir = scratch.join("target");
    let left = demo_kit::wait::until(Duration::from_secs(5), || {
        let pids = running_from(&target_dir);
        pids.is_empty().then_some(())
    });
    if left.is_none() {
        general.push(i18n::still_running(&format!(
            "{:?}",
            running_from(&target_dir)
        )));
    }
    let mut lint: BTreeMap<String, String> = match solved.clippy()? {
        Ok(()) => BTreeMap::new(),
        Err(found) => found,
    };
    for (target, text) in &lint {
        if !names.contains(&target.as_str()) {
            let target = if target.is_empty() {
                i18n::workspace_word()
            } else {
                target
            };
            general.push(i18n::clippy_general(target, text));
        }
    }
    let rows = EXERCISES
        .iter()
        .map(|e| Row {
            name: e.name,
            untouched: before
                .remove(e.name)
                .unwrap_or(Status::CompileError("not checked".into())),
            solved: after
                .remove(e.name)
                .unwrap_or(Status::CompileError("not checked".into())),
            clippy: lint.remove(e.name),
        })
        .collect();
    Ok(Report {
        rows,
        general,
        elapsed: started.elapsed(),
    })
}

/// Pids of live processes whose program lies under `dir`.
fn running_from(dir: &Path) -> Vec<(u32, String)> {
    let Ok(dir) = dir.canonicalize() else {
        return Vec::new();
    };
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries
        .flatten()
        .filter_map(|e| {
            let pid: u32 = e.file_name().to_str()?.parse().ok()?;
            let exe = std::fs::read_link(e.path().join("exe")).ok()?;
            exe.starts_with(&dir)
                .then(|| (pid, exe.display().to_string()))
        })
        .collect()
}

/// Makes the scratch copy `scratch/<dir>` with each exercise's file
/// written by `text`; all copies build in `scratch/target`.
fn side(
    exercises: &Path,
    scratch: &Path,
    dir: &str,
    time_limit: Duration,
    text: &dyn Fn(&Exercise) -> io::Result<String>,
) -> io::Result<Workspace> {
    let root = scratch.join(dir);
    copy_workspace(exercises, &root)?;
    rename_package(&root, &format!("exercises-{dir}"))?;
    for e in EXERCISES {
        let path = root.join(e.path);
        std::fs::create_dir_all(path.parent().expect("exercise paths have a directory"))?;
        std::fs::write(&path, text(e)?)?;
    }
    Ok(Workspace {
        root,
        target_dir: scratch.join("target"),
        time_limit,
        build_limit: Duration::from_secs(900),
    })
}

/// Gives a scratch copy its own package name (in Cargo.toml and Cargo.lock).
///
/// Both copies build into one target directory, to share the compiled
/// dependencies. Cargo names a package's artifacts by its name and its path
/// *relative to its workspace*, which is the same for both copies: without
/// this, the second build could take the first one's test binaries as up to
/// date. (The library keeps its name `exercises`, set in `[lib]`.)
pub fn rename_package(root: &Path, name: &str) -> io::Result<()> {
    let old = "name = \"exercises\"\nversion = \"0.1.0\"";
    let new = format!("name = \"{name}\"\nversion = \"0.1.0\"");
    for file in ["Cargo.toml", "Cargo.lock"] {
        let path = root.join(file);
        let text = std::fs::read_to_string(&path)?;
        if !text.contains(old) {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!("{} has no `{old}` to rename", path.display()),
            ));
        }
        std::fs::write(&path, text.replacen(old, &new, 1))?;
    }
    Ok(())
}

/// Copies what an exercises workspace needs besides the exercise files:
/// its Cargo.toml, Cargo.lock and test support (`src/`). Replaces any
/// previous copy at `to` (but never a target directory).
pub fn copy_workspace(from: &Path, to: &Path) -> io::Result<()> {
    if to.exists() {
        std::fs::remove_dir_all(to)?;
    }
    std::fs::create_dir_all(to.join("src"))?;
    for file in ["Cargo.toml", "Cargo.lock"] {
        std::fs::copy(from.join(file), to.join(file))?;
    }
    for entry in std::fs::read_dir(from.join("src"))? {
        let entry = entry?;
        if entry.file_type()?.is_file() {
            std::fs::copy(entry.path(), to.join("src").join(entry.file_name()))?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_skip_on_either_side_is_not_a_defect_but_is_not_proven() {
        let row = |untouched, solved| Row {
            name: "x",
            untouched,
            solved,
            clippy: None,
        };
        let rows = vec![
            row(Status::Failed("f".into()), Status::Passed),
            row(Status::Skipped("needs root".into()), Status::Passed),
            row(
                Status::Failed("f".into()),
                Status::Skipped("no raw socket".into()),
            ),
        ];
        assert_eq!(rows[1].not_proven(), Some("needs root"));
        assert_eq!(rows[2].not_proven(), Some("no raw socket"));
        assert_eq!(rows[0].not_proven(), None);
        let report = Report {
            rows,
            general: Vec::new(),
            elapsed: Duration::ZERO,
        };
        assert!(report.ok());
        assert_eq!(report.not_proven(), 2);
        let bad = row(Status::Passed, Status::Skipped("r".into()));
        assert_eq!(
            bad.defects().len(),
            1,
            "passing untouched is still a defect"
        );
    }

    #[test]
    fn running_from_finds_this_very_test_process() {
        let exe = std::env::current_exe().unwrap();
        let found = running_from(exe.parent().unwrap());
        assert!(
            found.iter().any(|(pid, _)| *pid == std::process::id()),
            "{found:?}"
        );
        assert!(running_from(Path::new("/nonexistent")).is_empty());
    }
}
