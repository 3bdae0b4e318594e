//! The proof the project's test command runs: every exercise FAILS as
//! shipped and PASSES with its solution, clippy clean — on scratch copies in
//! the target directory, never on the student's files.
//!
//! Cost: two builds of the exercises workspace (one per side, all exercises
//! at once) plus one clippy run; dependencies are compiled once and reused
//! across runs (the scratch target directory persists under target/tmp).

use course::catalog::{exercises_dir, EXERCISES};
use course::runner::Status;
use std::path::Path;
use std::time::Duration;

#[test]
fn every_exercise_fails_untouched_and_passes_with_its_solution() {
    let scratch = Path::new(env!("CARGO_TARGET_TMPDIR")).join("course-verify");
    let report = course::verify::verify(&exercises_dir(), &scratch, Duration::from_secs(120))
        .expect("running verify");
    for row in &report.rows {
        let untouched = match row.untouched {
            Status::Failed(_) => "fails",
            Status::Passed => "PASSES",
            Status::CompileError(_) => "DOES NOT COMPILE",
        };
        let solved = if row.solved.passed() {
            "passes"
        } else {
            "FAILS"
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
    assert_eq!(report.rows.len(), EXERCISES.len());
}

/// The copies in exercises/ start out identical to the pristine copies the
/// runner embeds (for `reset` and `verify`). A student's edits naturally
/// differ, so outside CI a difference is only reported.
#[test]
fn shipped_exercises_match_the_embedded_pristine_copies() {
    let mut differ = Vec::new();
    for e in EXERCISES {
        let on_disk = std::fs::read_to_string(exercises_dir().join(e.path)).unwrap_or_default();
        if on_disk != e.pristine {
            differ.push(e.path);
        }
    }
    if differ.is_empty() {
        return;
    }
    if std::env::var_os("CI").is_some() {
        panic!(
            "exercises/ and crates/course/pristine/ disagree on {differ:?}: \
             copy the new exercise text into crates/course/pristine/"
        );
    }
    println!("note: you have edited {differ:?} (fine while you work; CI requires them pristine)");
}
