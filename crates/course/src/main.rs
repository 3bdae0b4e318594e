//! `cargo run -p course`: the exercise runner.
//!
//! Shows the next exercise to do and your progress, re-checks it every time
//! you save (`watch`), and gives hints, resets and solutions on request.
//! Whether an exercise is done is never stored anywhere: the runner compiles
//! it and runs its tests on the real kernel, and remembers a verdict only
//! while nothing it depends on has changed (`course::cache`).
//! It speaks English or Chinese (`course::i18n`).

mod prove;
mod show;
mod watch;

use course::catalog::{self, Exercise};
use course::i18n::{self, Lang};
use course::runner::{trim, Status};
use demo_kit::cli::Args;
use demo_kit::{bail_msg, Context, Result};
use show::{check_one, checker, mark, next_from, padded_mark, paint, progress};
use std::io::{IsTerminal, Write};
use std::process::ExitCode;
use watch::watch;

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{}: {e}", i18n::error_word());
            ExitCode::from(e.exit_code())
        }
    }
}

/// The language: `--lang` if given, else the locale. Read before anything
/// is printed, `--help` included.
fn choose_language() -> Result<()> {
    let words: Vec<String> = std::env::args().skip(1).collect();
    let given = words.iter().enumerate().find_map(|(i, w)| {
        w.strip_prefix("--lang=")
            .map(str::to_string)
            .or_else(|| (w == "--lang").then(|| words.get(i + 1).cloned().unwrap_or_default()))
    });
    // The locale's language first: a bad --lang is reported in it.
    i18n::set(i18n::from_locale(|k| std::env::var(k).ok()));
    if let Some(value) = given {
        i18n::set(i18n::parse_lang(&value).map_err(demo_kit::Error::msg)?);
    }
    Ok(())
}

fn run() -> Result<()> {
    choose_language()?;
    let mut args = Args::parse(i18n::help());
    let _: Option<String> = args.value("--lang")?;
    let yes = args.flag("--yes");
    let force = args.flag("--force");
    let command = args.positional();
    let name = args.positional();
    args.finish()?;
    // The list of exercises is the exercises workspace's catalog.json.
    catalog::init().map_err(|e| demo_kit::Error::msg(e.to_string()))?;
    let exercise = || -> Result<&'static Exercise> {
        let name = name.as_deref().context(i18n::which_exercise())?;
        catalog::find(name).with_context(|| i18n::which_missing(name, &catalog::names()))
    };
    match command.as_deref() {
        None => overview(),
        Some("watch") => watch(),
        Some("list") => list(),
        Some("check") => check(exercise()?),
        Some("hint") => hint(exercise()?),
        Some("reset") => reset(exercise()?, yes),
        Some("solution") => solution(exercise()?, force),
        Some("verify") => prove::verify(),
        Some(other) => bail_msg(i18n::unknown_command(other)),
    }
}

// ---- commands ----

/// The next task first (checking in course order, stopping at the first
/// exercise not done), then the progress over all of them.
fn overview() -> Result<()> {
    let checker = checker();
    let next = next_from(&checker, 0)?;
    if let Some((i, verdict)) = &next {
        show::show_current(&catalog::all()[*i], verdict);
    }
    let (verdicts, line) = progress(&checker)?;
    println!("\n{line}");
    // Skipped exercises are passed over: say which, and why.
    for e in catalog::all() {
        if let Status::Skipped(_) = &verdicts[e.name].status {
            println!("  {:<16} {}", e.name, mark(&verdicts[e.name].status));
        }
    }
    if next.is_none() {
        println!(
            "\n{} {}",
            paint("32", i18n::all_done()),
            i18n::every_exercise_passes()
        );
        let skipped = show::skipped_count(&verdicts);
        if skipped > 0 {
            println!("{}", i18n::all_skipped_note(skipped));
        }
    }
    Ok(())
}

