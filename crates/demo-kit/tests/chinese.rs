//! The Chinese edition says one thing one way, with Chinese punctuation.
//!
//! Two rules, over every Chinese text a learner reads: the Chinese pages
//! (`docs/zh-CN/**/*.md`, `README.zh-CN.md`, `exercises/README.zh-CN.md`),
//! the Chinese hints (`exercises/hints/zh-CN/*.md`), the runner's Chinese
//! messages (the string literals with Chinese in `crates/course/src/i18n.rs`),
//! the line `/// 中文：…` above each exercise's test (what the runner shows
//! when that check fails) and the demos' (the Chinese half of each `tr!`/`pick` pair and each
//! `const …_ZH` in `crates/*/src`, demo_kit::lang):
//!
//! 1. **One term per concept.** The table at the end of
//!    `docs/zh-CN/glossary.md` ("术语统一") gives, for each concept, the one
//!    term to use and the variants not to use (the `不用` column, each in a
//!    code span). A variant is an error wherever it is not part of a phrase
//!    of the `不算` column (演示 inside 演示程序). Latin variants (`demo`)
//!    count as whole words only, so `sticky-demo` is not one.
//! 2. **Full-width punctuation next to Chinese.** An ASCII `, : ; ( ) ! ?`
//!    touching a Chinese character is an error (，：；（）！？ are meant; a
//!    full-width mark is not a Chinese character, so `recv(2)，` is fine), and
//!    so is a bracket closed by the other width: `(IPC 机制：管道）`.
//!
//! Both rules read prose only: fenced code blocks, code spans, link targets
//! and quotations of the notes (blockquotes, `> ...`) are left as they are,
//! since code and output are the same in both editions and the notes are
//! quoted verbatim. Each error names file:line. The labels of a picture
//! (a `mermaid` or `text diagram` block) are prose a reader reads, so rule 1
//! reads them too; rule 2 does not, as a diagram's syntax puts ASCII
//! brackets and colons next to its labels.

mod common;

use common::workspace_root;
use std::fs;
use std::path::Path;

/// The glossary that holds the term table.
const GLOSSARY: &str = "docs/zh-CN/glossary.md";

/// The runner's messages.
const RUNNER_STRINGS: &str = "crates/course/src/i18n.rs";

/// Search terms learners type, which a Chinese lesson must give next to the
/// course's own words (the paragraph after the glossary's term table).
const SEARCH_TERMS: &[(&str, &[&str])] = &[
    ("docs/zh-CN/05-sticky-packets.md", &["拆包", "半包"]),
    (
        "docs/zh-CN/18-io-models.md",
        &["水平触发（LT）", "边缘触发（ET）"],
    ),
    (
        "docs/zh-CN/06-length-prefix.md",
        &["Nagle 算法", "延迟确认"],
    ),
];

/// One variant not to use, and the phrases it may be part of.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Variant {
    text: String,
    fine: Vec<String>,
}

/// A line of Chinese text, prose only (code masked), with where it is.
#[derive(Debug, Clone)]
struct Line {
    file: String,
    number: usize,
    text: String,
}

/// A Chinese character (not a full-width mark: `socket(7)，` is a man page
/// followed by a Chinese comma, and fine).
fn is_han(c: char) -> bool {
    matches!(c, '\u{3400}'..='\u{4dbf}' | '\u{4e00}'..='\u{9fff}' | '\u{f900}'..='\u{faff}')
}

/// Stands in for masked text: not Chinese, not punctuation, not a letter
/// (so `demo` next to a code span is still a word of its own).
const MASK: char = '\u{2400}'; // ␀

