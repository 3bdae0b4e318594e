//! The exercises, in course order, and where their files live.
//!
//! The list is data, not code: `catalog.json` in the exercises workspace
//! (`exercises/catalog.json`) names each exercise, its directory, the lesson
//! it practises and its topic, in the course's order (docs/README.md).
//! `exercises/Cargo.toml` declares the same list as test targets; a test
//! below checks that the two agree. Because the runner reads the list from
//! whichever exercises workspace it is pointed at (`COURSE_EXERCISES`), its
//! own tests can drive it on a small fixture workspace of three exercises
//! instead of compiling the course's thirty-one.
//!
//! Each exercise's *pristine* text (as shipped, unsolved) is the version in
//! the repository's last commit ([`pristine`]): `reset` restores it and
//! `verify` proves it fails, whatever the student has done to their working
//! copy — without a second copy of every exercise in the tree. The
//! catalog's `shipped` field says which committed directory that is.

use std::io;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// One exercise.
#[derive(Debug)]
pub struct Exercise {
    /// The name students type: `cargo run -p course -- check NAME`.
    pub name: &'static str,
    /// The file, relative to `exercises/` (also the solution's path under
    /// `exercises/solutions/`).
    pub path: &'static str,
    /// The lesson it belongs to, relative to the repository root.
    pub lesson: &'static str,
    /// The lesson's number and title, for lists.
    pub topic: &'static str,
    /// The shipped file in the repository's last commit (`exercises/<path>`).
    pub shipped: &'static str,
}

/// Reads `<dir>/catalog.json`. The strings live as long as the program (a
/// runner loads one catalog; a test process a few).
pub fn load(dir: &Path) -> io::Result<&'static [Exercise]> {
    let file = dir.join("catalog.json");
    let bad = |why: String| {
        io::Error::new(
            io::ErrorKind::InvalidData,
            format!("{}: {why}", file.display()),
        )
    };
    let text = std::fs::read_to_string(&file).map_err(|e| {
        io::Error::new(
            e.kind(),
            format!(
                "cannot read {} ({e}): the runner needs the exercises workspace's catalog",
                file.display()
            ),
        )
    })?;
    let json: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| bad(format!("not JSON: {e}")))?;
    let leak = |s: String| -> &'static str { Box::leak(s.into_boxed_str()) };
    let shipped = json["shipped"]
        .as_str()
        .ok_or_else(|| bad("no \"shipped\" directory".into()))?
        .trim_end_matches('/')
        .to_string();
    let list = json["exercises"]
        .as_array()
        .ok_or_else(|| bad("no \"exercises\" list".into()))?;
    let mut exercises = Vec::with_capacity(list.len());
    for (i, row) in list.iter().enumerate() {
        let field = |key: &str| {
            row[key]
                .as_str()
                .filter(|v| !v.is_empty())
                .map(str::to_string)
                .ok_or_else(|| bad(format!("exercise {} has no \"{key}\"", i + 1)))
        };
        let (name, dir) = (field("name")?, field("dir")?);
        let path = format!("{dir}/{name}.rs");
        exercises.push(Exercise {
            shipped: leak(format!("{shipped}/{path}")),
            name: leak(name),
            path: leak(path),
            lesson: leak(field("lesson")?),
            topic: leak(field("topic")?),
        });
    }
    if exercises.is_empty() {
        return Err(bad("the list of exercises is empty".into()));
    }
    Ok(Box::leak(exercises.into_boxed_slice()))
}

static CATALOG: OnceLock<&'static [Exercise]> = OnceLock::new();

/// Loads the catalog of [`exercises_dir`]; the runner calls it first, so
/// that a missing or broken catalog is an error message, not a panic.
pub fn init() -> io::Result<&'static [Exercise]> {
    if let Some(all) = CATALOG.get() {
        return Ok(all);
    }
    let all = load(&exercises_dir())?;
    Ok(CATALOG.get_or_init(|| all))
}

/// Every exercise, in the order a student should do them (the catalog of
/// [`exercises_dir`], loaded at the first call).
pub fn all() -> &'static [Exercise] {
    init().unwrap_or_else(|e| panic!("{e}"))
}

/// Looks an exercise up by name.
pub fn find(name: &str) -> Option<&'static Exercise> {
    all().iter().find(|e| e.name == name)
}

/// All names, for error messages.
pub fn names() -> String {
    all().iter().map(|e| e.name).collect::<Vec<_>>().join(", ")
}

/// The repository root (this crate lives in `crates/course`).
pub fn repo_root() -> PathBuf {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    root.canonicalize().unwrap_or(root)
}

/// The exercises workspace: `exercises/` at the repository root, or the
/// directory in `COURSE_EXERCISES` (the runner's own tests use a scratch copy).
pub fn exercises_dir() -> PathBuf {
    match std::env::var_os("COURSE_EXERCISES") {
        Some(dir) => PathBuf::from(dir),
        None => repo_root().join("exercises"),
    }
}

