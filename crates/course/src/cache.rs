//! Remembering verdicts, without ever storing "done".
//!
//! Checking an exercise means compiling it and running its tests: a second
//! or more per exercise, and a wrong attempt that hangs costs its whole time
//! limit. Re-checking fourteen exercises the student has not touched, on
//! every `cargo run -p course`, made the student wait ten seconds for the
//! next task. But the verdict of a check is a function of its inputs: the
//! exercise file, the exercises crate (`Cargo.toml`, `Cargo.lock`, the test
//! support in `src/`), the Rust toolchain (`rustc -vV`) and who runs the
//! tests (an exercise that needs root skips as a normal user). So a verdict
//! is remembered under a key made from *all* of those, and used again only
//! while every one of them is unchanged, byte for byte. Any edit, even one
//! that breaks a finished exercise, changes the key: the exercise is
//! compiled and tested again. There is no flag a student could set, and no
//! state that can go stale. `check NAME` (and Enter in `watch`) always runs
//! the tests again, whatever is remembered.
//!
//! The verdicts live in the exercises' target directory
//! (`course-verdicts/`), one file per exercise; deleting the target
//! directory forgets them all.

use crate::catalog::Exercise;
use crate::runner::{Status, Workspace};
use std::collections::BTreeMap;
use std::hash::{DefaultHasher, Hasher};
use std::io;
use std::path::{Path, PathBuf};

/// A verdict, and whether it was remembered rather than just checked.
#[derive(Debug, Clone)]
pub struct Verdict {
    pub status: Status,
    pub remembered: bool,
}

/// Checks exercises, using remembered verdicts whose inputs are unchanged.
pub struct Checker {
    pub workspace: Workspace,
    /// `rustc -vV` and the user: what the verdict depends on besides files.
    /// `None` when the toolchain cannot be asked: then nothing is remembered.
    context: Option<String>,
    dir: PathBuf,
}

impl Checker {
    /// A checker for `workspace`; asks the toolchain its version once.
    pub fn new(workspace: Workspace) -> Checker {
        let context = toolchain(&workspace.root).map(|rustc| {
            format!(
                "course {} verdicts v1\neuid {}\ntime limit {:?}\n{rustc}",
                env!("CARGO_PKG_VERSION"),
                nix::unistd::geteuid(),
                workspace.time_limit
            )
        });
        // One directory per exercises workspace sharing the target directory.
        let dir = workspace.target_dir.join("course-verdicts").join(format!(
            "{:016x}",
            hash_of(workspace.root.to_string_lossy().as_bytes())
        ));
        Checker {
            workspace,
            context,
            dir,
        }
    }

    /// The key of `e`'s verdict: a 128-bit hash of everything it depends
    /// on. `None` if something cannot be read (then it is checked for real).
    pub fn key(&self, e: &Exercise) -> Option<String> {
        let context = self.context.as_ref()?;
        let root = &self.workspace.root;
        let mut files = vec![
            PathBuf::from("Cargo.toml"),
            PathBuf::from("Cargo.lock"),
            PathBuf::from(e.path),
        ];
        files.extend(files_under(root, Path::new("src")).ok()?);
        // Two differently seeded SipHashes: 128 bits, so no two different
        // inputs share a key by accident.
        let mut hashers = [DefaultHasher::new(), DefaultHasher::new()];
        hashers[1].write(b"second");
        let mut feed = |bytes: &[u8]| {
            for h in &mut hashers {
                h.write_usize(bytes.len());
                h.write(bytes);
            }
        };
        feed(context.as_bytes());
        for file in &files {
            feed(file.to_string_lossy().as_bytes());
            feed(&std::fs::read(root.join(file)).ok()?);
        }
        Some(format!(
            "{:016x}{:016x}",
            hashers[0].finish(),
            hashers[1].finish()
        ))
    }

    /// Forgets every verdict remembered for this workspace.
    pub fn forget_all(&self) -> io::Result<()> {
        match std::fs::remove_dir_all(&self.dir) {
            Err(e) if e.kind() != io::ErrorKind::NotFound => Err(e),
            _ => Ok(()),
        }
    }

    /// The remembered verdict for `e`, if its key is unchanged.
    pub fn remembered(&self, e: &Exercise) -> Option<Status> {
        let key = self.key(e)?;
        let text = std::fs::read_to_string(self.dir.join(format!("{}.json", e.name))).ok()?;
        let v: serde_json::Value = serde_json::from_str(&text).ok()?;
        if v["key"].as_str()? != key {
            return None;
        }
        let detail = v["detail"].as_str()?.to_string();
        match v["status"].as_str()? {
            "passed" => Some(Status::Passed),
            "failed" => Some(Status::Failed(detail)),
            "compile-error" => Some(Status::CompileError(detail)),
            "skipped" => Some(Status::Skipped(detail)),
            _ => None,
        }
    }

