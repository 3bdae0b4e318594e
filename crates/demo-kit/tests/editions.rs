//! The English and the Simplified Chinese editions stay in step.
//!
//! English is the source. Every English page a student reads (README.md,
//! every lesson in docs/, exercises/README.md, every hint) has a Chinese
//! twin, and the twin's first line records which English text it translates:
//!
//! ```text
//! <!-- source: docs/05-sticky-packets.md sha256: 3f2a… -->
//! ```
//!
//! So a lesson changed in one language only fails this test, which names the
//! file. Beyond the stamp, the two pages must have the same skeleton: the
//! same code blocks (code, commands and output are never translated; the
//! comments in code, and the words of a hand-drawn `text diagram` or
//! `mermaid` picture, are: see `code_skeleton`) in the same order, the same heading levels in the same order, a link to each
//! other near the top, and every relative link resolving. A demo's run may
//! be pasted in Chinese (`--lang zh`) in a block marked `text zh-run`: it is
//! held to the English run by structure, not text (see `blocks_match`).
//!
//! After changing an English page, update its translation, then its stamp:
//! `sha256sum docs/05-sticky-packets.md` gives the new hash. To check one
//! pair while translating: `EDITION_PAGE=docs/05-sticky-packets.md cargo
//! test -p demo-kit --test editions`.

mod common;

use demo_kit::lang::parity::Numbers;

use common::{normalize, sha256_hex, workspace_root};
use std::fs;
use std::path::Path;

/// One English page and where its Chinese twin lives (paths relative to the
/// repository root).
#[derive(Debug, Clone, PartialEq, Eq)]
struct Pair {
    en: String,
    zh: String,
}

/// Markdown files directly in `dir` (relative to `root`), sorted.
fn markdown_in(root: &Path, dir: &str) -> Vec<String> {
    let Ok(entries) = fs::read_dir(root.join(dir)) else {
        return Vec::new();
    };
    let mut names: Vec<String> = entries
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.is_file() && p.extension().is_some_and(|x| x == "md"))
        .filter_map(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
        .collect();
    names.sort();
    names
}

/// Every page of both editions, as (English, Chinese) pairs: the English
/// side lists every English page, the Chinese side every Chinese page, and
/// each must have its twin.
fn pairs(root: &Path) -> (Vec<Pair>, Vec<String>) {
    let mut pairs = vec![
        Pair {
            en: "README.md".into(),
            zh: "README.zh-CN.md".into(),
        },
        Pair {
            en: "exercises/README.md".into(),
            zh: "exercises/README.zh-CN.md".into(),
        },
    ];
    for (en_dir, zh_dir) in [
        ("docs", "docs/zh-CN"),
        ("docs/measured", "docs/zh-CN/measured"),
        ("exercises/hints", "exercises/hints/zh-CN"),
    ] {
        for name in markdown_in(root, en_dir)
            .into_iter()
            .filter(|n| n != "SUMMARY.md")
        {
            pairs.push(Pair {
                en: format!("{en_dir}/{name}"),
                zh: format!("{zh_dir}/{name}"),
            });
        }
    }
    // Chinese pages with no English page at all (a lesson renamed or
    // removed in English only).
    let mut orphans = Vec::new();
    for (en_dir, zh_dir) in [
        ("docs", "docs/zh-CN"),
        ("docs/measured", "docs/zh-CN/measured"),
        ("exercises/hints", "exercises/hints/zh-CN"),
    ] {
        for name in markdown_in(root, zh_dir)
            .into_iter()
            .filter(|n| n != "SUMMARY.md")
        {
            if !root.join(en_dir).join(&name).exists() {
                orphans.push(format!("{zh_dir}/{name}"));
            }
        }
    }
    (pairs, orphans)
}

// ---- the comparison logic (unit-tested below) ----

/// The stamp on a translation's first line: (source path, sha256).
fn stamp(translation: &str) -> Option<(String, String)> {
    let first = translation.lines().next()?.trim();
    let inner = first.strip_prefix("<!--")?.strip_suffix("-->")?.trim();
    let rest = inner.strip_prefix("source:")?.trim();
    let (path, hash) = rest.split_once("sha256:")?;
    Some((path.trim().to_string(), hash.trim().to_string()))
}

