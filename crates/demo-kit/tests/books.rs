//! Both editions build as mdBook books, with no broken link.
//!
//! Needs the `mdbook` program, so it is `#[ignore]`d: `cargo test
//! --workspace` passes without it, and `.ci/run` installs a pinned mdBook
//! and runs `cargo test -p demo-kit --test books -- --ignored`, where a
//! missing `mdbook` is a failure.
//!
//! A link in the built book either stays inside the book (another lesson,
//! the glossary), and then the page must exist in the output, or leaves it
//! for a file of the repository (`../exercises/README.md`, a demo's source),
//! which mdBook rewrites from `.md` to `.html`: then the repository file
//! must exist.

use std::fs;
use std::path::{Component, Path, PathBuf};
use std::process::Command;

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .expect("the workspace root exists")
}

/// `a/b/../c` → `a/c`; `..` above the start is kept, so a path can be seen
/// to leave its folder.
fn normalize(p: &Path) -> PathBuf {
    let mut parts: Vec<Component> = Vec::new();
    for c in p.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir if matches!(parts.last(), Some(Component::Normal(_))) => {
                parts.pop();
            }
            other => parts.push(other),
        }
    }
    parts.iter().collect()
}

/// Every `href="…"` in an HTML page.
fn hrefs(html: &str) -> Vec<String> {
    html.split("href=\"")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .map(str::to_string)
        .collect()
}

/// Builds the book whose sources are `docs_dir` (relative to the root) into
/// a scratch folder and returns every broken link, as `page: target`.
fn build_and_check(root: &Path, docs_dir: &str) -> Vec<String> {
    let out = root
        .join("target/book-check")
        .join(docs_dir.replace('/', "-"));
    let _ = fs::remove_dir_all(&out);
    let run = Command::new("mdbook")
        .arg("build")
        .arg(root.join(docs_dir))
        .arg("--dest-dir")
        .arg(&out)
        .output()
        .expect("mdbook is on PATH (.ci/run installs it: cargo install --locked mdbook)");
    let log =
        String::from_utf8_lossy(&run.stderr).into_owned() + &String::from_utf8_lossy(&run.stdout);
    assert!(
        run.status.success(),
        "mdbook build {docs_dir} failed:\n{log}"
    );
    assert!(
        !log.contains("WARN") && !log.contains("ERROR"),
        "mdbook build {docs_dir} warned:\n{log}"
    );
    let mut broken = Vec::new();
    for entry in fs::read_dir(&out).expect("the book was written") {
        let page = entry.expect("readable output").path();
        if page.extension().is_none_or(|e| e != "html") {
            continue;
        }
        let html = fs::read_to_string(&page).expect("an HTML page is text");
        for href in hrefs(&html) {
            let target = href.split('#').next().unwrap_or("");
            if target.is_empty()
                || target.contains("://")
                || target.starts_with("mailto:")
                || target.starts_with('/')
            {
                continue;
            }
            let inside = normalize(Path::new(target));
            if !inside.starts_with("..") {
                if !out.join(&inside).exists() {
                    broken.push(format!("{}: {href}", page.display()));
                }
                continue;
            }
            // Leaves the book: a repository file, seen from the sources' folder.
            let repo_path = normalize(&Path::new(docs_dir).join(target));
            let as_md = repo_path.with_extension("md");
            let exists = [repo_path.clone(), as_md]
                .iter()
                .any(|p| !p.starts_with("..") && root.join(p).exists());
            if !exists {
                broken.push(format!("{}: {href}", page.display()));
            }
        }
    }
    broken
}

#[test]
#[ignore = "needs mdbook; .ci/run installs it and runs this explicitly"]
fn both_books_build_with_every_link_resolving() {
    let root = workspace_root();
    let mut broken = Vec::new();
    for docs_dir in ["docs", "docs/zh-CN"] {
        broken.extend(build_and_check(&root, docs_dir));
    }
    assert!(
        broken.is_empty(),
        "broken links in the books:\n  {}",
        broken.join("\n  ")
    );
}

#[test]
fn paths_that_leave_the_book_are_recognised() {
    assert_eq!(
        normalize(Path::new("../exercises/README.html")),
        PathBuf::from("../exercises/README.html")
    );
    assert_eq!(normalize(Path::new("a/../b.html")), PathBuf::from("b.html"));
    assert_eq!(
        hrefs(r#"<a href="x.html#y">x</a> <link href="css/a.css">"#),
        vec!["x.html#y", "css/a.css"]
    );
}