/// Masks code spans (`` `x` ``, ``` ``x`` ```, across lines too) and link
/// targets (`](...)`), keeping every newline so line numbers stay right.
fn mask_inline_code(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out: Vec<char> = chars.clone();
    let mut i = 0;
    while i < chars.len() {
        if chars[i] == '`' {
            let run = chars[i..].iter().take_while(|c| **c == '`').count();
            // The closing run: exactly as many backticks.
            let mut j = i + run;
            let mut close = None;
            while j < chars.len() {
                if chars[j] == '`' {
                    let r = chars[j..].iter().take_while(|c| **c == '`').count();
                    if r == run {
                        close = Some(j);
                        break;
                    }
                    j += r;
                } else {
                    j += 1;
                }
            }
            match close {
                Some(j) => {
                    for c in out.iter_mut().take(j + run).skip(i) {
                        if *c != '\n' {
                            *c = MASK;
                        }
                    }
                    i = j + run;
                }
                None => i += run, // a lone backtick is text
            }
        } else if chars[i] == ']' && chars.get(i + 1) == Some(&'(') {
            // To the `)` that closes it: a target may hold `(…)` itself.
            let (mut j, mut depth) = (i + 2, 0);
            while j < chars.len() && chars[j] != '\n' && !(chars[j] == ')' && depth == 0) {
                match chars[j] {
                    '(' => depth += 1,
                    ')' => depth -= 1,
                    _ => {}
                }
                j += 1;
            }
            if j < chars.len() && chars[j] == ')' {
                for c in out.iter_mut().take(j + 1).skip(i + 1) {
                    *c = MASK;
                }
                i = j + 1;
            } else {
                i += 1;
            }
        } else {
            i += 1;
        }
    }
    out.into_iter().collect()
}

/// Whether `line` is a SUMMARY.md entry for a lesson page, labelled with
/// its title: `- [05 · Sticky packets (粘包)](05-sticky-packets.md)`.
fn is_lesson_entry(line: &str) -> bool {
    line.strip_prefix("- [").is_some_and(|rest| {
        let mut c = rest.chars();
        c.next().is_some_and(|d| d.is_ascii_digit())
            && c.next().is_some_and(|d| d.is_ascii_digit())
            && c.as_str().starts_with(" · ")
    })
}

/// The prose lines of a Markdown page: fenced code blocks, blockquotes
/// (the notes, quoted verbatim) and the `# ` title become empty lines, code spans and link
/// targets are masked.
fn markdown_prose(file: &str, markdown: &str) -> Vec<Line> {
    let mut kept = String::new();
    let mut fence: Option<String> = None;
    for line in markdown.lines() {
        let t = line.trim_start();
        let f: String = t.chars().take_while(|c| *c == '`' || *c == '~').collect();
        let prose = match &fence {
            None if f.len() >= 3 => {
                fence = Some(f);
                false
            }
            // A lesson's title has the book's fixed form `NN · English (中文)`,
            // on its page (`# `) and in SUMMARY.md (`- [NN · ...](...)`).
            None => !t.starts_with('>') && !t.starts_with("# ") && !is_lesson_entry(t),
            Some(open) => {
                if t.trim_end() == open.as_str() {
                    fence = None;
                }
                false
            }
        };
        if prose {
            kept.push_str(line);
        }
        kept.push('\n');
    }
    mask_inline_code(&kept)
        .lines()
        .enumerate()
        .map(|(i, text)| Line {
            file: file.to_string(),
            number: i + 1,
            text: text.to_string(),
        })
        .collect()
}

