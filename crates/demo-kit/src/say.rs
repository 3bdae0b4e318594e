//! Narration: every line a demo prints says who is speaking.
//!
//! A network or process demo has two or more actors running at once. The
//! student must always be able to tell whether a line came from the client
//! or the server, the parent or the child, or is a fact read from the kernel.
//! So each line starts with a fixed-width label such as `[server]`.
//!
//! Colours help on a terminal but are noise in a file or a pipe, and the
//! `NO_COLOR` convention (<https://no-color.org>) says a user can turn them
//! off: [`colors_enabled`] checks both.
//!
//! Narration is written straight to the stdout lock (a closed stdout, as in
//! `| head`, is ignored rather than a panic), which `cargo test` does not
//! capture: a test or a benchmark that calls a scenario for its report
//! silences it with [`set_quiet`].

use std::fmt::Display;
use std::io::{IsTerminal, Write};
use std::sync::atomic::{AtomicBool, Ordering};

static QUIET: AtomicBool = AtomicBool::new(false);

/// Silences (`true`) or restores all narration of this process: `say`,
/// `step` and `heading` print nothing while quiet. For tests and benchmarks
/// that call scenarios and assert on the reports they return.
pub fn set_quiet(quiet: bool) {
    QUIET.store(quiet, Ordering::Relaxed);
}

/// Whether [`set_quiet`] silenced narration.
pub fn is_quiet() -> bool {
    QUIET.load(Ordering::Relaxed)
}

/// Writes one formatted piece of narration with a single `write_all` while
/// holding the stdout lock, so lines from different threads never
/// interleave mid-line.
fn emit(text: &str) {
    if is_quiet() {
        return;
    }
    let mut out = std::io::stdout().lock();
    // A closed stdout (e.g. `| head`) must not turn into a panic.
    let _ = out.write_all(text.as_bytes());
    let _ = out.flush();
}

/// Who is speaking on a line of narration.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Side {
    Client,
    Server,
    Parent,
    Child,
    /// A fact read back from the operating system (`/proc`, `getsockopt`, ...).
    Kernel,
    /// The demo itself explaining something.
    Note,
}

impl Side {
    /// The label printed in front of the line, e.g. `server`.
    pub fn label(self) -> &'static str {
        match self {
            Side::Client => "client",
            Side::Server => "server",
            Side::Parent => "parent",
            Side::Child => "child",
            Side::Kernel => "kernel",
            Side::Note => "note",
        }
    }

    fn color(self) -> &'static str {
        match self {
            Side::Client => "\x1b[36m", // cyan
            Side::Server => "\x1b[35m", // magenta
            Side::Parent => "\x1b[34m", // blue
            Side::Child => "\x1b[32m",  // green
            Side::Kernel => "\x1b[33m", // yellow
            Side::Note => "\x1b[2m",    // dim
        }
    }
}

/// True when stdout is a terminal and `NO_COLOR` is unset or empty.
pub fn colors_enabled() -> bool {
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    !no_color && std::io::stdout().is_terminal()
}

/// Formats one narration line (without the newline).
///
/// ```
/// use demo_kit::say::{line, Side};
/// assert_eq!(line(Side::Server, "listening", false), "[server] listening");
/// ```
pub fn line(side: Side, msg: impl Display, color: bool) -> String {
    if color {
        format!("{}[{}]\x1b[0m {}", side.color(), side.label(), msg)
    } else {
        format!("[{}] {}", side.label(), msg)
    }
}

/// Prints one line of narration, e.g. `[client] sent 5 bytes`.
///
/// Nothing is printed while [`set_quiet`] is on.
pub fn say(side: Side, msg: impl Display) {
    if is_quiet() {
        return;
    }
    let mut text = line(side, msg, colors_enabled());
    text.push('\n');
    emit(&text);
}

/// Prints a step heading, e.g. `── step 2: connect ──`, in Chinese
/// `── 第 2 步：连接 ──` (the title is the demo's, already in its language).
pub fn step(number: usize, title: impl Display) {
    let words = crate::tr!("step {number}: {title}", "第 {number} 步：{title}");
    let text = if colors_enabled() {
        format!("\n\x1b[1m── {words} ──\x1b[0m\n")
    } else {
        format!("\n── {words} ──\n")
    };
    emit(&text);
}

/// Prints a scenario/section heading, e.g. `=== merge ===`.
pub fn heading(title: impl Display) {
    let text = if colors_enabled() {
        format!("\n\x1b[1;4m{title}\x1b[0m\n")
    } else {
        format!("\n=== {title} ===\n")
    };
    emit(&text);
}

/// Shows bytes the way Python's `repr(bytes)` does: printable ASCII as is,
/// everything else as `\xNN`, so a student can compare with the course.
///
/// ```
/// assert_eq!(demo_kit::say::show_bytes(b"hi\n\xfb"), "b'hi\\n\\xfb'");
/// ```
pub fn show_bytes(bytes: &[u8]) -> String {
    let mut s = String::from("b'");
    for &b in bytes {
        match b {
            b'\n' => s.push_str("\\n"),
            b'\r' => s.push_str("\\r"),
            b'\t' => s.push_str("\\t"),
            b'\\' => s.push_str("\\\\"),
            b'\'' => s.push_str("\\'"),
            0x20..=0x7e => s.push(b as char),
            _ => s.push_str(&format!("\\x{b:02x}")),
        }
    }
    s.push('\'');
    s
}

/// Hex dump with spaces, e.g. `fb 01 00 00`.
///
/// ```
/// assert_eq!(demo_kit::say::hex(&[0xfb, 1, 0, 0]), "fb 01 00 00");
/// ```
pub fn hex(bytes: &[u8]) -> String {
    bytes
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect::<Vec<_>>()
        .join(" ")
}
