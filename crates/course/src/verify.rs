//! Proving every exercise both ways, on scratch copies.
//!
//! An exercise set fails its students in two quiet ways: an exercise that
//! already passes before anyone touches it, and a "solution" that does not
//! actually pass (or is not clean code). `verify` checks both, for every
//! exercise, without touching the student's files:
//!
//! 1. every exercise as shipped must compile and FAIL its tests;
//! 2. every exercise with its solution in place must PASS, and `cargo
//!    clippy -D warnings` must be clean on it.
//!
//! An exercise whose tests skip what they check (`COURSE-SKIP:`, e.g. a
//! part that needs root) on either side is not a defect but is *not
//! proven here*: the report says so, and how many.
//!
//! Both sides live in ONE scratch workspace, `scratch/proof`: each exercise
//! twice, as shipped (`untouched/<path>`, test target `<name>`) and solved
//! (`solved/<path>`, target `<name>_solved`). So the proof is one `cargo
//! build` of every target at once, one run of all the test binaries
//! (a stub that fails slowly overlaps with the others), and one clippy run
//! on the solved targets. Files are rewritten only when their text changed,
//! so a second proof with nothing changed compiles nothing.

use crate::catalog::Exercise;
use crate::i18n;
use crate::runner::{Status, Workspace};
use nix::fcntl::{Flock, FlockArg};
use std::fs::File;
use std::io;
use std::path::{Path, PathBuf};
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

/// The test target of an exercise's solved copy.
fn solved_target(name: &str) -> String {
    format!("{name}_solved")
}

/// Runs the proof for every exercise. `exercises` is the student's
/// `exercises/` (read only: its catalog, Cargo files, test support and
/// solutions); `scratch` is a directory this may wipe and fill; the proof
/// builds in `target_dir` — the root workspace's target directory, where
/// `cargo test` has already compiled the same dependencies with the same
/// profile, so the proof compiles only the exercises.
pub fn verify(
    exercises: &Path,
    scratch: &Path,
    target_dir: &Path,
    time_limit: Duration,
) -> io::Result<Report> {
    let started = Instant::now();
    let list = crate::catalog::load(exercises)?;
    let clippy_driver = clippy_driver()?;
    std::fs::create_dir_all(scratch)?;
    // Two verifies at once would overwrite each other's copies: take turns.
    let lock = File::create(scratch.join(".lock"))?;
    let _turn = Flock::lock(lock, FlockArg::LockExclusive).map_err(|(_, e)| io::Error::from(e))?;

    let workspace = proof_workspace(exercises, scratch, target_dir, list, time_limit)?;
    let solved_names: Vec<String> = list.iter().map(|e| solved_target(e.name)).collect();
    let names: Vec<&str> = list
        .iter()
        .map(|e| e.name)
        .chain(solved_names.iter().map(String::as_str))
        .collect();
    let checked = workspace.check_linted(&names, &clippy_driver)?;
    let mut results = checked.statuses;
    let mut general = Vec::new();
    // Nothing an exercise's tests started may outlive them (no orphan, no
    // forgotten daemon). Zombies have no exe link and are not counted.
    let left = demo_kit::wait::until(Duration::from_secs(5), || {
        running(&checked.executables).is_empty().then_some(())
    });
    if left.is_none() {
        general.push(i18n::still_running(&format!(
            "{:?}",
            running(&checked.executables)
        )));
    }
    // Lints: a solution must have none; the shipped stubs may (unused
    // parameters next to a `todo!()`); the test support must have none.
    let mut lint = checked.warnings;
    for (target, text) in &lint {
        let stub = list.iter().any(|e| e.name == target);
        if !stub && !solved_names.contains(target) {
            general.push(i18n::clippy_general(target, text));
        }
    }
    let not_checked = || (Status::CompileError("not checked".into()), false);
    let rows = list
        .iter()
        .map(|e| Row {
            name: e.name,
            untouched: results.remove(e.name).unwrap_or_else(not_checked).0,
            solved: results
                .remove(&solved_target(e.name))
                .unwrap_or_else(not_checked)
                .0,
            clippy: lint.remove(&solved_target(e.name)),
        })
        .collect();
    Ok(Report {
        rows,
        general,
        elapsed: started.elapsed(),
    })
}

