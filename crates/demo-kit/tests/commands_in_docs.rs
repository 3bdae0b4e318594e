//! Every `cargo run -p NAME` that README.md or a lesson tells a student to
//! type must name a package that exists in this workspace — a lesson whose
//! first command fails loses the student in the first minute.

mod common;

use common::workspace_root;
use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

/// The package names of all crates under `crates/`.
fn packages(root: &Path) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    for entry in fs::read_dir(root.join("crates")).unwrap() {
        let manifest = entry.unwrap().path().join("Cargo.toml");
        let Ok(text) = fs::read_to_string(&manifest) else {
            continue;
        };
        let name = text
            .lines()
            .find_map(|l| l.trim().strip_prefix("name = "))
            .map(|v| v.trim_matches('"').to_string());
        names.extend(name);
    }
    names
}

/// The markdown files a student reads, in both editions.
fn documents(root: &Path) -> Vec<PathBuf> {
    let mut docs = vec![
        root.join("README.md"),
        root.join("README.zh-CN.md"),
        root.join("exercises/README.md"),
        root.join("exercises/README.zh-CN.md"),
    ];
    for dir in ["docs", "docs/measured", "docs/zh-CN", "docs/zh-CN/measured"] {
        let Ok(entries) = fs::read_dir(root.join(dir)) else {
            continue;
        };
        for entry in entries {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "md") {
                docs.push(path);
            }
        }
    }
    docs.retain(|p| p.exists());
    docs
}

/// Finds NAME in every `cargo run ... -p NAME` (also `--package NAME`).
fn named_packages(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    for line in text.lines() {
        let mut rest = line;
        while let Some(i) = rest.find("cargo run") {
            rest = &rest[i + "cargo run".len()..];
            let words: Vec<&str> = rest.split_whitespace().take(6).collect();
            if let Some(j) = words.iter().position(|w| *w == "-p" || *w == "--package") {
                // `cargo run -p <crate>` is a placeholder, not a name.
                if let Some(name) = words.get(j + 1).filter(|w| !w.starts_with('<')) {
                    // The name is what a package name may hold; what follows
                    // (a backtick, Chinese punctuation) is not part of it.
                    let name: String = name
                        .trim_start_matches(|c: char| !c.is_ascii_alphanumeric())
                        .chars()
                        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
                        .collect();
                    found.push(name);
                }
            }
        }
    }
    found
}

#[test]
fn every_cargo_run_in_the_docs_names_a_real_package() {
    let root = workspace_root();
    let packages = packages(&root);
    assert!(
        packages.contains("sticky-demo"),
        "found packages: {packages:?}"
    );
    let mut missing = Vec::new();
    let mut checked = 0;
    for doc in documents(&root) {
        let text = fs::read_to_string(&doc).unwrap();
        for name in named_packages(&text) {
            checked += 1;
            if !packages.contains(&name) {
                missing.push(format!("{}: cargo run -p {name}", doc.display()));
            }
        }
    }
    assert!(
        checked > 0,
        "no `cargo run -p` found at all: is README.md there?"
    );
    assert!(
        missing.is_empty(),
        "commands naming packages that do not exist:\n{}",
        missing.join("\n")
    );
}

#[test]
fn the_checker_finds_what_it_should() {
    let text = "run `cargo run -p sticky-demo` or\n`cargo run --release -p framing --example throughput`, not cargo run -p ghost-demo, nor `cargo run -p <crate>`.";
    assert_eq!(
        named_packages(text),
        ["sticky-demo", "framing", "ghost-demo"]
    );
    // Chinese punctuation right after the backtick is not part of the name.
    assert_eq!(
        named_packages("运行 `cargo run -p tcp-lab`（需要 root）"),
        ["tcp-lab"]
    );
}

/// How many code blocks in the doc comments of `source` rustdoc would run
/// as tests: a fence with no language, or `rust` and rustdoc's test
/// attributes (`no_run`, `ignore`, ...). `text`, `python`, `sh` are not.
fn doc_examples(source: &str) -> usize {
    let rust = |w: &str| {
        w.is_empty()
            || ["rust", "no_run", "ignore", "should_panic", "compile_fail"].contains(&w)
            || w.starts_with("edition")
    };
    let (mut open, mut count) = (false, 0);
    for line in source.lines() {
        let t = line.trim_start();
        let Some(doc) = t.strip_prefix("///").or_else(|| t.strip_prefix("//!")) else {
            continue;
        };
        let Some(info) = doc.trim().strip_prefix("```") else {
            continue;
        };
        if open {
            open = false; // the closing fence
        } else {
            open = true;
            count += usize::from(info.split(',').map(str::trim).all(rust));
        }
    }
    count
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// A crate with no doc example says `doctest = false` and saves the suite
/// rustdoc's empty run; an example written there later would then never
/// run, so this fails until the line goes.
#[test]
fn every_doc_example_runs() {
    let root = workspace_root();
    let mut silenced = Vec::new();
    for entry in fs::read_dir(root.join("crates")).unwrap() {
        let dir = entry.unwrap().path();
        let Ok(manifest) = fs::read_to_string(dir.join("Cargo.toml")) else {
            continue;
        };
        if !manifest.lines().any(|l| l.trim() == "doctest = false") {
            continue;
        }
        let mut files = Vec::new();
        rust_files(&dir.join("src"), &mut files);
        for f in files {
            let n = doc_examples(&fs::read_to_string(&f).unwrap());
            if n > 0 {
                silenced.push(format!("{}: {n} doc example(s)", f.display()));
            }
        }
    }
    assert!(
        silenced.is_empty(),
        "doc examples in a crate whose Cargo.toml says `doctest = false` (remove that line):\n{}",
        silenced.join("\n")
    );
}

#[test]
fn the_doc_example_counter_counts_only_rust() {
    let src = "//! ```text\n//! a ```\n//! ```\n/// ```\n/// let x = 1;\n/// ```\n/// ```no_run\n/// ```\n/// ```python\n/// ```\n// ```\n";
    assert_eq!(doc_examples(src), 2);
    assert_eq!(doc_examples("/// ```rust,ignore\n/// ```"), 1);
    assert_eq!(doc_examples("/// plain words"), 0);
}