/// The Chinese text of a Rust source: the contents of every string literal
/// with a Chinese character in it, by source line (escapes masked, code
/// spans masked). The `#[cfg(test)]` module is not read.
fn rust_chinese_strings(file: &str, source: &str) -> Vec<Line> {
    let source = source.split("#[cfg(test)]").next().unwrap_or(source);
    let chars: Vec<char> = source.chars().collect();
    // One entry per source line: the text of Chinese literals on it.
    let mut literals: Vec<(usize, String)> = Vec::new(); // (first line, text)
    let mut line = 1;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '/' && chars.get(i + 1) == Some(&'/') {
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
            }
            continue;
        }
        if c == '\'' {
            // A char literal ('"', '\''), or a lifetime ('static).
            if chars.get(i + 2) == Some(&'\'') {
                i += 3;
                continue;
            }
            if chars.get(i + 1) == Some(&'\\') && chars.get(i + 3) == Some(&'\'') {
                i += 4;
                continue;
            }
        }
        if c == '"' {
            let start = line;
            let mut text = String::new();
            i += 1;
            while i < chars.len() && chars[i] != '"' {
                if chars[i] == '\\' {
                    // An escape: `\n` ends a line of the message; a line
                    // continuation (`\` + newline) is skipped.
                    match chars.get(i + 1) {
                        Some('\n') => {
                            text.push('\n');
                            line += 1;
                        }
                        _ => text.push(MASK),
                    }
                    i += 2;
                    continue;
                }
                if chars[i] == '\n' {
                    line += 1;
                }
                text.push(chars[i]);
                i += 1;
            }
            i += 1;
            if text.chars().any(is_han) {
                literals.push((start, text));
            }
            continue;
        }
        if c == '\n' {
            line += 1;
        }
        i += 1;
    }
    let mut lines = Vec::new();
    for (start, text) in literals {
        for (k, l) in mask_inline_code(&text).lines().enumerate() {
            lines.push(Line {
                file: file.to_string(),
                number: start + k,
                text: l.to_string(),
            });
        }
    }
    lines
}

/// The cells of a Markdown table row.
fn cells(row: &str) -> Vec<String> {
    let row = row.trim().trim_start_matches('|').trim_end_matches('|');
    row.split('|').map(|c| c.trim().to_string()).collect()
}

/// The code spans of a table cell.
fn spans(cell: &str) -> Vec<String> {
    cell.split('`')
        .skip(1)
        .step_by(2)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

/// The variants of the glossary's term table: the table whose header has a
/// `不用` column (its `不算` column gives the phrases a variant may be in).
fn variants(glossary: &str) -> Vec<Variant> {
    let rows: Vec<&str> = glossary
        .lines()
        .filter(|l| l.trim_start().starts_with('|'))
        .collect();
    let mut out = Vec::new();
    let mut columns: Option<(usize, Option<usize>)> = None;
    for row in rows {
        let c = cells(row);
        if let Some(not) = c.iter().position(|x| x == "不用") {
            columns = Some((not, c.iter().position(|x| x == "不算")));
            continue;
        }
        let Some((not, fine)) = columns else { continue };
        if c.len() <= not {
            columns = None; // another table
            continue;
        }
        if c[not].starts_with("---") {
            continue;
        }
        let fine: Vec<String> = fine.map(|f| spans(&c[f])).unwrap_or_default();
        for text in spans(&c[not]) {
            out.push(Variant {
                text,
                fine: fine.clone(),
            });
        }
    }
    out
}

fn is_word_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == '-'
}

/// Where `variant` occurs in `text` other than inside one of its fine
/// phrases (char offsets). A variant that starts or ends with a Latin letter
/// or digit counts as a whole word only.
fn occurrences(text: &str, v: &Variant) -> Vec<usize> {
    // Most lines hold no variant at all: a plain substring search says so
    // before the char-by-char work below.
    if !text.contains(v.text.as_str()) {
        return Vec::new();
    }
    let chars: Vec<char> = text.chars().collect();
    let pat: Vec<char> = v.text.chars().collect();
    if pat.is_empty() || chars.len() < pat.len() {
        return Vec::new();
    }
    // Char ranges covered by a fine phrase.
    let mut covered = vec![false; chars.len()];
    for phrase in &v.fine {
        let p: Vec<char> = phrase.chars().collect();
        if p.is_empty() || p.len() > chars.len() {
            continue;
        }
        for s in 0..=chars.len() - p.len() {
            if chars[s..s + p.len()] == p[..] {
                covered[s..s + p.len()].iter_mut().for_each(|c| *c = true);
            }
        }
    }
    let latin_start = pat[0].is_ascii_alphanumeric();
    let latin_end = pat[pat.len() - 1].is_ascii_alphanumeric();
    (0..=chars.len() - pat.len())
        .filter(|&s| chars[s..s + pat.len()] == pat[..])
        .filter(|&s| !(latin_start && s > 0 && is_word_char(chars[s - 1])))
        .filter(|&s| !(latin_end && chars.get(s + pat.len()).is_some_and(|c| is_word_char(*c))))
        .filter(|&s| !covered[s..s + pat.len()].iter().all(|c| *c))
        .collect()
}