/// Why a translation is out of step with its source, if it is.
fn staleness(pair: &Pair, english: &str, chinese: &str) -> Option<String> {
    let Some((source, hash)) = stamp(chinese) else {
        return Some(format!(
            "{} has no stamp: its first line must be `<!-- source: {} sha256: <hash> -->`",
            pair.zh, pair.en
        ));
    };
    if source != pair.en {
        return Some(format!(
            "{} says it translates {source}, but its English page is {}",
            pair.zh, pair.en
        ));
    }
    let now = sha256_hex(english.as_bytes());
    (hash != now).then(|| {
        format!(
            "{} changed after its translation {} was made (stamp {hash}, now {now}): \
             bring the translation up to date, then its stamp",
            pair.en, pair.zh
        )
    })
}

/// The fenced code blocks, with their info strings, in order.
fn code_blocks(markdown: &str) -> Vec<String> {
    let mut blocks = Vec::new();
    let mut current: Option<(String, String)> = None; // (fence, text)
    for line in markdown.lines() {
        let trimmed = line.trim_start();
        match &mut current {
            None => {
                let fence: String = trimmed
                    .chars()
                    .take_while(|c| *c == '`' || *c == '~')
                    .collect();
                if fence.len() >= 3
                    && fence
                        .chars()
                        .all(|c| c == fence.chars().next().unwrap_or('`'))
                {
                    current = Some((fence, format!("{}\n", trimmed)));
                }
            }
            Some((fence, text)) => {
                text.push_str(line);
                text.push('\n');
                if trimmed.starts_with(fence.as_str()) && trimmed.trim_end() == fence.as_str() {
                    blocks.push(std::mem::take(text));
                    current = None;
                }
            }
        }
    }
    if let Some((_, text)) = current {
        blocks.push(text); // an unclosed block still counts
    }
    blocks
}

/// What of a code block must be the same in both editions: everything but
/// its annotations, which a reader should get in their own language.
///
/// - In `sh`/`python`/`toml` blocks a `#` comment (at the start of a line or
///   after a space, outside quotes) is dropped; in `rust` blocks a `//`
///   comment likewise, and a `/* ... */` within one line. The code before it must match.
/// - A hand-drawn picture (info string `text diagram`, or `mermaid`) keeps
///   its number of lines and its numbers (byte values, offsets, sizes, in
///   order); its words are labels.
/// - Anything else (`text`: program output, a real run) is compared exactly,
///   except a Chinese run of a demo ([`blocks_match`]).
fn code_skeleton(block: &str) -> String {
    let (first, body) = block.split_once('\n').unwrap_or((block, ""));
    let info = first.trim_start_matches(['`', '~']).trim();
    let comment = match info.split([' ', ',']).next().unwrap_or("") {
        "sh" | "bash" | "shell" | "console" | "python" | "py" | "toml" => Some("#"),
        "rust" | "c" => Some("//"),
        _ => None,
    };
    if info == "text diagram" || info == "mermaid" {
        let numbers: Vec<String> = body
            .split(|c: char| !c.is_ascii_digit())
            .filter(|n| !n.is_empty())
            .map(str::to_string)
            .collect();
        return format!(
            "{first}\n{} lines, numbers {}\n",
            body.lines().count(),
            numbers.join(" ")
        );
    }
    let Some(marker) = comment else {
        return block.to_string();
    };
    let mut out = format!("{first}\n");
    for line in body.lines() {
        let code = strip_comment(line, marker);
        // A Rust `/* ... */` on one line is a comment too.
        let code = match (marker, code.find("/*"), code.find("*/")) {
            ("//", Some(open), Some(close)) if open < close && !code[..open].contains('"') => {
                format!("{}{}", &code[..open], &code[close + 2..])
            }
            _ => code.to_string(),
        };
        out.push_str(code.trim_end());
        out.push('\n');
    }
    out
}