/// clippy's compiler driver, beside the cargo that runs us (`$CARGO`), or
/// on the `PATH` (rustup's proxy).
fn clippy_driver() -> io::Result<PathBuf> {
    let beside_cargo = std::env::var_os("CARGO")
        .map(PathBuf::from)
        .and_then(|cargo| Some(cargo.parent()?.join("clippy-driver")));
    let on_path = std::env::var_os("PATH").and_then(|path| {
        std::env::split_paths(&path)
            .map(|dir| dir.join("clippy-driver"))
            .find(|p| p.is_file())
    });
    beside_cargo
        .filter(|p| p.is_file())
        .or(on_path)
        .ok_or_else(|| {
            io::Error::new(
                io::ErrorKind::NotFound,
                "clippy-driver not found beside cargo or on the PATH: verify lints every \
                 solution (`rustup component add clippy`)",
            )
        })
}

/// Pids of live processes running one of `programs`.
fn running(programs: &[PathBuf]) -> Vec<(u32, String)> {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries
        .flatten()
        .filter_map(|e| {
            let pid: u32 = e.file_name().to_str()?.parse().ok()?;
            let exe = std::fs::read_link(e.path().join("exe")).ok()?;
            programs
                .contains(&exe)
                .then(|| (pid, exe.display().to_string()))
        })
        .collect()
}

/// Writes `scratch/proof`: the exercises' Cargo files and test support,
/// every exercise as shipped under `untouched/` and solved under `solved/`,
/// and a Cargo.toml declaring both as test targets. It builds in
/// `scratch/target`.
fn proof_workspace(
    exercises: &Path,
    scratch: &Path,
    target_dir: &Path,
    list: &[Exercise],
    time_limit: Duration,
) -> io::Result<Workspace> {
    let root = scratch.join("proof");
    std::fs::create_dir_all(root.join("src"))?;
    write_if_changed(
        &root.join("Cargo.lock"),
        &std::fs::read_to_string(exercises.join("Cargo.lock"))?,
    )?;
    for entry in std::fs::read_dir(exercises.join("src"))? {
        let entry = entry?;
        if entry.file_type()?.is_file() {
            let text = std::fs::read_to_string(entry.path())?;
            write_if_changed(&root.join("src").join(entry.file_name()), &text)?;
        }
    }
    // The package as the student's, its own [[test]] list replaced by ours,
    // and its dev profile by the root workspace's: the same profile means
    // the same compiled dependencies, which `cargo test` has already built.
    let manifest = std::fs::read_to_string(exercises.join("Cargo.toml"))?;
    let package = manifest.split("\n[[test]]").next().unwrap_or_default();
    let root_manifest =
        std::fs::read_to_string(exercises.join("../Cargo.toml")).unwrap_or_default();
    let mut toml = match (
        section(package, "[profile.dev]"),
        section(&root_manifest, "[profile.dev]"),
    ) {
        (Some(ours), Some(root)) => package.replacen(ours, root, 1),
        _ => package.to_string(),
    };
    for e in list {
        let solved_text = crate::catalog::solved_text(e, &exercises.join("solutions"))?;
        for (side, target, text) in [
            (
                "untouched",
                e.name.to_string(),
                crate::catalog::pristine(e)?,
            ),
            ("solved", solved_target(e.name), solved_text),
        ] {
            let path = format!("{side}/{}", e.path);
            let file = root.join(&path);
            std::fs::create_dir_all(file.parent().expect("exercise paths have a directory"))?;
            write_if_changed(&file, &text)?;
            toml.push_str(&format!(
                "\n[[test]]\nname = \"{target}\"\npath = \"{path}\"\n"
            ));
        }
    }
    write_if_changed(&root.join("Cargo.toml"), &toml)?;
    Ok(Workspace {
        root,
        target_dir: target_dir.to_path_buf(),
        time_limit,
        build_limit: Duration::from_secs(900),
    })
}

/// The text of a TOML table, from its header line to the next header.
fn section<'a>(toml: &'a str, header: &str) -> Option<&'a str> {
    let start = toml.find(&format!("\n{header}\n"))? + 1;
    // From the newline that ends the header line: an empty table ends
    // where the next header starts, right after it.
    let header_end = start + header.len();
    let end = toml[header_end..]
        .find("\n[")
        .map_or(toml.len(), |i| header_end + i + 1);
    Some(&toml[start..end])
}