fn term_errors(lines: &[Line], variants: &[Variant]) -> Vec<String> {
    let mut errors = Vec::new();
    for l in lines {
        for v in variants {
            if !occurrences(&l.text, v).is_empty() {
                errors.push(format!(
                    "{}:{}: `{}` is a variant the term table of {GLOSSARY} rules out: {}",
                    l.file,
                    l.number,
                    v.text,
                    l.text.trim()
                ));
            }
        }
    }
    errors
}

/// ASCII punctuation that has a full-width form meant next to Chinese.
const ASCII_PUNCT: &[char] = &[',', ':', ';', '(', ')', '!', '?'];

/// The ASCII punctuation touching a Chinese character in one line.
fn ascii_punctuation(text: &str) -> Vec<char> {
    let chars: Vec<char> = text.chars().collect();
    (0..chars.len())
        .filter(|&i| ASCII_PUNCT.contains(&chars[i]))
        .filter(|&i| {
            (i > 0 && is_han(chars[i - 1])) || chars.get(i + 1).is_some_and(|c| is_han(*c))
        })
        .map(|i| chars[i])
        .collect()
}

/// Brackets closed by the other width, `(…）` or `（…)`, within a paragraph
/// (lines up to an empty one): the line of each closing bracket.
fn mismatched_brackets(lines: &[Line]) -> Vec<usize> {
    let mut bad = Vec::new();
    let mut open: Vec<char> = Vec::new();
    for l in lines {
        if l.text.trim().is_empty() {
            open.clear();
            continue;
        }
        for c in l.text.chars() {
            match c {
                '(' | '（' => open.push(c),
                ')' | '）' => {
                    let want = if c == ')' { '(' } else { '（' };
                    match open.pop() {
                        Some(o) if o != want => bad.push(l.number),
                        _ => {}
                    }
                }
                _ => {}
            }
        }
    }
    bad
}

fn punctuation_errors(lines: &[Line]) -> Vec<String> {
    let mut errors = Vec::new();
    for l in lines {
        let found = ascii_punctuation(&l.text);
        if !found.is_empty() {
            let list: String = found.iter().map(|c| format!("`{c}` ")).collect();
            errors.push(format!(
                "{}:{}: ASCII {}next to Chinese (use ，：；（）！？): {}",
                l.file,
                l.number,
                list,
                l.text.trim()
            ));
        }
    }
    // Brackets: per file (a paragraph never crosses files).
    let mut start = 0;
    while start < lines.len() {
        let file = &lines[start].file;
        let end = lines[start..]
            .iter()
            .position(|l| &l.file != file)
            .map_or(lines.len(), |n| start + n);
        for n in mismatched_brackets(&lines[start..end]) {
            errors.push(format!(
                "{file}:{n}: a bracket closed by the other width: ( with ）, or （ with )"
            ));
        }
        start = end;
    }
    errors
}

/// Every Chinese Markdown page, relative to the root, sorted.
fn chinese_pages(root: &Path) -> Vec<String> {
    fn walk(root: &Path, dir: &str, recurse: bool, out: &mut Vec<String>) {
        let Ok(entries) = fs::read_dir(root.join(dir)) else {
            return;
        };
        for e in entries.filter_map(|e| e.ok()) {
            let name = e.file_name().to_string_lossy().into_owned();
            let rel = format!("{dir}/{name}");
            let path = e.path();
            if path.is_dir() && recurse {
                walk(root, &rel, true, out);
            } else if path.is_file() && name.ends_with(".md") {
                out.push(rel);
            }
        }
    }
    let mut pages = vec![
        "README.zh-CN.md".to_string(),
        "exercises/README.zh-CN.md".to_string(),
    ];
    walk(root, "docs/zh-CN", true, &mut pages);
    walk(root, "exercises/hints/zh-CN", false, &mut pages);
    // An unreadable or moved folder is skipped by walk: its pages would go
    // unchecked, and every test reading them pass.
    for dir in [
        "docs/zh-CN/",
        "docs/zh-CN/measured/",
        "exercises/hints/zh-CN/",
    ] {
        assert!(
            pages.iter().any(|p| p.starts_with(dir)),
            "no Chinese page found in {dir}"
        );
    }
    pages.sort();
    pages
}