/// Whether a block of the English page and its twin in the Chinese one
/// agree: by [`code_skeleton`], except for a run of a demo in Chinese. The
/// Chinese page may paste the same demo's Chinese run (`--lang zh`) where
/// the English shows the English one: its block is marked `text zh-run`
/// and must line up with the English `text` block by structure, as the
/// demos' own parity tests hold their two runs (demo_kit::lang::parity:
/// the same lines, sides, steps and count of numbers on each line, Chinese
/// on every `[note]` line and step title, no English prose left).
fn blocks_match(en: &str, zh: &str) -> bool {
    let split = |b: &str| {
        let (first, body) = b.split_once('\n').unwrap_or((b, ""));
        (
            first.trim_start_matches(['`', '~']).trim().to_string(),
            body.to_string(),
        )
    };
    let ((en_info, en_body), (zh_info, zh_body)) = (split(en), split(zh));
    if zh_info == "text zh-run" {
        return en_info == "text"
            && demo_kit::lang::parity::differences(&en_body, &zh_body, Numbers::Count).is_empty();
    }
    code_skeleton(en) == code_skeleton(zh)
}

/// `line` without its comment: `marker` at the start or after whitespace,
/// not inside a "..." string (nor a '...' one, where `#` comments).
fn strip_comment<'a>(line: &'a str, marker: &str) -> &'a str {
    let (mut single, mut double) = (false, false);
    let mut prev = ' ';
    for (i, c) in line.char_indices() {
        match c {
            '\'' if !double && marker == "#" => single = !single, // Rust: 'a, 'x'
            '"' if !single => double = !double,
            _ => {}
        }
        if !single && !double && prev.is_whitespace() && line[i..].starts_with(marker) {
            return &line[..i];
        }
        prev = c;
    }
    line
}

/// Markdown without its fenced code blocks (headings and links inside code
/// are not headings and links).
fn prose(markdown: &str) -> String {
    let mut out = String::new();
    let mut fence: Option<String> = None;
    for line in markdown.lines() {
        let t = line.trim_start();
        let f: String = t.chars().take_while(|c| *c == '`' || *c == '~').collect();
        match &fence {
            None if f.len() >= 3 => fence = Some(f),
            None => {
                out.push_str(line);
                out.push('\n');
            }
            Some(open) if t.trim_end() == open.as_str() => fence = None,
            Some(_) => {}
        }
    }
    out
}

/// The heading levels, in order (`## a` is 2).
fn heading_levels(markdown: &str) -> Vec<usize> {
    prose(markdown)
        .lines()
        .filter_map(|l| {
            let hashes = l.chars().take_while(|c| *c == '#').count();
            (hashes > 0 && hashes <= 6 && l[hashes..].starts_with(' ')).then_some(hashes)
        })
        .collect()
}

/// The targets of inline links `[text](target)` outside code.
fn links(markdown: &str) -> Vec<String> {
    let text = prose(markdown);
    let mut found = Vec::new();
    let mut rest = text.as_str();
    while let Some(i) = rest.find("](") {
        rest = &rest[i + 2..];
        if let Some(end) = rest.find(')') {
            let target = rest[..end].split_whitespace().next().unwrap_or("");
            if !target.is_empty() {
                found.push(target.to_string());
            }
            rest = &rest[end..];
        }
    }
    found
}

/// Relative links of `file` (relative to `root`) that point at nothing.
fn broken_links(root: &Path, file: &str, markdown: &str) -> Vec<String> {
    let dir = Path::new(file).parent().unwrap_or(Path::new(""));
    links(markdown)
        .into_iter()
        .filter(|t| !t.contains("://") && !t.starts_with("mailto:") && !t.starts_with('#'))
        .filter(|t| {
            let path = t.split('#').next().unwrap_or("");
            !root.join(dir).join(path).exists()
        })
        .collect()
}

/// Whether `file` links to `other` (both relative to the root) within its
/// first lines, where a reader looks for the other language.
fn links_to_near_top(file: &str, markdown: &str, other: &str) -> bool {
    let dir = Path::new(file).parent().unwrap_or(Path::new(""));
    let head: String = markdown.lines().take(8).collect::<Vec<_>>().join("\n");
    links(&head).iter().any(|t| {
        let path = t.split('#').next().unwrap_or("");
        normalize(&dir.join(path)) == normalize(Path::new(other))
    })
}

