//! `cargo run -p course`: the exercise runner.
//!
//! Shows your progress and the next exercise to do, re-checks it every time
//! you save (`watch`), and gives hints, resets and solutions on request.
//! Whether an exercise is done is never stored anywhere: each time, the
//! runner compiles it and runs its tests on the real kernel.

mod show;
mod watch;

use course::catalog::{self, Exercise, EXERCISES};
use course::runner::{trim, Status};
use demo_kit::cli::Args;
use demo_kit::{bail_msg, Context, Result};
use show::{bar, check_all, mark, padded_mark, paint, show_current};
use std::io::{IsTerminal, Write};
use std::process::ExitCode;
use std::time::Duration;
use watch::watch;

const HELP: &str = "\
course: the exercise runner (exercises/README.md explains it all)

usage: cargo run -p course [-- COMMAND]

  (no command)        progress, and the first exercise not done yet
  watch               re-check the current exercise whenever a file is saved;
                      moves on when it passes (type q + Enter to quit)
  list                every exercise with its status and lesson
  check NAME          compile and test one exercise, show what fails
  hint NAME           a hint for one exercise
  reset NAME [--yes]  put an exercise back as it was shipped (asks first)
  solution NAME [--force]
                      show the solution (only once yours passes, or --force)
  verify              prove every exercise both ways on a scratch copy: each
                      fails untouched and passes with its solution, clippy
                      clean (your files are not touched)

Status is never stored: each time, the exercise is compiled and its tests run.
Colours only on a terminal, never when NO_COLOR is set.";

fn main() -> ExitCode {
    demo_kit::fail::run(run)
}

fn run() -> Result<()> {
    let mut args = Args::parse(HELP);
    let yes = args.flag("--yes");
    let force = args.flag("--force");
    let command = args.positional();
    let name = args.positional();
    args.finish()?;
    let exercise = || -> Result<&'static Exercise> {
        let name = name
            .as_deref()
            .context("which exercise? give its NAME; see `list`")?;
        catalog::find(name).with_context(|| {
            format!(
                "no exercise called {name:?}; the exercises are: {}",
                catalog::names()
            )
        })
    };
    match command.as_deref() {
        None => overview(),
        Some("watch") => watch(),
        Some("list") => list(),
        Some("check") => check(exercise()?),
        Some("hint") => hint(exercise()?),
        Some("reset") => reset(exercise()?, yes),
        Some("solution") => solution(exercise()?, force),
        Some("verify") => verify(),
        Some(other) => bail_msg(format!("unknown command {other:?}; see --help")),
    }
}

// ---- commands ----

fn overview() -> Result<()> {
    let all: Vec<&Exercise> = EXERCISES.iter().collect();
    let statuses = check_all(&all)?;
    let done = EXERCISES
        .iter()
        .filter(|e| statuses[e.name].passed())
        .count();
    println!("\nProgress {}", bar(done, EXERCISES.len()));
    match EXERCISES.iter().find(|e| !statuses[e.name].passed()) {
        None => println!(
            "\n{} Every exercise passes. `cargo run -p course -- verify` proves the set itself.",
            paint("32", "All done!")
        ),
        Some(e) => show_current(e, &statuses[e.name]),
    }
    Ok(())
}

fn list() -> Result<()> {
    let all: Vec<&Exercise> = EXERCISES.iter().collect();
    let statuses = check_all(&all)?;
    let done = EXERCISES
        .iter()
        .filter(|e| statuses[e.name].passed())
        .count();
    println!();
    for (i, e) in EXERCISES.iter().enumerate() {
        println!(
            "{:>2}. {:<16} {} {:<24} {}",
            i + 1,
            e.name,
            padded_mark(&statuses[e.name], 20),
            e.topic,
            e.lesson
        );
    }
    println!("\nProgress {}", bar(done, EXERCISES.len()));
    Ok(())
}

