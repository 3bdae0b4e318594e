//! Every lesson page has the book's one shape, in both editions.
//!
//! A learner who has read one lesson knows where to look in the next. So a
//! lesson page (`docs/NN-*.md`, `docs/zh-CN/NN-*.md`; a big topic may have
//! several pages with the same `NN`) has:
//!
//! - a title `# NN · English (中文)`, the same in both editions (the
//!   Chinese page carries its English page's title, so the two books name a
//!   lesson alike);
//! - exactly these second-level sections, in this order (sub-sections, `###`,
//!   are free inside them):
//!
//!   | English | 中文 |
//!   |---|---|
//!   | The notes' own words | 笔记原文 |
//!   | The idea | 思路 |
//!   | Run it | 运行 |
//!   | Read the code | 读代码 |
//!   | Where the notes are wrong or imprecise | 笔记错误或不准确的地方 |
//!   | Exercises | 练习 |
//!   | Try next | 接下来试试 |
//!   | Sources | 参考资料 |
//!
//! - the notes' words as a quote (`>`), or a quote saying where the notes stop;
//! - a `cargo run` command under "Run it";
//! - under "Where the notes are wrong", every top-level item names the source
//!   that settles it, as a link;
//! - under "Sources", links a reader can follow;
//! - under "Exercises" (on one of the topic's pages), each of the topic's
//!   exercises by name;
//! - at most 300 lines (English; the Chinese twin follows it).
//!
//! The book's SUMMARY.md names each page by its title. To check some pages
//! while writing: `LESSON_PAGE=07 cargo test -p demo-kit --test lesson_shape`
//! (pages whose file name starts with `07`).

mod common;

use common::workspace_root;
use std::fs;
use std::path::Path;

/// The sections, in order: (English, 中文).
const SECTIONS: [(&str, &str); 8] = [
    ("The notes' own words", "笔记原文"),
    ("The idea", "思路"),
    ("Run it", "运行"),
    ("Read the code", "读代码"),
    (
        "Where the notes are wrong or imprecise",
        "笔记错误或不准确的地方",
    ),
    ("Exercises", "练习"),
    ("Try next", "接下来试试"),
    ("Sources", "参考资料"),
];

const MAX_LINES: usize = 300;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Edition {
    English,
    Chinese,
}

/// Markdown without fenced code blocks, line numbers kept (code lines blank).
fn prose_lines(markdown: &str) -> Vec<String> {
    let mut fence: Option<String> = None;
    markdown
        .lines()
        .map(|line| {
            let t = line.trim_start();
            let f: String = t.chars().take_while(|c| *c == '`' || *c == '~').collect();
            match &fence {
                None if f.len() >= 3 => {
                    fence = Some(f);
                    String::new()
                }
                None => line.to_string(),
                Some(open) => {
                    if t.trim_end() == open.as_str() {
                        fence = None;
                    }
                    String::new()
                }
            }
        })
        .collect()
}

fn is_cjk(c: char) -> bool {
    ('\u{4e00}'..='\u{9fff}').contains(&c) || ('\u{3400}'..='\u{4dbf}').contains(&c)
}

/// Whether `title` (without `# `) has this edition's form for lesson `nn`.
fn title_ok(title: &str, nn: &str) -> bool {
    let Some(rest) = title.strip_prefix(&format!("{nn} · ")) else {
        return false;
    };
    // One form in both editions: an English name, then the Chinese in ASCII
    // brackets.
    let Some(open) = rest.find(" (") else {
        return false;
    };
    let (name, gloss) = (&rest[..open], &rest[open + 2..]);
    !name.chars().any(is_cjk) && gloss.ends_with(')') && gloss.chars().any(is_cjk)
}

/// The `##` sections: (heading, body lines).
fn sections(prose: &[String]) -> Vec<(String, Vec<String>)> {
    let mut out: Vec<(String, Vec<String>)> = Vec::new();
    for line in prose {
        if let Some(h) = line.strip_prefix("## ") {
            out.push((h.trim().to_string(), Vec::new()));
        } else if let Some((_, body)) = out.last_mut() {
            body.push(line.clone());
        }
    }
    out
}

/// Top-level list items of a section: each item with its continuation lines.
fn top_items(body: &[String]) -> Vec<String> {
    let mut items: Vec<String> = Vec::new();
    let mut in_item = false;
    for line in body {
        let starts = line.starts_with("- ") || line.starts_with("* ") || {
            let digits = line.chars().take_while(|c| c.is_ascii_digit()).count();
            digits > 0 && line[digits..].starts_with(". ")
        };
        if starts {
            items.push(line.clone());
            in_item = true;
        } else if line.trim().is_empty() || line.starts_with('#') {
            in_item = in_item && line.trim().is_empty();
        } else if in_item && line.starts_with(' ') {
            if let Some(last) = items.last_mut() {
                last.push('\n');
                last.push_str(line);
            }
        } else {
            in_item = false;
        }
    }
    items
}