/// The exercise as shipped: `git show HEAD:exercises/<path>` (its
/// `shipped` path) in the
/// repository this runner belongs to. (If you commit your own work on an
/// exercise, that commit becomes what `reset` restores.)
pub fn pristine(e: &Exercise) -> io::Result<String> {
    let spec = format!("HEAD:{}", e.shipped);
    let out = std::process::Command::new("git")
        .arg("-C")
        .arg(repo_root())
        .args(["show", &spec])
        .output()
        .map_err(|err| {
            std::io::Error::other(format!(
                "`git show {spec}` could not run ({err}): reset and verify need git and the course's git checkout"
            ))
        })?;
    if !out.status.success() {
        return Err(std::io::Error::other(format!(
            "`git show {spec}` failed: {}; reset and verify need the course's git checkout",
            String::from_utf8_lossy(&out.stderr).trim()
        )));
    }
    String::from_utf8(out.stdout).map_err(std::io::Error::other)
}

/// Where an exercise file's tests begin.
const TESTS_START: &str = "\n#[cfg(test)]";

/// The exercise solved: the solution's code (`<solutions_dir>/<path>`)
/// followed by the exercise's own tests.
/// Solutions ship without tests, so each exercise's tests exist once, in the
/// exercise file, and a solution is proven against exactly the tests the
/// student runs.
pub fn solved_text(e: &Exercise, solutions_dir: &std::path::Path) -> std::io::Result<String> {
    let solution = std::fs::read_to_string(solutions_dir.join(e.path))?;
    let code = solution.split(TESTS_START).next().unwrap_or_default();
    let exercise = pristine(e)?;
    let tests = exercise.find(TESTS_START).map_or("", |at| &exercise[at..]);
    if tests.is_empty() {
        return Err(std::io::Error::other(format!(
            "exercises/{} has no #[cfg(test)] tests",
            e.path
        )));
    }
    Ok(format!("{}{tests}", code.trim_end_matches('\n')))
}

/// The task: the comment block at the top of an exercise file, without `//`.
pub fn task(text: &str) -> String {
    text.lines()
        .take_while(|l| l.starts_with("//"))
        .map(|l| {
            l.trim_start_matches("//")
                .strip_prefix(' ')
                .unwrap_or(l.trim_start_matches("//"))
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cargo_toml_declares_the_same_exercises_in_the_same_order() {
        let manifest = std::fs::read_to_string(exercises_dir().join("Cargo.toml")).unwrap();
        let declared: Vec<(String, String)> = manifest
            .split("[[test]]")
            .skip(1)
            .map(|block| {
                let field = |key: &str| {
                    block
                        .lines()
                        .find_map(|l| l.strip_prefix(key))
                        .map(|v| v.trim().trim_matches('"').to_string())
                        .unwrap()
                };
                (field("name = "), field("path = "))
            })
            .collect();
        let ours: Vec<(String, String)> = all()
            .iter()
            .map(|e| (e.name.to_string(), e.path.to_string()))
            .collect();
        assert_eq!(declared, ours);
    }

    #[test]
    fn every_exercise_has_a_task_naming_its_lesson_a_hint_and_a_solution() {
        assert!(all().len() >= 12);
        for e in all() {
            let text = std::fs::read_to_string(repo_root().join("exercises").join(e.path)).unwrap();
            let task = task(&text);
            assert!(
                task.contains(e.lesson),
                "{}: the task names {}",
                e.name,
                e.lesson
            );
            assert!(
                task.contains(e.name),
                "{}: the task names the exercise",
                e.name
            );
            // The task is the spec: a Chinese learner reads it in Chinese.
            assert!(
                task.contains("中文：") && task.contains(&format!("练习 `{}`", e.name)),
                "{}: the task has no Chinese block (`中文：`, then `练习 `{}``)",
                e.name,
                e.name
            );
            let hint = exercises_dir().join("hints").join(format!("{}.md", e.name));
            assert!(hint.is_file(), "missing {}", hint.display());
            let solution = exercises_dir().join("solutions").join(e.path);
            assert!(solution.is_file(), "missing {}", solution.display());
        }
    }

    /// A failing check is explained in the learner's language (show.rs):
    /// every test of every exercise carries its two doc lines.
    #[test]
    fn every_exercise_test_says_what_it_proves_in_both_languages() {
        let mut missing = Vec::new();
        for e in all() {
            let text = std::fs::read_to_string(repo_root().join("exercises").join(e.path)).unwrap();
            let tests = crate::explain::tests_in(&text);
            assert!(!tests.is_empty(), "{}: no #[test] found", e.path);
            for (name, explanation) in tests {
                if explanation.is_none() {
                    missing.push(format!("exercises/{} {name}", e.path));
                }
            }
        }
        assert!(
            missing.is_empty(),
            "{} test(s) lack the doc lines `/// <what it proves>` then `/// 中文：<the same>`:\n{}",
            missing.len(),
            missing.join("\n")
        );
    }

    #[test]
    fn exercises_lock_uses_the_root_versions() {
        // The exercises build offline from what the root workspace fetched.
        let root = std::fs::read_to_string(repo_root().join("Cargo.lock")).unwrap();
        let ours = std::fs::read_to_string(exercises_dir().join("Cargo.lock")).unwrap();
        for package in ours.split("[[package]]").skip(1) {
            if !package.contains("source = \"registry") {
                continue;
            }
            let head: String = package.lines().take(3).collect::<Vec<_>>().join("\n");
            let wanted: Vec<&str> = head.lines().filter(|l| !l.trim().is_empty()).collect();
            let (name, version) = (wanted[0], wanted[1]);
            assert!(
                root.contains(&format!("{name}\n{version}")),
                "exercises/Cargo.lock has {name} {version}, the root Cargo.lock does not"
            );
        }
    }
}