fn check(e: &'static Exercise) -> Result<()> {
    let statuses = check_all(&[e])?;
    let status = &statuses[e.name];
    println!("\n{}  {}  (exercises/{})", e.name, mark(status), e.path);
    match status {
        Status::Passed => {
            println!("All its tests pass. `cargo run -p course` shows the next exercise.");
            Ok(())
        }
        Status::CompileError(errors) => {
            println!("{}", errors.trim_end());
            bail_msg(format!("{} does not compile yet", e.name))
        }
        Status::Failed(out) => {
            println!("{}", trim(out, 200));
            bail_msg(format!(
                "{} does not pass yet (stuck? `-- hint {}`)",
                e.name, e.name
            ))
        }
    }
}

fn hint(e: &Exercise) -> Result<()> {
    let path = catalog::exercises_dir()
        .join("hints")
        .join(format!("{}.md", e.name));
    let text =
        std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
    println!("{}", text.trim_end());
    Ok(())
}

fn reset(e: &Exercise, yes: bool) -> Result<()> {
    let path = catalog::exercises_dir().join(e.path);
    let pristine = catalog::pristine(e)?;
    let current = std::fs::read_to_string(&path).unwrap_or_default();
    if current == pristine {
        println!("exercises/{} is already as shipped.", e.path);
        return Ok(());
    }
    if !yes {
        if !std::io::stdin().is_terminal() {
            return bail_msg("reset asks before overwriting your work; pass --yes to confirm");
        }
        print!(
            "Restore exercises/{} as shipped? Your changes will be lost. [y/N] ",
            e.path
        );
        let _ = std::io::stdout().flush();
        let mut answer = String::new();
        std::io::stdin()
            .read_line(&mut answer)
            .context("reading your answer")?;
        if !matches!(answer.trim(), "y" | "Y" | "yes") {
            println!("Nothing changed.");
            return Ok(());
        }
    }
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    std::fs::write(&path, pristine).with_context(|| format!("writing {}", path.display()))?;
    println!("exercises/{} is back as shipped.", e.path);
    Ok(())
}

fn solution(e: &'static Exercise, force: bool) -> Result<()> {
    if !force {
        let statuses = check_all(&[e])?;
        if !statuses[e.name].passed() {
            return bail_msg(format!(
                "{0} does not pass yet. Try `-- hint {0}` first; or see the solution anyway with `-- solution {0} --force`",
                e.name
            ));
        }
    }
    let path = catalog::exercises_dir().join("solutions").join(e.path);
    let text =
        std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
    println!("{text}");
    println!("(exercises/solutions/{}; compare it with yours: `diff exercises/{0} exercises/solutions/{0}`)", e.path);
    Ok(())
}

fn verify() -> Result<()> {
    let scratch = std::env::var_os("CARGO_TARGET_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| catalog::repo_root().join("target"))
        .join("course-verify");
    eprintln!(
        "verifying {} exercises on scratch copies in {} (two builds; your files are not touched)...",
        EXERCISES.len(),
        scratch.display()
    );
    let report =
        course::verify::verify(&catalog::exercises_dir(), &scratch, Duration::from_secs(60))
            .context("running the proof")?;
    println!(
        "\n{:<16} {:<22} {:<22} clippy",
        "exercise", "untouched", "with its solution"
    );
    for row in &report.rows {
        let cell =
            |good: bool, word: &str| paint(if good { "32" } else { "31" }, &format!("{word:<22}"));
        let untouched = match row.untouched {
            Status::Failed(_) => cell(true, "fails (good)"),
            Status::Passed => cell(false, "PASSES (defect)"),
            Status::CompileError(_) => cell(false, "DOES NOT COMPILE"),
        };
        let solved = match row.solved {
            Status::Passed => cell(true, "passes (good)"),
            _ => cell(false, "FAILS (defect)"),
        };
        let clippy = match row.clippy {
            None => paint("32", "clean"),
            Some(_) => paint("31", "WARNINGS"),
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
    println!("\n(took {:.0} s)", report.elapsed.as_secs_f64());
    if report.ok() {
        println!("Every exercise fails untouched and passes with its solution.");
        Ok(())
    } else {
        bail_msg("some exercises are defective (see above)")
    }
}
