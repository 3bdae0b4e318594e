//! What the documentation tests (commands_in_docs, editions, books) share:
//! where the repository is, and how a relative link resolves.

use std::path::{Component, Path, PathBuf};

/// The repository root (this crate is `crates/demo-kit`).
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .expect("the workspace root exists")
}

/// `a/b/../c` → `a/c`, without touching the file system; a `..` above the
/// start is kept, so a path can be seen to leave its folder.
#[allow(dead_code)] // not every test file resolves links
pub fn normalize(p: &Path) -> PathBuf {
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