/// Writes `text` to `path` unless the file already holds exactly that: an
/// unchanged file keeps its modification time, and cargo rebuilds nothing.
fn write_if_changed(path: &Path, text: &str) -> io::Result<()> {
    if std::fs::read_to_string(path).is_ok_and(|old| old == text) {
        return Ok(());
    }
    std::fs::write(path, text)
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
/// its Cargo.toml, Cargo.lock, catalog.json and test support (`src/`). Replaces any
/// previous copy at `to` (but never a target directory).
pub fn copy_workspace(from: &Path, to: &Path) -> io::Result<()> {
    if to.exists() {
        std::fs::remove_dir_all(to)?;
    }
    std::fs::create_dir_all(to.join("src"))?;
    for file in ["Cargo.toml", "Cargo.lock", "catalog.json"] {
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
        let mut report = Report {
            rows,
            general: Vec::new(),
            elapsed: Duration::ZERO,
        };
        assert!(report.ok());
        assert_eq!(report.not_proven(), 2);
        let bad = row(Status::Passed, Status::Skipped("r".into()));
        assert_eq!(
            bad.defects(),
            vec![i18n::untouched_passes().to_string()],
            "passing untouched is still a defect"
        );
        // One defect, or one general problem, and the proof is not ok.
        report.general.push("clippy (exercises):\nwarning".into());
        assert!(!report.ok());
        report.general.clear();
        report.rows.push(bad);
        assert!(!report.ok());
    }

    /// verify lints through clippy's driver: a real file, found before any
    /// build starts.
    #[test]
    fn clippy_driver_is_found() {
        let driver = clippy_driver().expect("clippy-driver (rustup component add clippy)");
        assert!(driver.is_file(), "{}", driver.display());
        assert_eq!(driver.file_name().unwrap(), "clippy-driver");
    }

    fn scratch_dir(name: &str) -> PathBuf {
        // By uid too: another user's run may have left a directory of this pid.
        let dir = std::env::temp_dir().join(format!(
            "course-verify-{name}-{}-{}",
            nix::unistd::getuid(),
            std::process::id()
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn a_scratch_copy_gets_its_own_package_name() {
        let dir = scratch_dir("rename");
        let package = "[[package]]\nname = \"exercises\"\nversion = \"0.1.0\"\n";
        std::fs::write(
            dir.join("Cargo.toml"),
            "[package]\nname = \"exercises\"\nversion = \"0.1.0\"\n",
        )
        .unwrap();
        std::fs::write(dir.join("Cargo.lock"), package).unwrap();
        rename_package(&dir, "exercises-copy").unwrap();
        for file in ["Cargo.toml", "Cargo.lock"] {
            let text = std::fs::read_to_string(dir.join(file)).unwrap();
            assert!(
                text.contains("name = \"exercises-copy\"\nversion = \"0.1.0\"")
                    && !text.contains("name = \"exercises\""),
                "{file}: {text}"
            );
        }
        // Nothing left to rename: an error, not a copy that shares the name.
        assert!(rename_package(&dir, "again").is_err());
        std::fs::remove_dir_all(&dir).unwrap();
    }

    /// A file whose text is unchanged keeps its modification time (so
    /// cargo rebuilds nothing); a changed text is written.
    #[test]
    fn only_a_changed_text_is_written() {
        let dir = scratch_dir("write");
        let path = dir.join("a.rs");
        write_if_changed(&path, "one").unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "one");
        let old = std::time::SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000);
        File::options()
            .write(true)
            .open(&path)
            .unwrap()
            .set_modified(old)
            .unwrap();
        write_if_changed(&path, "one").unwrap();
        assert_eq!(std::fs::metadata(&path).unwrap().modified().unwrap(), old);
        write_if_changed(&path, "two").unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "two");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn running_finds_this_very_test_process_by_its_program() {
        let exe = std::env::current_exe().unwrap();
        let found = running(std::slice::from_ref(&exe));
        assert!(
            found.iter().any(|(pid, _)| *pid == std::process::id()),
            "{found:?}"
        );
        assert!(running(&[PathBuf::from("/nonexistent")]).is_empty());
    }

    #[test]
    fn a_toml_section_runs_to_the_next_header() {
        let toml =
            "[package]\nname = \"x\"\n\n[profile.dev]\ndebug = false\n\n[[test]]\nname = \"t\"\n";
        assert_eq!(
            section(toml, "[profile.dev]"),
            Some("[profile.dev]\ndebug = false\n\n")
        );
        assert_eq!(section(toml, "[profile.release]"), None);
        let last = "[a]\n\n[profile.dev]\ndebug = 1\n";
        assert_eq!(
            section(last, "[profile.dev]"),
            Some("[profile.dev]\ndebug = 1\n")
        );
        // An empty table is its header line alone, not the next table too.
        let empty = "[a]\n[profile.dev]\n[profile.release]\nopt-level = 3\n";
        assert_eq!(section(empty, "[profile.dev]"), Some("[profile.dev]\n"));
    }
}
