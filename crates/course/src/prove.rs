//! `verify`: the proof that every exercise fails untouched and passes with
//! its solution (`course::verify`), shown as a table a maintainer can read.

use crate::show::{pad, paint};
use course::catalog;
use course::i18n;
use course::runner::Status;
use demo_kit::{bail_msg, Context, Result};
use std::time::Duration;

pub fn verify() -> Result<()> {
    // The root workspace's target directory: the proof reuses the
    // dependencies compiled there.
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| catalog::repo_root().join("target"));
    let scratch = target.join("course-verify");
    eprintln!(
        "{}",
        i18n::verifying(catalog::all().len(), &scratch.display().to_string())
    );
    let report = course::verify::verify(
        &catalog::exercises_dir(),
        &scratch,
        &target,
        Duration::from_secs(60),
    )
    .context(i18n::running_proof())?;
    println!(
        "\n{} {} {} clippy",
        pad(i18n::col_exercise(), 16),
        pad(i18n::col_untouched(), 22),
        pad(i18n::col_solved(), 22)
    );
    for row in &report.rows {
        let cell = |good: bool, word: &str| paint(if good { "32" } else { "31" }, &pad(word, 22));
        let skipped = |reason: &str| paint("36", &pad(&i18n::not_proven_here(reason), 22));
        let untouched = match &row.untouched {
            Status::Failed(_) => cell(true, i18n::fails_good()),
            Status::Passed => cell(false, i18n::passes_defect()),
            Status::CompileError(_) => cell(false, i18n::no_compile_upper()),
            Status::Skipped(reason) => skipped(reason),
        };
        let solved = match &row.solved {
            Status::Passed => cell(true, i18n::passes_good()),
            Status::Skipped(reason) => skipped(reason),
            _ => cell(false, i18n::fails_defect()),
        };
        let clippy = match row.clippy {
            None => paint("32", i18n::clean()),
            Some(_) => paint("31", i18n::warnings()),
        };
        println!("{:<16} {untouched} {solved} {clippy}", row.name);
    }
    for row in &report.rows {
        for d in row.defects() {
            println!("\n{}: {d}", row.name);
        }
    }
    for g in &report.general {
        println!("\n{g}");
    }
    println!("\n{}", i18n::took(report.elapsed.as_secs_f64()));
    if report.not_proven() > 0 {
        println!("{}", i18n::not_proven_count(report.not_proven()));
    }
    if report.ok() {
        println!("{}", i18n::verify_ok());
        Ok(())
    } else {
        bail_msg(i18n::verify_defective())
    }
}