    fn remember(&self, e: &Exercise, key: &str, status: &Status) -> io::Result<()> {
        let (word, detail) = match status {
            Status::Passed => ("passed", ""),
            Status::Failed(d) => ("failed", d.as_str()),
            Status::CompileError(d) => ("compile-error", d.as_str()),
            Status::Skipped(d) => ("skipped", d.as_str()),
        };
        let json = serde_json::json!({ "key": key, "status": word, "detail": detail });
        std::fs::create_dir_all(&self.dir)?;
        // Write then rename: a reader never sees half a file.
        let tmp = self
            .dir
            .join(format!(".{}.{}.tmp", e.name, std::process::id()));
        std::fs::write(&tmp, json.to_string())?;
        std::fs::rename(&tmp, self.dir.join(format!("{}.json", e.name)))
    }

    /// Verdicts for `list`: remembered ones where the key is unchanged
    /// (unless `fresh`), the others compiled and tested now, all in one
    /// build. `on_check(n)` is called before `n > 0` exercises are checked.
    pub fn check(
        &self,
        list: &[&Exercise],
        fresh: bool,
        on_check: impl FnOnce(usize),
    ) -> io::Result<BTreeMap<String, Verdict>> {
        let mut verdicts = BTreeMap::new();
        let mut to_check = Vec::new();
        for e in list {
            let key = self.key(e);
            match (fresh, key.as_ref().and_then(|_| self.remembered(e))) {
                (false, Some(status)) => {
                    verdicts.insert(
                        e.name.to_string(),
                        Verdict {
                            status,
                            remembered: true,
                        },
                    );
                }
                _ => to_check.push((*e, key)),
            }
        }
        if to_check.is_empty() {
            return Ok(verdicts);
        }
        on_check(to_check.len());
        let names: Vec<&str> = to_check.iter().map(|(e, _)| e.name).collect();
        let mut checked = self.workspace.check_each(&names)?;
        for (e, before) in to_check {
            let Some((status, is_verdict)) = checked.remove(e.name) else {
                continue;
            };
            // Remember it only if nothing changed while it was checked (a
            // save during the build would otherwise get the old key).
            if let Some(key) = before.filter(|k| is_verdict && self.key(e).as_ref() == Some(k)) {
                let _ = self.remember(e, &key, &status);
            }
            verdicts.insert(
                e.name.to_string(),
                Verdict {
                    status,
                    remembered: false,
                },
            );
        }
        Ok(verdicts)
    }
}

/// `rustc -vV` as cargo would run it for this workspace (`RUSTC`, else
/// `rustc` found the same way, from the same directory).
fn toolchain(root: &Path) -> Option<String> {
    let rustc = std::env::var_os("RUSTC").unwrap_or_else(|| "rustc".into());
    let out = std::process::Command::new(rustc)
        .arg("-vV")
        .current_dir(root)
        .stdin(std::process::Stdio::null())
        .output()
        .ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

/// Every file under `root/dir`, as paths relative to `root`, sorted.
fn files_under(root: &Path, dir: &Path) -> io::Result<Vec<PathBuf>> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(root.join(dir))? {
        let entry = entry?;
        let rel = dir.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            found.extend(files_under(root, &rel)?);
        } else {
            found.push(rel);
        }
    }
    found.sort();
    Ok(found)
}

