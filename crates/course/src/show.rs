//! How the runner shows things: the progress bar, status marks, colours,
//! and the current exercise with its task and what fails; and the order it
//! checks in: the next task first, the rest of the progress afterwards.

use course::cache::{Checker, Verdict};
use course::catalog::{self, Exercise};
use course::explain;
use course::i18n::{self, Lang};
use course::runner::{trim, Status, Workspace};
use demo_kit::{Context, Result};
use std::cell::Cell;
use std::collections::BTreeMap;

/// A checker for the student's exercises workspace.
pub fn checker() -> Checker {
    Checker::new(Workspace::student(catalog::exercises_dir()))
}

/// Verdicts for `list` (remembered ones unless `fresh`), saying so on
/// stderr while exercises are compiled and tested for real.
pub fn check_list(
    checker: &Checker,
    list: &[&'static Exercise],
    fresh: bool,
) -> Result<BTreeMap<String, Verdict>> {
    let said = Cell::new(false);
    let result = checker
        .check(list, fresh, |n| {
            eprint!("{}", i18n::checking(n));
            said.set(true);
        })
        .context(i18n::building());
    if said.get() {
        eprintln!("{}", i18n::done_word());
    }
    result
}

/// One exercise's verdict.
pub fn check_one(checker: &Checker, e: &'static Exercise, fresh: bool) -> Result<Verdict> {
    let mut v = check_list(checker, &[e], fresh)?;
    Ok(v.remove(e.name)
        .expect("a verdict for the exercise checked"))
}

/// The next task: from `from` on, in course order, the first exercise that
/// neither passes nor skips, checking one at a time and stopping there, so
/// the student never waits for exercises not reached yet.
pub fn next_from(checker: &Checker, from: usize) -> Result<Option<(usize, Verdict)>> {
    for (i, e) in catalog::all().iter().enumerate().skip(from) {
        let v = check_one(checker, e, false)?;
        if !v.status.moves_on() {
            return Ok(Some((i, v)));
        }
    }
    Ok(None)
}

/// Every exercise's verdict (the ones not remembered are checked, all in
/// one build) and the progress line made of them.
pub fn progress(checker: &Checker) -> Result<(BTreeMap<String, Verdict>, String)> {
    let all: Vec<&Exercise> = catalog::all().iter().collect();
    let verdicts = check_list(checker, &all, false)?;
    let count = |f: fn(&Status) -> bool| verdicts.values().filter(|v| f(&v.status)).count();
    let done = count(Status::passed);
    let skipped = count(|s| matches!(s, Status::Skipped(_)));
    let line = format!(
        "{} {}",
        i18n::progress_word(),
        bar(done, skipped, catalog::all().len())
    );
    Ok((verdicts, line))
}

pub fn skipped_count(verdicts: &BTreeMap<String, Verdict>) -> usize {
    verdicts
        .values()
        .filter(|v| matches!(v.status, Status::Skipped(_)))
        .count()
}

pub fn paint(code: &str, text: &str) -> String {
    if demo_kit::say::colors_enabled() {
        format!("\x1b[{code}m{text}\x1b[0m")
    } else {
        text.to_string()
    }
}

pub fn mark(status: &Status) -> String {
    match status {
        Status::Skipped(reason) => paint("36", &i18n::mark_skipped(reason)),
        _ => padded_mark(status, 0),
    }
}

/// The status word, padded to `width` before colouring (escape codes have
/// no width on screen but count for `format!` padding).
pub fn padded_mark(status: &Status, width: usize) -> String {
    let (code, word) = match status {
        Status::Passed => ("32", i18n::mark_done()),
        Status::Failed(_) => ("31", i18n::mark_todo()),
        Status::CompileError(_) => ("33", i18n::mark_no_compile()),
        Status::Skipped(_) => ("36", i18n::mark_skip_short()),
    };
    paint(code, &pad(word, width))
}

/// `text` padded with spaces to `width` columns on screen: Chinese
/// characters take two columns (`format!` padding counts them as one).
pub fn pad(text: &str, width: usize) -> String {
    let shown: usize = text
        .chars()
        .map(|c| if c > '\u{2E7F}' { 2 } else { 1 })
        .sum();
    format!("{text}{}", " ".repeat(width.saturating_sub(shown)))
}

/// `[####~~-----] 3/14 done, 1 skipped`
pub fn bar(done: usize, skipped: usize, total: usize) -> String {
    let width = 30;
    let filled = done * width / total.max(1);
    let skip = (skipped * width / total.max(1)).min(width - filled);
    let mut text = format!(
        "[{}{}{}] {}",
        paint("32", &"#".repeat(filled)),
        paint("36", &"~".repeat(skip)),
        "-".repeat(width - filled - skip),
        i18n::progress(done, total)
    );
    if skipped > 0 {
        text.push_str(&i18n::skipped_count(skipped));
    }
    text
}

/// The current exercise: where it is, what to do, what fails.
pub fn show_current(e: &Exercise, verdict: &Verdict) {
    let status = &verdict.status;
    let file = catalog::exercises_dir().join(e.path);
    let text = std::fs::read_to_string(&file).unwrap_or_default();
    let name = paint("1", e.name);
    println!(
        "\n{}",
        i18n::next_header(&name, i18n::topic(e.topic), &i18n::lesson(e.lesson))
    );
    println!("{}\n", i18n::file_line(e.path));
    for line in catalog::task(&text).lines() {
        println!("  {line}");
    }
    println!("\n{}{}", mark(status), i18n::colon());
    let output = match status {
        Status::Passed | Status::Skipped(_) => String::new(),
        Status::CompileError(errors) => trim_compile(errors),
        Status::Failed(out) => {
            explain_failures(&text, out);
            trim(out, 25)
        }
    };
    for line in output.lines() {
        println!("  {line}");
    }
    if verdict.remembered {
        println!("  {}", i18n::remembered(e.name));
    }
    println!("\n{}", i18n::edit_then_check(e.name));
}

/// Above a failed run's raw output: what each failing test proves, in the
/// learner's language, from the doc lines above it in the exercise file
/// (`source`). Tests without them (one a learner added) are left out.
pub fn explain_failures(source: &str, output: &str) {
    let lines: Vec<String> = explain::failing_tests(output)
        .iter()
        .filter_map(|name| {
            let e = explain::explanation(source, name)?;
            let why = match i18n::lang() {
                Lang::En => e.en,
                Lang::ZhCn => e.zh,
            };
            Some(i18n::explained(name, &why))
        })
        .collect();
    if !lines.is_empty() {
        println!("  {}", i18n::failing_checks());
        for line in lines {
            println!("  {line}");
        }
        println!();
    }
}

fn trim_compile(errors: &str) -> String {
    let lines: Vec<&str> = errors.lines().collect();
    let mut text = lines[..lines.len().min(30)].join("\n");
    if lines.len() > 30 {
        text.push_str(&format!("\n… {} more lines", lines.len() - 30));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Thirty lines are shown whole; from the thirty-first on, the rest is
    /// counted instead.
    #[test]
    fn a_compile_error_is_cut_after_thirty_lines() {
        let error = |n: usize| {
            (1..=n)
                .map(|i| format!("line {i}"))
                .collect::<Vec<_>>()
                .join("\n")
        };
        assert_eq!(trim_compile(&error(30)), error(30));
        assert_eq!(
            trim_compile(&error(31)),
            format!("{}\n… 1 more lines", error(30))
        );
    }
}