/// The lines inside a page's pictures (`mermaid` and `text diagram` blocks),
/// by source line, code spans masked.
fn diagram_lines(file: &str, markdown: &str) -> Vec<Line> {
    let mut inside = false;
    let mut out = Vec::new();
    for (i, line) in markdown.lines().enumerate() {
        let t = line.trim();
        if !inside && (t == "```mermaid" || t == "```text diagram") {
            inside = true;
        } else if inside && t == "```" {
            inside = false;
        } else if inside {
            out.push(Line {
                file: file.to_string(),
                number: i + 1,
                text: mask_inline_code(line),
            });
        }
    }
    out
}

/// The labels of every picture in the Chinese pages.
fn all_chinese_diagrams(root: &Path) -> Vec<Line> {
    let mut lines = Vec::new();
    for page in chinese_pages(root) {
        let text = fs::read_to_string(root.join(&page)).expect("a Chinese page");
        lines.extend(diagram_lines(&page, &text));
    }
    lines
}

/// The prose of every Chinese text: pages, hints and runner strings.
fn all_chinese_text(root: &Path) -> Vec<Line> {
    let mut lines = Vec::new();
    for page in chinese_pages(root) {
        let text = fs::read_to_string(root.join(&page)).expect("a Chinese page");
        lines.extend(markdown_prose(&page, &text));
    }
    let source = fs::read_to_string(root.join(RUNNER_STRINGS)).expect("the runner's messages");
    lines.extend(rust_chinese_strings(RUNNER_STRINGS, &source));
    lines.extend(all_demo_chinese(root));
    lines.extend(exercise_test_docs(root));
    lines
}

/// What marks an exercise test's Chinese explanation (crates/course/src/explain.rs).
const TEST_DOC_ZH: &str = "/// 中文：";

/// The `/// 中文：` lines of every exercise (`exercises/NN_*/*.rs`), code
/// spans masked.
fn exercise_test_docs(root: &Path) -> Vec<Line> {
    let mut files = Vec::new();
    let dirs = fs::read_dir(root.join("exercises")).expect("the exercises directory");
    for dir in dirs.filter_map(|e| e.ok()) {
        let name = dir.file_name().to_string_lossy().into_owned();
        if name.starts_with(|c: char| c.is_ascii_digit()) && dir.path().is_dir() {
            rust_files(root, &format!("exercises/{name}"), &mut files);
        }
    }
    files.sort();
    let mut lines = Vec::new();
    for file in files {
        let source = fs::read_to_string(root.join(&file)).expect("an exercise");
        lines.extend(test_doc_lines(&file, &source));
    }
    lines
}

fn test_doc_lines(file: &str, source: &str) -> Vec<Line> {
    source
        .lines()
        .enumerate()
        .filter_map(|(i, l)| {
            let text = l.trim_start().strip_prefix(TEST_DOC_ZH)?;
            Some(Line {
                file: file.to_string(),
                number: i + 1,
                text: mask_inline_code(text),
            })
        })
        .collect()
}

/// The string literals of `source` as (opening quote, closing quote)
/// indices into its chars; comments and char literals skipped.
fn literal_spans(chars: &[char]) -> Vec<(usize, usize)> {
    let mut spans = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        match chars[i] {
            '/' if chars.get(i + 1) == Some(&'/') => {
                while i < chars.len() && chars[i] != '\n' {
                    i += 1;
                }
            }
            '\'' if chars.get(i + 2) == Some(&'\'') => i += 3,
            '\'' if chars.get(i + 1) == Some(&'\\') && chars.get(i + 3) == Some(&'\'') => i += 4,
            '"' => {
                let start = i;
                i += 1;
                while i < chars.len() && chars[i] != '"' {
                    i += if chars[i] == '\\' { 2 } else { 1 };
                }
                spans.push((start, i));
                i += 1;
            }
            _ => i += 1,
        }
    }
    spans
}

