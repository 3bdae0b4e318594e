//! Both editions build as mdBook books, with no broken link.
//!
//! Needs the `mdbook` and `mdbook-mermaid` programs, so it is `#[ignore]`d:
//! `cargo test --workspace` passes without them, and `.ci/run` installs
//! them, pinned, and runs `cargo test -p demo-kit --test books -- --ignored`,
//! where a missing program is a failure.
//!
//! A link in the built book either stays inside the book (another lesson,
//! the glossary), and then the page must exist in the output, or leaves it
//! for a file of the repository (`../exercises/README.md`, a demo's source),
//! which mdBook rewrites from `.md` to `.html`: then the repository file
//! must exist.

mod common;
#[path = "common/mdbook.rs"]
mod mdbook;

use common::{normalize, workspace_root};
use mdbook::mdbook_build;
use std::fs;
use std::path::{Path, PathBuf};

/// Every `href="…"` in an HTML page.
fn hrefs(html: &str) -> Vec<String> {
    html.split("href=\"")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .map(str::to_string)
        .collect()
}

/// Every HTML page below `dir`.
fn pages(dir: &Path, found: &mut Vec<PathBuf>) {
    for entry in fs::read_dir(dir).expect("the book was written") {
        let path = entry.expect("readable output").path();
        if path.is_dir() {
            pages(&path, found);
        } else if path.extension().is_some_and(|e| e == "html") {
            found.push(path);
        }
    }
}

/// Builds both editions into one site that mirrors `docs/` (English at the
/// top, Chinese in `zh-CN/`, so each page's link to its twin works) and
/// returns every broken link, as `page: target`.
fn build_and_check(root: &Path) -> Vec<String> {
    let site = root.join("target/book-check");
    let _ = fs::remove_dir_all(&site);
    // English first: a build empties its own destination.
    mdbook_build(&root.join("docs"), &site);
    mdbook_build(&root.join("docs/zh-CN"), &site.join("zh-CN"));
    let mut all = Vec::new();
    pages(&site, &mut all);
    let mut broken = Vec::new();
    for page in all {
        let html = fs::read_to_string(&page).expect("an HTML page is text");
        let dir = page
            .parent()
            .and_then(|d| d.strip_prefix(&site).ok())
            .unwrap_or(Path::new(""))
            .to_path_buf();
        for href in hrefs(&html) {
            let target = href.split('#').next().unwrap_or("");
            if target.is_empty()
                || target.contains("://")
                || target.starts_with("mailto:")
                || target.starts_with('/')
            {
                continue;
            }
            // Where the link points, seen from the site's root (= docs/).
            let in_site = normalize(&dir.join(target));
            let ok = if !in_site.starts_with("..") {
                site.join(&in_site).exists()
            } else {
                // Leaves the book for a repository file, which mdBook
                // rewrote from `.md` to `.html`.
                let repo_path = normalize(&Path::new("docs").join(&in_site));
                [repo_path.clone(), repo_path.with_extension("md")]
                    .iter()
                    .any(|p| !p.starts_with("..") && root.join(p).exists())
            };
            if !ok {
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
    let broken = build_and_check(&root);
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
