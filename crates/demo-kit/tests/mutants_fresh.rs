//! The mutation results on docs/measured/tests.md are of the code as it is.
//!
//! A mutation run takes minutes per crate, too long for every test run. So
//! the page records, for each crate, a hash of its `src/` at the run, and
//! this test recomputes it: a crate whose `src/` changed since fails here,
//! naming the crate, until `.ci/mutants <crate>` has been run again and the
//! page updated. (Like the Chinese twins' stamps: a stale result is made
//! visible, cheaply.)
//!
//! The src hash is what this shell command prints, so `.ci/mutants` and
//! this test agree:
//!
//! ```text
//! cd crates/<crate> && find src -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum | sha256sum
//! ```
//!
//! that is, SHA-256 over the `sha256sum` lines `<hex>  src/<path>\n` of
//! every file under `src/`, in byte order of the path.

mod common;

use common::{sha256_hex, workspace_root};
use std::fs;
use std::path::Path;

const PAGE: &str = "docs/measured/tests.md";

/// Every file under `dir`, as paths relative to `base` with `/` separators.
fn files_under(base: &Path, dir: &Path, out: &mut Vec<String>) {
    let entries =
        fs::read_dir(dir).unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()));
    for entry in entries {
        let path = entry.expect("a directory entry").path();
        if path.is_dir() {
            files_under(base, &path, out);
        } else {
            let rel = path.strip_prefix(base).expect("under base");
            out.push(rel.to_string_lossy().replace('\\', "/"));
        }
    }
}

/// The src hash of the crate in `crate_dir` (see the module comment).
fn src_hash(crate_dir: &Path) -> String {
    let mut files = Vec::new();
    files_under(crate_dir, &crate_dir.join("src"), &mut files);
    files.sort_unstable_by(|a, b| a.as_bytes().cmp(b.as_bytes()));
    let mut lines = String::new();
    for file in &files {
        let bytes = fs::read(crate_dir.join(file)).expect("a source file");
        lines.push_str(&format!("{}  {file}\n", sha256_hex(&bytes)));
    }
    sha256_hex(lines.as_bytes())
}

/// One row of the page's results table.
#[derive(Debug, PartialEq, Eq)]
struct Row {
    krate: String,
    src_hash: String,
}

/// The rows of every table whose header has a `crate` and a `src hash`
/// column: the design card's crates and the others alike.
fn rows(page: &str) -> Vec<Row> {
    let cells = |line: &str| -> Vec<String> {
        line.trim()
            .trim_matches('|')
            .split('|')
            .map(|c| c.trim().trim_matches('`').to_string())
            .collect()
    };
    let mut out = Vec::new();
    let mut lines = page.lines();
    while let Some(line) = lines.next() {
        if !line.trim_start().starts_with('|') {
            continue;
        }
        let h = cells(line);
        let (Some(krate), Some(hash)) = (
            h.iter().position(|c| c == "crate"),
            h.iter().position(|c| c == "src hash"),
        ) else {
            continue;
        };
        let body = lines
            .by_ref()
            .skip(1) // the |---| line
            .take_while(|l| l.trim_start().starts_with('|'));
        out.extend(body.map(|l| {
            let c = cells(l);
            Row {
                krate: c.get(krate).cloned().unwrap_or_default(),
                src_hash: c.get(hash).cloned().unwrap_or_default(),
            }
        }));
    }
    out
}

#[test]
fn every_crates_mutation_run_is_of_its_current_src() {
    let root = workspace_root();
    let page = fs::read_to_string(root.join(PAGE))
        .unwrap_or_else(|e| panic!("{PAGE} cannot be read: {e}"));
    let rows = rows(&page);
    assert!(
        !rows.is_empty(),
        "{PAGE} has no results table (a header with `crate` and `src hash` columns)"
    );
    let mut stale = Vec::new();
    for row in &rows {
        let dir = root.join("crates").join(&row.krate);
        if !dir.join("src").is_dir() {
            stale.push(format!("{}: no such crate (crates/{0}/src)", row.krate));
        } else if src_hash(&dir) != row.src_hash {
            stale.push(format!(
                "{}: src/ changed since its mutation run: run .ci/mutants {0} and update {PAGE}",
                row.krate
            ));
        }
    }
    assert!(stale.is_empty(), "{}", stale.join("\n"));
}

// ---- unit tests ----

/// A small fixed tree, hashed by the shell command of the module comment,
/// whose `sha256sum` lines are
///
/// ```text
/// e83189db38554920ea572093f9ad32facf682f28ccecdac085c1511735a2b492  src/B.rs     "upper\n": upper case sorts first
/// 509a0a5b5ce4e59f5039e30a39324342d7a161296bb8eba761983faaeebf6efd  src/a.rs     "fn a() {}\n": '.' sorts before '/'
/// e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855  src/a/b.rs   empty
/// ```
#[test]
fn the_src_hash_is_what_sha256sum_gives() {
    let dir = std::env::temp_dir().join(format!(
        "mutants_fresh-{}-{}",
        nix::unistd::getuid(),
        std::process::id()
    ));
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(dir.join("src/a")).unwrap();
    fs::write(dir.join("src/B.rs"), "upper\n").unwrap();
    fs::write(dir.join("src/a.rs"), "fn a() {}\n").unwrap();
    fs::write(dir.join("src/a/b.rs"), "").unwrap();
    let got = src_hash(&dir);
    fs::remove_dir_all(&dir).unwrap();
    assert_eq!(
        got,
        "68e628d3e2207d4bcf62f298631f565cfe55cb73b67317a7f70dbb9b0efd240e"
    );
}

#[test]
fn the_table_rows_are_read_by_their_column_names() {
    let page = "# Title\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n\
                | crate | commit | src hash | viable |\n|---|---|---|---|\n\
                | `framing` | abc1234 | `00ff` | 140 |\n| `tcp-packet` | abc1234 | `11ee` | 147 |\n\n\
                after the table\n| not | a row |\n\n\
                a second table, its columns in another order:\n\n\
                | src hash | crate |\n|---|---|\n| `22dd` | `pool-demo` |\n";
    assert_eq!(
        rows(page),
        [
            Row {
                krate: "framing".into(),
                src_hash: "00ff".into()
            },
            Row {
                krate: "tcp-packet".into(),
                src_hash: "11ee".into()
            },
            Row {
                krate: "pool-demo".into(),
                src_hash: "22dd".into()
            }
        ]
    );
    assert_eq!(rows("no table here\n"), []);
}
