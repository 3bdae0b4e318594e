//! Building a book with mdBook, for the two tests that need the built site
//! (books.rs: every link resolves; pictures.rs: every diagram draws in a
//! browser). Both are `#[ignore]`d and run by `.ci/run`, which installs the
//! pinned `mdbook` and `mdbook-mermaid`; a missing program fails them.

use std::path::Path;
use std::process::Command;

/// Runs `program args…` and fails the test on an error or a warning.
fn run_quietly(program: &str, args: &[&std::ffi::OsStr], what: &str) {
    let run = Command::new(program).args(args).output().unwrap_or_else(|e| {
        panic!("cannot run {program} ({e}); .ci/run installs it, pinned, with cargo install --locked")
    });
    let log =
        String::from_utf8_lossy(&run.stderr).into_owned() + &String::from_utf8_lossy(&run.stdout);
    assert!(run.status.success(), "{what} failed:\n{log}");
    assert!(
        !log.contains("WARN") && !log.contains("ERROR"),
        "{what} warned:\n{log}"
    );
}

/// Writes the book's mermaid scripts (mermaid.min.js, mermaid-init.js) into
/// `src` if they are missing: they come from the pinned mdbook-mermaid, which
/// leaves book.toml alone once it names them (docs/book.toml says why they
/// are not committed).
pub fn mermaid_install(src: &Path) {
    if src.join("mermaid.min.js").exists() && src.join("mermaid-init.js").exists() {
        return;
    }
    run_quietly(
        "mdbook-mermaid",
        &["install".as_ref(), src.as_os_str()],
        &format!("mdbook-mermaid install {}", src.display()),
    );
}

/// Runs `mdbook build SRC --dest-dir DEST` (after [`mermaid_install`]) and
/// fails on an error or a warning.
pub fn mdbook_build(src: &Path, dest: &Path) {
    mermaid_install(src);
    run_quietly(
        "mdbook",
        &[
            "build".as_ref(),
            src.as_os_str(),
            "--dest-dir".as_ref(),
            dest.as_os_str(),
        ],
        &format!("mdbook build {}", src.display()),
    );
}