/// The Chinese halves of a demo's bilingual text (demo_kit::lang): the
/// second literal of each `tr!(` and `pick(` call, and the literal of each
/// `const …_ZH`; everything else blanked, newlines kept, so that
/// [`rust_chinese_strings`] reads them by their own lines.
fn chinese_halves(source: &str) -> String {
    let source = source.split("#[cfg(test)]").next().unwrap_or(source);
    let chars: Vec<char> = source.chars().collect();
    let spans = literal_spans(&chars);
    let text: String = chars.iter().collect();
    let only = |from: usize, to: usize, allowed: &[char]| {
        chars[from..to]
            .iter()
            .all(|c| c.is_whitespace() || allowed.contains(c))
    };
    let mut kept = Vec::new();
    for (marker, nth) in [("tr!(", 2), ("pick(", 2), ("_ZH: &str =", 1)] {
        for (byte, _) in text.match_indices(marker) {
            let at = text[..byte].chars().count() + marker.chars().count();
            let mut next = spans.iter().filter(|(s, _)| *s >= at);
            let Some(&first) = next.next() else { continue };
            if !only(at, first.0, &[]) {
                continue;
            }
            if nth == 1 {
                kept.push(first);
            } else if let Some(&second) = next.next() {
                if only(first.1 + 1, second.0, &[',']) {
                    kept.push(second);
                }
            }
        }
    }
    chars
        .iter()
        .enumerate()
        .map(|(i, c)| {
            if *c == '\n' || kept.iter().any(|(s, e)| (*s..=*e).contains(&i)) {
                *c
            } else {
                ' '
            }
        })
        .collect()
}

/// Every `.rs` file under `dir`, relative to `root`.
fn rust_files(root: &Path, dir: &str, out: &mut Vec<String>) {
    let Ok(entries) = fs::read_dir(root.join(dir)) else {
        return;
    };
    for e in entries.filter_map(|e| e.ok()) {
        let rel = format!("{dir}/{}", e.file_name().to_string_lossy());
        if e.path().is_dir() {
            rust_files(root, &rel, out);
        } else if rel.ends_with(".rs") {
            out.push(rel);
        }
    }
}

/// The Chinese the demos print: every crate's bilingual lines but the
/// runner's (read whole above).
fn all_demo_chinese(root: &Path) -> Vec<Line> {
    let mut files = Vec::new();
    rust_files(root, "crates", &mut files);
    files.sort();
    let mut lines = Vec::new();
    for file in files
        .iter()
        .filter(|f| f.contains("/src/") && !f.starts_with("crates/course/"))
    {
        let source = fs::read_to_string(root.join(file)).expect("a source file");
        lines.extend(rust_chinese_strings(file, &chinese_halves(&source)));
    }
    lines
}

fn report(what: &str, errors: &[String]) {
    assert!(
        errors.is_empty(),
        "{} {what}:\n{}",
        errors.len(),
        errors.join("\n")
    );
}

#[test]
fn one_term_per_concept() {
    let root = workspace_root();
    let glossary = fs::read_to_string(root.join(GLOSSARY)).expect("the Chinese glossary");
    let variants = variants(&glossary);
    assert!(
        variants.len() >= 13,
        "{GLOSSARY} has lost its term table (a header row with 不用 and 不算): {variants:?}"
    );
    let mut lines = all_chinese_text(&root);
    assert!(
        lines.iter().any(|l| l.file == RUNNER_STRINGS),
        "no Chinese strings found in {RUNNER_STRINGS}"
    );
    lines.extend(all_chinese_diagrams(&root));
    report(
        "term(s) from the 不用 column (see the table in docs/zh-CN/glossary.md)",
        &term_errors(&lines, &variants),
    );
}