fn hash_of(bytes: &[u8]) -> u64 {
    let mut h = DefaultHasher::new();
    h.write(bytes);
    h.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::find;
    use std::time::Duration;

    fn scratch(name: &str) -> Checker {
        // By uid too: another user's run may have left a directory of this pid.
        let root = std::env::temp_dir().join(format!(
            "course-cache-{name}-{}-{}",
            nix::unistd::getuid(),
            std::process::id()
        ));
        let _ = std::fs::remove_dir_all(&root);
        let e = find("tcp_states").unwrap();
        std::fs::create_dir_all(root.join("src")).unwrap();
        std::fs::create_dir_all(root.join(e.path).parent().unwrap()).unwrap();
        for (file, text) in [
            ("Cargo.toml", "[package]"),
            ("Cargo.lock", "version = 3"),
            ("src/lib.rs", "pub fn within() {}"),
            (e.path, "fn main() { let _unsolved = (); }"),
        ] {
            std::fs::write(root.join(file), text).unwrap();
        }
        Checker::new(Workspace {
            target_dir: root.join("target"),
            root,
            time_limit: Duration::from_secs(60),
            build_limit: Duration::from_secs(60),
        })
    }

    #[test]
    fn any_change_to_an_input_changes_the_key() {
        let c = scratch("key");
        let e = find("tcp_states").unwrap();
        let first = c.key(e).expect("a key");
        assert_eq!(c.key(e).as_ref(), Some(&first), "same inputs, same key");
        let mut seen = vec![first];
        for file in ["Cargo.toml", "Cargo.lock", "src/lib.rs", e.path] {
            let path = c.workspace.root.join(file);
            let before = std::fs::read_to_string(&path).unwrap();
            std::fs::write(&path, format!("{before} ")).unwrap();
            let key = c.key(e).expect("a key");
            assert!(!seen.contains(&key), "changing {file} changes the key");
            seen.push(key);
        }
        std::fs::write(c.workspace.root.join("src/extra.rs"), "").unwrap();
        assert!(!seen.contains(&c.key(e).unwrap()), "a new src/ file too");
        // Another toolchain (or user) is another key.
        let mut other = scratch("key2");
        let own_root = std::mem::replace(&mut other.workspace.root, c.workspace.root.clone());
        other.context = Some("rustc 0.0.0".into());
        assert_ne!(other.key(e), c.key(e));
        let _ = std::fs::remove_dir_all(&c.workspace.root);
        let _ = std::fs::remove_dir_all(own_root);
    }

    #[test]
    fn a_verdict_is_used_only_while_its_key_holds() {
        let c = scratch("verdict");
        let e = find("tcp_states").unwrap();
        let key = c.key(e).unwrap();
        let failed = Status::Failed("test a ... FAILED".into());
        c.remember(e, &key, &failed).unwrap();
        assert_eq!(c.remembered(e), Some(failed));
        c.remember(e, &key, &Status::Skipped("needs root".into()))
            .unwrap();
        assert_eq!(c.remembered(e), Some(Status::Skipped("needs root".into())));
        let errors = Status::CompileError("error[E0308]: mismatched types".into());
        c.remember(e, &key, &errors).unwrap();
        assert_eq!(c.remembered(e), Some(errors));
        // Forgetting all forgets it; forgetting nothing is no error.
        c.forget_all().unwrap();
        assert_eq!(c.remembered(e), None);
        c.forget_all().unwrap();
        c.remember(e, &key, &Status::Passed).unwrap();
        assert_eq!(c.remembered(e), Some(Status::Passed));
        // The student edits the exercise back to broken: forgotten.
        std::fs::write(c.workspace.root.join(e.path), "fn main() {}").unwrap();
        assert_eq!(c.remembered(e), None);
        let _ = std::fs::remove_dir_all(&c.workspace.root);
    }

    /// Verdicts that cannot be removed are an error, not a silent keep:
    /// here the directory of verdicts lies under a file.
    #[test]
    fn forgetting_what_cannot_be_removed_is_an_error() {
        let mut c = scratch("forget");
        let file = c.workspace.root.join("a-file");
        std::fs::write(&file, "").unwrap();
        c.dir = file.join("course-verdicts");
        let err = c.forget_all().expect_err("a directory under a file");
        assert_ne!(err.kind(), io::ErrorKind::NotFound, "{err}");
        let _ = std::fs::remove_dir_all(&c.workspace.root);
    }

    /// The key's toolchain is what `rustc -vV` says: its version, commit,
    /// host and LLVM, so another toolchain is another key.
    #[test]
    fn the_toolchain_in_the_key_is_what_rustc_says() {
        let c = scratch("toolchain");
        let said = toolchain(&c.workspace.root).expect("rustc -vV");
        assert!(
            said.starts_with("rustc ") && said.contains("\nhost: ") && said.contains("\nrelease: "),
            "{said}"
        );
        let context = c.context.as_deref().unwrap_or_default();
        assert!(context.ends_with(&format!("\n{said}")), "{context}");
        let _ = std::fs::remove_dir_all(&c.workspace.root);
    }

    /// A check that says nothing about the exercise (here cargo cannot read
    /// the manifest) is shown, with cargo's words, but not remembered.
    #[test]
    fn what_cargo_did_not_build_is_shown_not_remembered() {
        let c = scratch("cargo-fails");
        let e = find("tcp_states").unwrap();
        let mut asked = 0;
        let verdicts = c.check(&[e], false, |n| asked = n).unwrap();
        assert_eq!(asked, 1);
        let v = &verdicts[e.name];
        assert!(!v.remembered);
        match &v.status {
            Status::CompileError(why) => assert!(
                why.starts_with("cargo did not build it:\n") && why.contains("manifest"),
                "{why}"
            ),
            other => panic!("{other:?}"),
        }
        assert_eq!(c.remembered(e), None, "not a verdict on the exercise");
        let _ = std::fs::remove_dir_all(&c.workspace.root);
    }
}