/// Everything wrong with one pair, as messages naming the files.
fn check_pair(root: &Path, pair: &Pair) -> Vec<String> {
    let read = |p: &str| fs::read_to_string(root.join(p));
    let (Ok(en), Ok(zh)) = (read(&pair.en), read(&pair.zh)) else {
        return vec![format!(
            "{} has no Chinese twin {} (or it cannot be read)",
            pair.en, pair.zh
        )];
    };
    let mut problems = Vec::new();
    problems.extend(staleness(pair, &en, &zh));
    let skeleton = |md: &str| {
        code_blocks(md)
            .iter()
            .map(|b| code_skeleton(b))
            .collect::<Vec<_>>()
    };
    let (en_code, zh_code) = (skeleton(&en), skeleton(&zh));
    let (en_blocks, zh_blocks) = (code_blocks(&en), code_blocks(&zh));
    let differ = |(a, b): (&String, &String)| !blocks_match(a, b);
    if en_blocks.len() != zh_blocks.len() || en_blocks.iter().zip(&zh_blocks).any(differ) {
        let at = en_blocks
            .iter()
            .zip(&zh_blocks)
            .position(differ)
            .unwrap_or(en_code.len().min(zh_code.len()));
        problems.push(format!(
            "{} and {}: code blocks differ ({} vs {} blocks; first difference at block {}): \
             code, commands and output are never translated (only comments, and the labels \
             of a `text diagram` or `mermaid` block)",
            pair.en,
            pair.zh,
            en_code.len(),
            zh_code.len(),
            at + 1
        ));
    }
    if heading_levels(&en) != heading_levels(&zh) {
        problems.push(format!(
            "{} and {}: heading structure differs ({:?} vs {:?})",
            pair.en,
            pair.zh,
            heading_levels(&en),
            heading_levels(&zh)
        ));
    }
    for (file, text) in [(&pair.en, &en), (&pair.zh, &zh)] {
        for t in broken_links(root, file, text) {
            problems.push(format!("{file}: link to {t} points at nothing"));
        }
    }
    // A hint is not a page: the runner prints it in the terminal, where a
    // link line would be noise. Pages link to each other.
    if pair.en.starts_with("exercises/hints/") {
        return problems;
    }
    if !links_to_near_top(&pair.en, &en, &pair.zh) {
        problems.push(format!(
            "{} must link to its Chinese twin {} in its first lines",
            pair.en, pair.zh
        ));
    }
    if !links_to_near_top(&pair.zh, &zh, &pair.en) {
        problems.push(format!(
            "{} must link to its English source {} in its first lines",
            pair.zh, pair.en
        ));
    }
    problems
}

#[test]
fn both_editions_are_complete_and_in_step() {
    let root = workspace_root();
    let (mut pairs, mut orphans) = pairs(&root);
    if let Ok(only) = std::env::var("EDITION_PAGE") {
        pairs.retain(|p| p.en == only || p.zh == only);
        orphans.clear();
        // A page name mistyped would leave nothing to check, and pass.
        assert!(
            !pairs.is_empty(),
            "EDITION_PAGE={only} names no page of either edition"
        );
    }
    let mut problems: Vec<String> = orphans
        .iter()
        .map(|o| format!("{o} has no English page: renamed or removed in English only?"))
        .collect();
    for pair in &pairs {
        problems.extend(check_pair(&root, pair));
    }
    assert!(
        problems.is_empty(),
        "the two editions are out of step ({} problems):\n  {}",
        problems.len(),
        problems.join("\n  ")
    );
}

// ---- unit tests of the comparison logic ----