#[test]
fn chinese_punctuation_next_to_chinese() {
    let root = workspace_root();
    report(
        "punctuation error(s) in Chinese text",
        &punctuation_errors(&all_chinese_text(&root)),
    );
}

#[test]
fn the_search_terms_learners_type_are_given() {
    let root = workspace_root();
    let mut missing = Vec::new();
    for (page, terms) in SEARCH_TERMS {
        let text = fs::read_to_string(root.join(page)).expect("a Chinese lesson");
        for t in *terms {
            if !text.contains(t) {
                missing.push(format!("{page}: no {t}"));
            }
        }
    }
    report("search term(s) missing", &missing);
}

// The rules themselves, on small inputs.

fn line(text: &str) -> Line {
    Line {
        file: "x.md".into(),
        number: 1,
        text: text.into(),
    }
}

fn demo_variants() -> Vec<Variant> {
    let fine = vec!["演示程序".to_string(), "演示了".to_string()];
    vec![
        Variant {
            text: "演示".into(),
            fine: fine.clone(),
        },
        Variant {
            text: "demo".into(),
            fine,
        },
    ]
}

#[test]
fn a_variant_inside_its_fine_phrase_is_not_counted() {
    let [zh, en] = <[Variant; 2]>::try_from(demo_variants()).unwrap();
    assert!(occurrences("运行演示程序，它演示了粘包", &zh).is_empty());
    assert_eq!(occurrences("`reuse` 演示要用 nix", &zh), vec![8]);
    assert_eq!(occurrences("演示程序和演示", &zh), vec![5]);
    // Latin variants are whole words: a crate name is not one.
    assert!(occurrences("sticky-demo 和 demo_kit、demos", &en).is_empty());
    assert_eq!(occurrences("这个 demo 会", &en).len(), 1);
    assert_eq!(occurrences("这个demo会", &en).len(), 1);
}

#[test]
fn code_links_and_quotes_are_not_prose() {
    let page = "前文\n```\n演示 (代码)\n```\n> 笔记原文,照抄(不改)\n用 `演示(x)` 和 [演示程序](a(b).md)。\n";
    let lines = markdown_prose("p.md", page);
    assert_eq!(lines.len(), 6);
    assert!(lines[2].text.is_empty() && lines[4].text.is_empty());
    assert!(!lines[5].text.contains('`') && !lines[5].text.contains(".md"));
    assert!(term_errors(&lines, &demo_variants()).is_empty());
    assert!(punctuation_errors(&lines).is_empty());
    // A code span across lines is masked on both.
    let lines = markdown_prose("p.md", "见 `a\n演示` 吧,好");
    assert!(!lines[1].text.contains('演'));
    assert_eq!(ascii_punctuation(&lines[1].text), vec![',']);
}

#[test]
fn ascii_punctuation_touching_chinese_is_found() {
    assert_eq!(ascii_punctuation("用法:cargo run"), vec![':']);
    assert_eq!(ascii_punctuation("已完成 3/14,跳过 1 个"), vec![',']);
    assert_eq!(ascii_punctuation("通过了!"), vec!['!']);
    assert_eq!(ascii_punctuation("(不带命令)"), vec!['(', ')']);
    // Next to a full-width mark is not next to Chinese: a man page, `recv(2)，`.
    assert!(ascii_punctuation("见 recv(2)，和 udp(7)：").is_empty());
    // ASCII between ASCII is fine, and so are full-width marks.
    assert!(ascii_punctuation("水平触发 (LT), 见 f(x)").is_empty());
    assert!(ascii_punctuation("用法：cargo run（见 --help）！").is_empty());
}

