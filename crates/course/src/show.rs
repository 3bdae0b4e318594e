//! How the runner shows things: the progress bar, status marks, colours,
//! and the current exercise with its task and what fails.

use course::catalog::{self, Exercise};
use course::runner::{trim, Status, Workspace};
use demo_kit::{Context, Result};
use std::collections::BTreeMap;

/// The student's exercises workspace.
pub fn workspace() -> Workspace {
    Workspace::student(catalog::exercises_dir())
}

/// Compiles and tests the given exercises, saying so while it works.
pub fn check_all(list: &[&'static Exercise]) -> Result<BTreeMap<String, Status>> {
    eprint!(
        "checking {} exercise(s) (compiling and running their tests)...",
        list.len()
    );
    let names: Vec<&str> = list.iter().map(|e| e.name).collect();
    let result = workspace()
        .check(&names)
        .context("building the exercises workspace");
    eprintln!(" done");
    result
}

pub fn paint(code: &str, text: &str) -> String {
    if demo_kit::say::colors_enabled() {
        format!("\x1b[{code}m{text}\x1b[0m")
    } else {
        text.to_string()
    }
}

pub fn mark(status: &Status) -> String {
    padded_mark(status, 0)
}

/// The status word, padded to `width` before colouring (escape codes have
/// no width on screen but count for `format!` padding).
pub fn padded_mark(status: &Status, width: usize) -> String {
    let (code, word) = match status {
        Status::Passed => ("32", "✓ done"),
        Status::Failed(_) => ("31", "✗ todo"),
        Status::CompileError(_) => ("33", "✗ does not compile"),
    };
    paint(code, &format!("{word:<width$}"))
}

pub fn bar(done: usize, total: usize) -> String {
    let width = 30;
    let filled = done * width / total.max(1);
    format!(
        "[{}{}] {done}/{total}",
        paint("32", &"#".repeat(filled)),
        "-".repeat(width - filled)
    )
}

/// The current exercise: where it is, what to do, what fails.
pub fn show_current(e: &Exercise, status: &Status) {
    let file = catalog::exercises_dir().join(e.path);
    let text = std::fs::read_to_string(&file).unwrap_or_default();
    println!(
        "\nNext: {}  ({}, lesson {})",
        paint("1", e.name),
        e.topic,
        e.lesson
    );
    println!("File: exercises/{}\n", e.path);
    for line in catalog::task(&text).lines() {
        println!("  {line}");
    }
    println!("\n{}:", mark(status));
    let output = match status {
        Status::Passed => String::new(),
        Status::CompileError(errors) => trim_compile(errors),
        Status::Failed(out) => trim(out, 25),
    };
    for line in output.lines() {
        println!("  {line}");
    }
    println!(
        "\nEdit the file; then `cargo run -p course -- check {0}` (or `-- watch`). Stuck? `-- hint {0}`.",
        e.name
    );
}

fn trim_compile(errors: &str) -> String {
    let lines: Vec<&str> = errors.lines().collect();
    let mut text = lines[..lines.len().min(30)].join("\n");
    if lines.len() > 30 {
        text.push_str(&format!("\n… {} more lines", lines.len() - 30));
    }
    text
}
