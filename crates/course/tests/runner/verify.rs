//! The proof the project's test command runs: every exercise FAILS as
//! shipped and PASSES with its solution, clippy clean — on scratch copies in
//! the target directory, never on the student's files. An exercise that
//! skips (`COURSE-SKIP:`, e.g. it needs root) is reported as not proven here
//! (`skipped: ...`), and under CI, which runs as root, that is a failure.
//!
//! Cost: one build of a scratch workspace holding both sides, one run of
//! all the test binaries, and one clippy run; the scratch target directory
//! persists under target/tmp, so a second run with nothing changed compiles
//! nothing.

use course::catalog::{all, exercises_dir};
use course::runner::Status;
use std::path::Path;
use std::time::Duration;

#[test]
fn every_exercise_fails_untouched_and_passes_with_its_solution() {
    // Scratch files under target/tmp; the build in the target directory
    // itself, where `cargo test` compiled the same dependencies.
    let tmp = Path::new(env!("CARGO_TARGET_TMPDIR"));
    let target = tmp.parent().expect("CARGO_TARGET_TMPDIR is <target>/tmp");
    let report = course::verify::verify(
        &exercises_dir(),
        &tmp.join("course-verify"),
        target,
        Duration::from_secs(120),
    )
    .expect("running verify");
    for row in &report.rows {
        let untouched = match row.untouched {
            Status::Failed(_) => "fails",
            Status::Passed => "PASSES",
            Status::CompileError(_) => "DOES NOT COMPILE",
            Status::Skipped(_) => "skipped",
        };
        let solved = match row.solved {
            Status::Passed => "passes",
            Status::Skipped(_) => "skipped",
            _ => "FAILS",
        };
        let clippy = if row.clippy.is_none() {
            "clean"
        } else {
            "WARNINGS"
        };
        println!(
            "{:<16} untouched: {untouched:<8} solved: {solved:<8} clippy: {clippy}",
            row.name
        );
    }
    println!("verify took {:.1} s", report.elapsed.as_secs_f64());
    // The proof builds with the root workspace's dev profile, not the
    // exercises' own: with the same profile it reuses the dependencies that
    // `cargo test` compiled, and compiles only the exercises.
    let profile = |toml: &str| -> String {
        let start = toml
            .find("\n[profile.dev]\n")
            .expect("a [profile.dev] table")
            + 1;
        let end = toml[start + 1..]
            .find("\n[")
            .map_or(toml.len(), |i| start + i + 2);
        toml[start..end].to_string()
    };
    let read = |path: &Path| std::fs::read_to_string(path).unwrap();
    let proof = read(&tmp.join("course-verify/proof/Cargo.toml"));
    let root = profile(&read(&exercises_dir().join("../Cargo.toml")));
    let own = profile(&read(&exercises_dir().join("Cargo.toml")));
    assert!(proof.contains(&root) && !proof.contains(&own), "{proof}");
    let not_proven: Vec<String> = report
        .rows
        .iter()
        .filter_map(|row| Some(format!("{}: {}", row.name, row.not_proven()?)))
        .collect();
    let mut problems = Vec::new();
    for row in &report.rows {
        for d in row.defects() {
            problems.push(format!("{}: {d}", row.name));
        }
    }
    problems.extend(report.general.iter().cloned());
    assert!(
        problems.is_empty(),
        "defective exercises:\n\n{}",
        problems.join("\n\n")
    );
    assert_eq!(report.rows.len(), all().len());
    // An exercise that skipped on a side (e.g. it needs root) is not a
    // defect, but it was not proven here: the student sees it, and CI,
    // which runs as root, fails.
    if !not_proven.is_empty() {
        demo_kit::testing::skip(&format!(
            "{} exercise(s) not proven here: {}",
            not_proven.len(),
            not_proven.join("; ")
        ));
    }
}

/// What `reset` and `verify` take as "shipped" is the committed version of
/// each exercise; in CI (a clean clone) that is exactly the file on disk.
#[test]
fn the_shipped_text_is_the_committed_file() {
    let mut differ = Vec::new();
    for e in all() {
        let on_disk = std::fs::read_to_string(exercises_dir().join(e.path)).unwrap_or_default();
        let shipped = course::catalog::pristine(e).expect("git show HEAD:exercises/...");
        assert!(
            shipped.contains(e.name),
            "{}: not the exercise's text",
            e.path
        );
        if on_disk != shipped {
            differ.push(e.path);
        }
    }
    if differ.is_empty() {
        return;
    }
    if std::env::var_os("CI").is_some() {
        panic!("exercises differ from the last commit in a CI checkout: {differ:?}");
    }
    println!("note: you have edited {differ:?} since the last commit (fine while you work)");
}

/// The measuring example's copy of an exercises workspace
/// (`examples/measure.rs`): its Cargo files, catalog and test support, and
/// nothing else; a previous copy is replaced.
#[test]
fn a_workspace_copy_holds_what_a_check_needs() {
    let from = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixture");
    let to =
        Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("course-copy-{}", std::process::id()));
    std::fs::create_dir_all(to.join("left-over")).unwrap();
    course::verify::copy_workspace(&from, &to).unwrap();
    for file in ["Cargo.toml", "Cargo.lock", "catalog.json", "src/lib.rs"] {
        assert_eq!(
            std::fs::read(to.join(file)).ok(),
            std::fs::read(from.join(file)).ok(),
            "{file}"
        );
    }
    assert!(!to.join("left-over").exists() && !to.join("01_first").exists());
    std::fs::remove_dir_all(&to).unwrap();
}