/// Everything wrong with one lesson page's shape.
fn check_page(file: &str, markdown: &str, edition: Edition) -> Vec<String> {
    let mut problems = Vec::new();
    let name = Path::new(file)
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let nn = &name[..2];
    let prose = prose_lines(markdown);
    let titles: Vec<&String> = prose.iter().filter(|l| l.starts_with("# ")).collect();
    match titles.as_slice() {
        [t] if title_ok(&t[2..], nn) => {}
        [t] => problems.push(format!(
            "{file}: title {t:?} is not `# {nn} · English (中文)`"
        )),
        _ => problems.push(format!("{file}: needs exactly one `# ` title line")),
    }
    let wanted: Vec<&str> = SECTIONS
        .iter()
        .map(|(en, zh)| match edition {
            Edition::English => *en,
            Edition::Chinese => *zh,
        })
        .collect();
    let secs = sections(&prose);
    let found: Vec<&str> = secs.iter().map(|(h, _)| h.as_str()).collect();
    if found != wanted {
        problems.push(format!(
            "{file}: its `##` sections are {found:?}; a lesson has exactly {wanted:?}, in that order"
        ));
        return problems;
    }
    let body = |i: usize| &secs[i].1;
    if !body(0).iter().any(|l| l.starts_with('>')) {
        problems.push(format!(
            "{file}: `{}` quotes the notes (a `>` line), or says where they stop",
            wanted[0]
        ));
    }
    if !markdown_section_has_cargo_run(markdown, wanted[2], wanted[3]) {
        problems.push(format!(
            "{file}: `{}` shows the command (`cargo run …`) in a code block",
            wanted[2]
        ));
    }
    for item in top_items(body(4)) {
        if !item.contains("](") {
            let first = item.lines().next().unwrap_or_default();
            problems.push(format!(
                "{file}: under `{}`, this item names no source (a link): {first:?}",
                wanted[4]
            ));
        }
    }
    if !body(7).iter().any(|l| l.contains("](http")) {
        problems.push(format!(
            "{file}: `{}` lists links a reader can follow",
            wanted[7]
        ));
    }
    problems
}

/// Whether a fenced block between the `## from` and `## to` headings holds a
/// `cargo run`.
fn markdown_section_has_cargo_run(markdown: &str, from: &str, to: &str) -> bool {
    let start = markdown.find(&format!("\n## {from}\n"));
    let end = markdown.find(&format!("\n## {to}\n"));
    match (start, end) {
        (Some(s), Some(e)) if s < e => markdown[s..e]
            .lines()
            .any(|l| l.trim_start().starts_with("cargo run")),
        _ => false,
    }
}

/// Lesson pages in `dir` (relative to the root): `NN-*.md`, sorted.
fn lesson_pages(root: &Path, dir: &str) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(root.join(dir))
        .map(|d| {
            d.filter_map(|e| e.ok())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| {
                    n.ends_with(".md")
                        && n.len() > 3
                        && n[..2].chars().all(|c| c.is_ascii_digit())
                        && n[2..].starts_with('-')
                })
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    if let Ok(only) = std::env::var("LESSON_PAGE") {
        names.retain(|n| n.starts_with(&only));
    }
    names
}

/// The exercises of lesson `nn`, from the exercises' Cargo.toml
/// (`path = "05_sticky_packets/recv_exact.rs"`).
fn exercises_of(root: &Path, nn: &str) -> Vec<String> {
    let manifest =
        fs::read_to_string(root.join("exercises/Cargo.toml")).expect("exercises/Cargo.toml");
    manifest
        .lines()
        .filter_map(|l| {
            let path = l.trim().strip_prefix("path = \"")?.strip_suffix(".rs\"")?;
            let (dir, name) = path.split_once('/')?;
            dir.starts_with(nn).then(|| name.to_string())
        })
        .collect()
}

#[test]
fn every_lesson_page_has_the_books_shape_in_both_editions() {
    let root = workspace_root();
    let mut problems = Vec::new();
    let mut pages = 0;
    for (dir, edition) in [("docs", Edition::English), ("docs/zh-CN", Edition::Chinese)] {
        let names = lesson_pages(&root, dir);
        for name in &names {
            let file = format!("{dir}/{name}");
            let text = fs::read_to_string(root.join(&file)).expect("a lesson page");
            pages += 1;
            problems.extend(check_page(&file, &text, edition));
            if edition == Edition::English && text.lines().count() > MAX_LINES {
                problems.push(format!(
                    "{file}: {} lines, over the budget of {MAX_LINES}: move measurements \
                     to docs/measured/, or split the topic into pages",
                    text.lines().count()
                ));
            }
        }
        // Each exercise is named under "Exercises" on one of its topic's pages.
        let mut topics: Vec<&str> = names.iter().map(|n| &n[..2]).collect();
        topics.dedup();
        for nn in topics {
            let heading = match edition {
                Edition::English => SECTIONS[5].0,
                Edition::Chinese => SECTIONS[5].1,
            };
            let mut said = String::new();
            for name in names.iter().filter(|n| n.starts_with(nn)) {
                let text = fs::read_to_string(root.join(dir).join(name)).unwrap_or_default();
                let prose = prose_lines(&text);
                for (h, body) in sections(&prose) {
                    if h == heading {
                        said.push_str(&body.join("\n"));
                    }
                }
            }
            for ex in exercises_of(&root, nn) {
                if !said.contains(&format!("`{ex}`")) {
                    problems.push(format!(
                        "{dir}/{nn}-*: no page of lesson {nn} names the exercise `{ex}` under `{heading}`"
                    ));
                }
            }
        }
    }
    assert!(pages > 0, "no lesson pages found");
    assert!(
        problems.is_empty(),
        "{} problem(s) with the lessons' shape:\n  {}",
        problems.len(),
        problems.join("\n  ")
    );
}