#[test]
fn brackets_of_the_other_width_are_found() {
    let lines = |t: &str| markdown_prose("h.md", t);
    assert_eq!(mismatched_brackets(&lines("见 (IPC 机制：管道）")), vec![1]);
    assert_eq!(mismatched_brackets(&lines("见（IPC\n机制: 管道)")), vec![2]);
    assert!(mismatched_brackets(&lines("（a (b) c）and 1) x")).is_empty());
    // A paragraph ends at an empty line.
    assert!(mismatched_brackets(&lines("（a\n\nb)")).is_empty());
}

#[test]
fn runner_strings_are_read_by_line_without_code() {
    let src = "fn a() {}\n// 注释,不算\nx! {\n    m => \"en, ok\", \"中文:好\";\n    h => \"\\\n用法:x\n  (不带命令) `a,b`\";\n    c => '\"', \"en\";\n}\n#[cfg(test)]\nconst T: &str = \"测试,不算\";\n";
    let lines = rust_chinese_strings("i18n.rs", src);
    let found: Vec<(usize, Vec<char>)> = lines
        .iter()
        .map(|l| (l.number, ascii_punctuation(&l.text)))
        .filter(|(_, p)| !p.is_empty())
        .collect();
    assert_eq!(
        found,
        vec![(4, vec![':']), (6, vec![':']), (7, vec!['(', ')'])]
    );
}

#[test]
fn a_demos_chinese_halves_are_read_and_nothing_else() {
    let src = "say(tr!(\"sent {n}: ok\", \"发送了 {n}:好\"));\nlet a = \"英文里的 notes' 报头: kept\";\n\
               pick(\"en\",\n    \"中文(好)\");\nconst HELP_ZH: &str = \"用法:x\";\npick(EN, ZH); f(\"其他,不算\");\n\
               tr!(x, \"不算,第一个不是字面量\");\n#[cfg(test)]\ntr!(\"a\", \"测试,不算\");\n";
    let lines = rust_chinese_strings("demo.rs", &chinese_halves(src));
    let found: Vec<(usize, &str)> = lines.iter().map(|l| (l.number, l.text.as_str())).collect();
    assert_eq!(
        found,
        [(1, "发送了 {n}:好"), (4, "中文(好)"), (5, "用法:x")]
    );
    assert_eq!(
        punctuation_errors(&lines).len(),
        3,
        "{:?}",
        punctuation_errors(&lines)
    );
}

#[test]
fn the_term_table_is_read_from_its_columns() {
    let glossary = "| a | b |\n|---|---|\n| x | y |\n\n| 概念 | 用 | 不用 | 不算 |\n|---|---|---|---|\n| 演示程序 | 演示程序 | `demo`, `演示` | `演示程序` |\n| 时序图 | 时序图 | `梯形图` | |\n";
    let v = variants(glossary);
    let texts: Vec<&str> = v.iter().map(|v| v.text.as_str()).collect();
    assert_eq!(texts, ["demo", "演示", "梯形图"]);
    assert_eq!(v[1].fine, ["演示程序"]);
    assert!(v[2].fine.is_empty());
    let errors = term_errors(&[line("见梯形图")], &v);
    assert!(
        errors[0].starts_with("x.md:1: `梯形图`"),
        "{}",
        errors.join("\n")
    );
}

#[test]
fn an_exercise_tests_chinese_line_is_read() {
    let src = "/// Glued.\n    /// 中文：一次写进去的两条消息(粘包)，`a,b` 照样分开,没错。\n    #[test]\n    // 中文：不算\n";
    let lines = test_doc_lines("x.rs", src);
    assert_eq!(lines.len(), 1);
    assert_eq!(lines[0].number, 2);
    assert_eq!(ascii_punctuation(&lines[0].text), vec!['(', ')', ',']);
}

#[test]
fn a_pictures_labels_are_read_for_terms() {
    let page = "前文\n```mermaid\nA[这个 demo] --> B[演示程序]\n```\n```sh\n演示\n```\n";
    let lines = diagram_lines("p.md", page);
    assert_eq!(lines.len(), 1, "only the diagram's line: {lines:?}");
    assert_eq!(lines[0].number, 3);
    assert_eq!(term_errors(&lines, &demo_variants()).len(), 1);
}