fn list() -> Result<()> {
    let checker = checker();
    let (verdicts, line) = progress(&checker)?;
    println!();
    for (i, e) in catalog::all().iter().enumerate() {
        let status = &verdicts[e.name].status;
        println!(
            "{:>2}. {:<16} {} {} {}",
            i + 1,
            e.name,
            padded_mark(status, 20),
            show::pad(i18n::topic(e.topic), 24),
            i18n::lesson(e.lesson)
        );
        if let Status::Skipped(reason) = status {
            println!("    {:<16} {}", "", mark(&Status::Skipped(reason.clone())));
        }
    }
    println!("\n{line}");
    Ok(())
}

fn check(e: &'static Exercise) -> Result<()> {
    // Always for real: `check` is how a student asks "run it now".
    let status = check_one(&checker(), e, true)?.status;
    println!("\n{}  {}  (exercises/{})", e.name, mark(&status), e.path);
    match status {
        Status::Passed => {
            println!("{}", i18n::all_tests_pass());
            Ok(())
        }
        Status::Skipped(reason) => {
            println!("{}", i18n::check_skipped(&reason));
            Ok(())
        }
        Status::CompileError(errors) => {
            println!("{}", errors.trim_end());
            bail_msg(i18n::does_not_compile(e.name))
        }
        Status::Failed(out) => {
            let source = std::fs::read_to_string(catalog::exercises_dir().join(e.path));
            show::explain_failures(&source.unwrap_or_default(), &out);
            println!("{}", trim(&out, 200));
            bail_msg(i18n::does_not_pass(e.name))
        }
    }
}

/// The hint, in the runner's language: `hints/zh-CN/NAME.md` in Chinese
/// when it exists, else the English `hints/NAME.md` (with a note saying so).
fn hint(e: &Exercise) -> Result<()> {
    let hints = catalog::exercises_dir().join("hints");
    let file = format!("{}.md", e.name);
    let translated = hints.join("zh-CN").join(&file);
    let path = if i18n::lang() == Lang::ZhCn {
        if translated.is_file() {
            translated
        } else {
            println!("{}", i18n::no_zh_hint(e.name));
            hints.join(&file)
        }
    } else {
        hints.join(&file)
    };
    let text = std::fs::read_to_string(&path)
        .with_context(|| i18n::reading(&path.display().to_string()))?;
    // A translation's first line records its source (`<!-- translates ... -->`).
    let text = match text.strip_prefix("<!--") {
        Some(rest) => rest
            .split_once("-->\n")
            .map_or(text.as_str(), |(_, body)| body),
        None => text.as_str(),
    };
    println!("{}", text.trim_end());
    Ok(())
}

fn reset(e: &Exercise, yes: bool) -> Result<()> {
    let path = catalog::exercises_dir().join(e.path);
    let pristine = catalog::pristine(e)?;
    let current = std::fs::read_to_string(&path).unwrap_or_default();
    if current == pristine {
        println!("{}", i18n::already_shipped(e.path));
        return Ok(());
    }
    if !yes {
        if !std::io::stdin().is_terminal() {
            return bail_msg(i18n::reset_needs_yes());
        }
        print!("{}", i18n::restore_question(e.path));
        let _ = std::io::stdout().flush();
        let mut answer = String::new();
        std::io::stdin()
            .read_line(&mut answer)
            .context(i18n::reading_answer())?;
        if !matches!(answer.trim(), "y" | "Y" | "yes" | "是") {
            println!("{}", i18n::nothing_changed());
            return Ok(());
        }
    }
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).with_context(|| dir.display().to_string())?;
    }
    std::fs::write(&path, pristine).with_context(|| path.display().to_string())?;
    println!("{}", i18n::back_as_shipped(e.path));
    Ok(())
}

fn solution(e: &'static Exercise, force: bool) -> Result<()> {
    if !force && !check_one(&checker(), e, false)?.status.passed() {
        return bail_msg(i18n::solution_locked(e.name));
    }
    let path = catalog::exercises_dir().join("solutions").join(e.path);
    let text = std::fs::read_to_string(&path)
        .with_context(|| i18n::reading(&path.display().to_string()))?;
    println!("{text}");
    println!("{}", i18n::solution_compare(e.path));
    Ok(())
}