/// The book's tables of contents name each lesson page by its title.
#[test]
fn summary_entries_are_the_pages_titles() {
    let root = workspace_root();
    let mut problems = Vec::new();
    for dir in ["docs", "docs/zh-CN"] {
        let summary = fs::read_to_string(root.join(dir).join("SUMMARY.md")).expect("SUMMARY.md");
        for line in summary.lines() {
            let Some(entry) = line.trim_start().strip_prefix("- [") else {
                continue;
            };
            let Some((label, rest)) = entry.split_once("](") else {
                continue;
            };
            let target = rest.trim_end_matches(')');
            let Ok(page) = fs::read_to_string(root.join(dir).join(target)) else {
                continue; // the editions test reports missing pages
            };
            let title = page
                .lines()
                .find_map(|l| l.strip_prefix("# "))
                .unwrap_or_default();
            if title != label {
                problems.push(format!(
                    "{dir}/SUMMARY.md names {target} {label:?}; its title is {title:?}"
                ));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

// ---- the checker itself ----

fn sample(sections: &[&str]) -> String {
    let mut s = String::from("# 05 · Sticky packets (粘包)\n");
    for h in sections {
        s.push_str(&format!("\n## {h}\n\n"));
        match *h {
            "The notes' own words" => s.push_str("> 为何tcp协议会有粘包问题?\n"),
            "Run it" => s.push_str("```sh\ncargo run -p sticky-demo\n```\n"),
            "Where the notes are wrong or imprecise" => s.push_str(
                "- Nagle is not the cause ([RFC 896](https://www.rfc-editor.org/rfc/rfc896)).\n",
            ),
            "Sources" => {
                s.push_str("- [tcp(7)](https://man7.org/linux/man-pages/man7/tcp.7.html)\n")
            }
            _ => s.push_str("Text.\n"),
        }
    }
    s
}

#[test]
fn a_page_in_the_shape_passes() {
    let all: Vec<&str> = SECTIONS.iter().map(|(en, _)| *en).collect();
    assert_eq!(
        check_page("docs/05-x.md", &sample(&all), Edition::English),
        Vec::<String>::new()
    );
}

#[test]
fn missing_or_reordered_sections_are_caught() {
    let mut all: Vec<&str> = SECTIONS.iter().map(|(en, _)| *en).collect();
    all.swap(1, 2);
    assert_eq!(
        check_page("docs/05-x.md", &sample(&all), Edition::English).len(),
        1
    );
    all.swap(1, 2);
    all.pop();
    assert_eq!(
        check_page("docs/05-x.md", &sample(&all), Edition::English).len(),
        1
    );
}

#[test]
fn an_unsourced_correction_and_a_bad_title_are_caught() {
    let all: Vec<&str> = SECTIONS.iter().map(|(en, _)| *en).collect();
    let page = sample(&all).replace(
        "- Nagle is not the cause ([RFC 896](https://www.rfc-editor.org/rfc/rfc896)).",
        "- Nagle is not the cause.\n  It is the stream.",
    );
    let found = check_page("docs/05-x.md", &page, Edition::English);
    assert!(
        found.len() == 1 && found[0].contains("names no source"),
        "{found:?}"
    );
    let page = sample(&all).replace("# 05 · Sticky packets (粘包)", "# 05 — Sticky packets");
    assert_eq!(check_page("docs/05-x.md", &page, Edition::English).len(), 1);
}

#[test]
fn titles_have_the_one_form_in_both_editions() {
    assert!(title_ok("05 · Sticky packets (粘包)", "05"));
    assert!(!title_ok("05 — Sticky packets (粘包)", "05"));
    assert!(!title_ok("06 · Sticky packets (粘包)", "05"));
    assert!(!title_ok("05 · Sticky packets", "05"));
    // The Chinese edition uses the same form: no Chinese-first title.
    assert!(!title_ok("05 · 粘包（Sticky packets）", "05"));
    assert!(!title_ok("05 · 粘包 (Sticky packets)", "05"));
}