#[test]
fn sha256_matches_the_standard_vectors() {
    assert_eq!(
        sha256_hex(b""),
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    );
    assert_eq!(
        sha256_hex(b"abc"),
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    );
    // Two blocks (56 bytes pushes the length into a second block).
    assert_eq!(
        sha256_hex(b"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
        "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"
    );
}

fn sample_pair() -> Pair {
    Pair {
        en: "docs/05-x.md".into(),
        zh: "docs/zh-CN/05-x.md".into(),
    }
}

#[test]
fn a_stamp_of_the_current_english_text_is_fresh() {
    let en = "# Title\n\nOne line.\n";
    let zh = format!(
        "<!-- source: docs/05-x.md sha256: {} -->\n# 标题\n\n一行。\n",
        sha256_hex(en.as_bytes())
    );
    assert_eq!(staleness(&sample_pair(), en, &zh), None);
}

#[test]
fn changing_one_english_line_makes_the_translation_stale() {
    let en = "# Title\n\nOne line.\n";
    let zh = format!(
        "<!-- source: docs/05-x.md sha256: {} -->\n# 标题\n",
        sha256_hex(en.as_bytes())
    );
    let changed = "# Title\n\nOne line, changed.\n";
    let why = staleness(&sample_pair(), changed, &zh).expect("stale");
    assert!(why.contains("docs/05-x.md changed after"), "{why}");
}

#[test]
fn a_missing_or_misdirected_stamp_is_reported() {
    assert!(staleness(&sample_pair(), "x", "# 标题\n")
        .unwrap()
        .contains("has no stamp"));
    let zh = "<!-- source: docs/06-y.md sha256: 00 -->\n";
    assert!(staleness(&sample_pair(), "x", zh)
        .unwrap()
        .contains("says it translates docs/06-y.md"));
}

#[test]
fn code_blocks_are_compared_exactly_and_in_order() {
    let en = "Text\n\n```sh\ncargo run -p sticky-demo\n```\n\nMore\n\n```\nout\n```\n";
    let zh = "文字\n\n```sh\ncargo run -p sticky-demo\n```\n\n更多\n\n```\nout\n```\n";
    assert_eq!(code_blocks(en), code_blocks(zh));
    assert_eq!(code_blocks(en).len(), 2);
    let swapped = "```\nout\n```\n```sh\ncargo run -p sticky-demo\n```\n";
    assert_ne!(code_blocks(en), code_blocks(swapped));
    let edited = "```sh\ncargo run -p length-prefix-demo\n```\n```\nout\n```\n";
    assert_ne!(code_blocks(en), code_blocks(edited));
}

#[test]
fn a_chinese_run_lines_up_with_the_english_run_by_structure() {
    let en = "```text\n── step 1: connect ──\n[client] sent 5 bytes to 127.0.0.1:80\n[note] nothing was lost\n```\n";
    let zh = "```text zh-run\n── 第 1 步：连接 ──\n[client] 向 127.0.0.1:80 发送了 5 个字节\n[note] 一个也没丢\n```\n";
    let (e, z) = (&code_blocks(en)[0], &code_blocks(zh)[0]);
    assert!(blocks_match(e, z));
    // Another run's numbers are fine; a missing line, another side, a note
    // left in English, or a count of numbers that differs is not.
    assert!(blocks_match(e, &z.replace("5 个", "6 个")));
    for broken in [
        z.replace("[note] 一个也没丢\n", ""),
        z.replace("[client]", "[server]"),
        z.replace("一个也没丢", "nothing was lost"),
        z.replace("5 个字节", "一些字节"),
    ] {
        assert!(!blocks_match(e, &broken), "{broken}");
    }
    // Only as a Chinese run of an English `text` block; a plain `text`
    // block in Chinese is still compared exactly.
    assert!(!blocks_match(&e.replace("```text", "```sh"), z));
    assert!(!blocks_match(e, &z.replace("```text zh-run", "```text")));
    assert!(blocks_match(e, e));
}

#[test]
fn comments_may_be_translated_code_may_not() {
    let en = "```sh\ncargo run -p x merge   # small messages\n```\n```rust\nlet n = f(\"a // b\")?; // four bytes\n```\n";
    let zh = "```sh\ncargo run -p x merge   # 几条小消息\n```\n```rust\nlet n = f(\"a // b\")?; // 四个字节\n```\n";
    let skel = |md: &str| {
        code_blocks(md)
            .iter()
            .map(|b| code_skeleton(b))
            .collect::<Vec<_>>()
    };
    assert_eq!(skel(en), skel(zh));
    let code_changed = zh.replace("merge", "split");
    assert_ne!(skel(en), skel(&code_changed));
    let block = |c: &str| format!("```rust\n    {c}\n    code\n```\n");
    assert_eq!(
        code_skeleton(&block("/* write three timestamps */")),
        code_skeleton(&block("/* 写三个时间戳 */"))
    );
    assert_ne!(
        code_skeleton(&block("f(); /* a */")),
        code_skeleton(&block("g(); /* a */"))
    );
    let string_changed = zh.replace("a // b", "a // c");
    assert_ne!(
        skel(en),
        skel(&string_changed),
        "a // inside a string is code"
    );
    // A '#' inside quotes is code; output (`text`) is compared exactly.
    assert_ne!(
        code_skeleton("```python\nx = '# a'\n```\n"),
        code_skeleton("```python\nx = '# b'\n```\n")
    );
    assert_ne!(
        code_skeleton("```text\n[note] done\n```\n"),
        code_skeleton("```text\n[note] 完成\n```\n")
    );
}

#[test]
fn a_diagram_keeps_its_lines_and_numbers() {
    let en = "```text diagram\n| 40 00 00 00 | body |\n  4 bytes     prefix\n```\n";
    let zh = "```text diagram\n| 40 00 00 00 | 正文 |\n  4 字节      前缀\n```\n";
    assert_eq!(code_skeleton(en), code_skeleton(zh));
    assert_ne!(
        code_skeleton(en),
        code_skeleton(&zh.replace("4 字节", "5 字节"))
    );
    assert_ne!(
        code_skeleton(en),
        code_skeleton(&zh.replace("前缀\n", "前缀\n多一行\n"))
    );
}

#[test]
fn headings_inside_code_do_not_count() {
    let md = "# A\n\n```sh\n# a shell comment\n```\n\n## B\n#not-a-heading\n";
    assert_eq!(heading_levels(md), vec![1, 2]);
}

#[test]
fn links_are_found_outside_code_only() {
    let md = "See [lesson](05-x.md#merge) and [web](https://x.org).\n```\n[no](nope.md)\n```\n";
    assert_eq!(links(md), vec!["05-x.md#merge", "https://x.org"]);
}

#[test]
fn twin_links_resolve_through_parent_directories() {
    let zh = "<!-- stamp -->\n[English](../05-x.md)\n# 标题\n";
    assert!(links_to_near_top("docs/zh-CN/05-x.md", zh, "docs/05-x.md"));
    assert!(!links_to_near_top("docs/zh-CN/05-x.md", zh, "docs/06-y.md"));
}

/// The link targets of a book's SUMMARY.md, in order.
fn summary_targets(summary: &str) -> Vec<String> {
    links(summary)
}

#[test]
fn both_books_list_every_lesson_in_the_same_order() {
    let root = workspace_root();
    let read = |p: &str| {
        fs::read_to_string(root.join(p)).unwrap_or_else(|e| panic!("{p} cannot be read: {e}"))
    };
    let en = summary_targets(&read("docs/SUMMARY.md"));
    let zh = summary_targets(&read("docs/zh-CN/SUMMARY.md"));
    assert_eq!(
        en, zh,
        "docs/SUMMARY.md and docs/zh-CN/SUMMARY.md must list the same pages in the same order"
    );
    let pages = markdown_in(&root, "docs").into_iter().chain(
        markdown_in(&root, "docs/measured")
            .into_iter()
            .map(|n| format!("measured/{n}")),
    );
    for name in pages {
        if name != "SUMMARY.md" {
            assert!(
                en.contains(&name),
                "docs/{name} is not in docs/SUMMARY.md: the book would leave it out"
            );
        }
    }
    for target in &en {
        assert!(
            root.join("docs").join(target).exists()
                && root.join("docs/zh-CN").join(target).exists(),
            "SUMMARY.md names {target}, which is missing in one of the editions"
        );
    }
}
