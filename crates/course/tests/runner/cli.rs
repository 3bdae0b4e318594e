//! The runner's commands, run as a student would, on a scratch copy of a
//! small fixture workspace (`tests/fixture`: three exercises with no
//! dependencies), so the tests exercise the runner — progress, check,
//! watch, hint, reset, solution, skips, both languages — in seconds. The
//! course's own exercises are proven by the `verify` module through the same
//! machinery (`course::runner`).

use course::cache::Checker;
use course::catalog::Exercise;
use course::runner::{Status, Workspace};
use demo_kit::testing::OutputWithin;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::mpsc;
use std::time::Duration;

/// The fixture workspace, as committed.
fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixture")
}

/// The fixture's exercises, in order.
fn exercises() -> &'static [Exercise] {
    course::catalog::load(&fixture()).expect("tests/fixture/catalog.json")
}

fn find(name: &str) -> &'static Exercise {
    exercises()
        .iter()
        .find(|e| e.name == name)
        .expect("a fixture exercise")
}

/// One target directory for every scratch copy: the fixture compiles once
/// per change, and its copies have their own package names.
fn target_dir() -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR")).join("course-cli/target")
}

/// The runner, in English whatever the machine's locale.
fn runner(scratch: &Path, args: &[&str]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_course"));
    cmd.args(args)
        .env("COURSE_EXERCISES", scratch)
        .env("COURSE_TARGET_DIR", target_dir())
        .env("NO_COLOR", "1")
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .env_remove("LANG")
        .stdin(Stdio::null());
    cmd
}

fn course(scratch: &Path, args: &[&str]) -> Output {
    runner(scratch, args).output_within()
}

fn course_in(scratch: &Path, lang: &str, args: &[&str]) -> Output {
    runner(scratch, args).env("LANG", lang).output_within()
}

/// The checker the runner uses on `scratch`: to see what it remembers.
fn checker(scratch: &Path) -> Checker {
    Checker::new(Workspace {
        root: scratch.to_path_buf(),
        target_dir: target_dir(),
        time_limit: Duration::from_secs(60),
        build_limit: Duration::from_secs(900),
    })
}

fn solve(dir: &Path, name: &str) {
    let e = find(name);
    let solved = course::catalog::solved_text(e, &fixture().join("solutions")).unwrap();
    std::fs::write(dir.join(e.path), solved).unwrap();
}

/// The first exercise solved, with tests that pass but skip (as a
/// privileged exercise does for a normal user).
fn make_it_skip(dir: &Path) {
    let e = &exercises()[0];
    let solved = course::catalog::solved_text(e, &fixture().join("solutions")).unwrap();
    let code = solved.split("\n#[cfg(test)]").next().unwrap();
    let text = format!(
        "{code}\n#[cfg(test)]\nmod tests {{\n    #[test]\n    fn needs_privileges() {{\n        \
         exercises::skip(\"needs root: run as root to check it\");\n    }}\n}}\n"
    );
    std::fs::write(dir.join(e.path), text).unwrap();
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for f in std::fs::read_dir(from).unwrap() {
        let f = f.unwrap();
        if f.file_type().unwrap().is_dir() {
            copy_tree(&f.path(), &to.join(f.file_name()));
        } else {
            std::fs::copy(f.path(), to.join(f.file_name())).unwrap();
        }
    }
}

/// A scratch copy of the fixture as shipped (the committed text of each
/// exercise), with its own package name: the copies build in parallel into
/// one target directory and must not take each other's test binaries.
fn scratch(name: &str) -> Scratch {
    let lock = one_run_at_a_time(&format!("course-cli-{name}"));
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("course-cli-{name}"));
    if dir.exists() {
        std::fs::remove_dir_all(&dir).unwrap();
    }
    copy_tree(&fixture(), &dir);
    course::verify::rename_package(&dir, &format!("exercises-cli-{name}")).unwrap();
    // Each test starts with nothing remembered from an earlier run.
    checker(&dir).forget_all().unwrap();
    for e in exercises() {
        std::fs::write(dir.join(e.path), course::catalog::pristine(e).unwrap()).unwrap();
    }
    Scratch { dir, _lock: lock }
}

/// Holds `<target>/tmp/<name>.lock` exclusively until dropped. (verify
/// takes its own such lock.) The scratch copies live at fixed paths under
/// the target directory, so that a second
/// run reuses their builds; a second `cargo test` started in the same
/// checkout while the first runs (two terminals) would otherwise delete
/// and rewrite a copy under the other's feet. Tests of one run take
/// different names, so they never wait for each other.
fn one_run_at_a_time(name: &str) -> nix::fcntl::Flock<std::fs::File> {
    let path = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("{name}.lock"));
    let file = std::fs::File::create(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    nix::fcntl::Flock::lock(file, nix::fcntl::FlockArg::LockExclusive)
        .unwrap_or_else(|(_, e)| panic!("flock({}): {e}", path.display()))
}

/// A scratch copy, this run's alone while it lives.
struct Scratch {
    dir: PathBuf,
    _lock: nix::fcntl::Flock<std::fs::File>,
}

impl std::ops::Deref for Scratch {
    type Target = Path;
    fn deref(&self) -> &Path {
        &self.dir
    }
}

#[test]
fn help_and_bad_input() {
    let dir = scratch("help");
    let out = course(&dir, &["--help"]);
    assert!(out.status.success());
    assert!(text(&out).contains("watch"));
    let out = course(&dir, &["hint", "no_such_exercise"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        text(&out),
        "error: no exercise called \"no_such_exercise\"; the exercises are: states, adder, echo\n"
    );
    let out = course(&dir, &["frobnicate"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        text(&out),
        "error: unknown command \"frobnicate\"; see --help\n"
    );
}

#[test]
fn check_solution_and_reset_on_one_exercise() {
    let dir = scratch("flow");
    let e = find("states");

    let out = course(&dir, &["hint", "states"]);
    assert!(
        out.status.success() && text(&out).contains("Read the test"),
        "{}",
        text(&out)
    );

    // As shipped: the check fails and says why; the solution stays hidden.
    let out = course(&dir, &["check", "states"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(text(&out).contains("not yet implemented"), "{}", text(&out));
    let out = course(&dir, &["solution", "states"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out).contains("--force"));
    let out = course(&dir, &["solution", "states", "--force"]);
    assert!(out.status.success());
    assert!(text(&out).contains("\"LISTEN\""));

    // Solved: the check passes and the solution is shown.
    let solved = course::catalog::solved_text(e, &dir.join("solutions")).unwrap();
    std::fs::write(dir.join(e.path), &solved).unwrap();
    let out = course(&dir, &["check", "states"]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("done"));

    // Reset asks first; without a terminal it wants --yes.
    let out = course(&dir, &["reset", "states"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out).contains("--yes"));
    assert_eq!(std::fs::read_to_string(dir.join(e.path)).unwrap(), solved);
    let out = course(&dir, &["reset", "states", "--yes"]);
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(
        std::fs::read_to_string(dir.join(e.path)).unwrap(),
        course::catalog::pristine(e).unwrap()
    );
}

/// Issue 19: a verdict is remembered, but only while nothing it depends on
/// changes: editing a passed exercise back to broken makes it not done again.
#[test]
fn breaking_a_passed_exercise_makes_it_not_done_again_cache_included() {
    let dir = scratch("again");
    let e = find("states");
    let total = exercises().len();
    solve(&dir, "states");
    let out = course(&dir, &[]);
    assert!(out.status.success(), "{}", text(&out));
    let second = exercises()[1].name;
    assert!(
        text(&out).contains(&format!("Next: {second}")),
        "{}",
        text(&out)
    );
    assert!(
        text(&out).contains(&format!("1/{total} done")),
        "{}",
        text(&out)
    );
    assert_eq!(checker(&dir).remembered(e), Some(Status::Passed));

    // Again, nothing changed: every verdict is remembered, nothing is rebuilt.
    let out = course(&dir, &["list"]);
    assert!(!text(&out).contains("checking"), "{}", text(&out));
    assert!(
        text(&out).contains(&format!("1/{total} done")),
        "{}",
        text(&out)
    );

    // Broken again: the remembered pass no longer applies.
    std::fs::write(dir.join(e.path), course::catalog::pristine(e).unwrap()).unwrap();
    assert_eq!(checker(&dir).remembered(e), None);
    let out = course(&dir, &[]);
    assert!(text(&out).contains("Next: states"), "{}", text(&out));
    assert!(
        text(&out).contains(&format!("0/{total} done")),
        "{}",
        text(&out)
    );
    assert!(text(&out).contains("not yet implemented"), "{}", text(&out));
    let out = course(&dir, &["list"]);
    let row = text(&out)
        .lines()
        .find(|l| l.contains("states"))
        .unwrap_or_default()
        .to_string();
    assert!(row.contains("todo"), "{}", text(&out));

    // A change to the exercises crate (here its test support) is a change too.
    solve(&dir, "states");
    let out = course(&dir, &["list"]);
    assert!(
        text(&out).contains(&format!("1/{total} done")),
        "{}",
        text(&out)
    );
    assert_eq!(checker(&dir).remembered(e), Some(Status::Passed));
    let lib = dir.join("src/lib.rs");
    let support = std::fs::read_to_string(&lib).unwrap();
    std::fs::write(&lib, format!("{support}\n// changed\n")).unwrap();
    assert_eq!(checker(&dir).remembered(e), None);
}

/// The skip protocol: tests that pass but print `COURSE-SKIP: <reason>`.
#[test]
fn a_skipping_exercise_is_neither_done_nor_failed_and_is_passed_over() {
    let dir = scratch("skip");
    let total = exercises().len();
    make_it_skip(&dir);
    let out = course(&dir, &["list"]);
    assert!(out.status.success(), "{}", text(&out));
    let t = text(&out);
    assert!(
        t.contains("skipped: needs root: run as root to check it"),
        "{t}"
    );
    assert!(t.contains(&format!("0/{total} done, 1 skipped")), "{t}");
    let out = course(&dir, &[]);
    let t = text(&out);
    assert!(t.contains(&format!("Next: {}", exercises()[1].name)), "{t}");
    assert!(t.contains(&format!("0/{total} done, 1 skipped")), "{t}");
    assert!(t.contains("states           skipped: needs root"), "{t}");
    let out = course(&dir, &["check", "states"]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("skipped: needs root"), "{}", text(&out));
    assert!(text(&out).contains("not counted as done"), "{}", text(&out));
}

/// Lines a running `watch` prints, as they come.
struct Watching {
    lines: mpsc::Receiver<String>,
    seen: String,
}

impl Watching {
    fn until(&mut self, what: &str) {
        while !self.seen.contains(what) {
            match self.lines.recv_timeout(Duration::from_secs(180)) {
                Ok(line) => {
                    self.seen.push_str(&line);
                    self.seen.push('\n');
                }
                Err(_) => panic!("watch never printed {what:?}; it printed:\n{}", self.seen),
            }
        }
        // Later waits look only at what comes after.
        let at = self.seen.find(what).unwrap() + what.len();
        self.seen.drain(..at);
    }
}

/// `watch` as a student drives it: save a skipping exercise, then a
/// solution; it moves on each time and shows the progress.
#[test]
fn watch_moves_on_past_a_pass_and_a_skip_with_the_progress() {
    let dir = scratch("watch");
    let total = exercises().len();
    let mut child = runner(&dir, &["watch"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let (tx, lines) = mpsc::channel();
    let stdout = child.stdout.take().unwrap();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let mut w = Watching {
        lines,
        seen: String::new(),
    };
    w.until("Next: states");
    w.until(&format!("0/{total} done"));
    w.until("Watching for saves");
    make_it_skip(&dir);
    w.until("states skipped: needs root");
    let (second, third) = (exercises()[1].name, exercises()[2].name);
    w.until(&format!("Next: {second}"));
    w.until(&format!("0/{total} done, 1 skipped"));
    w.until("Watching for saves");
    solve(&dir, second);
    w.until(&format!("{second} passes!"));
    w.until(&format!("Next: {third}"));
    w.until(&format!("1/{total} done, 1 skipped"));
    w.until("Watching for saves");
    let mut stdin = child.stdin.take().unwrap();
    writeln!(stdin, "q").unwrap();
    let ended = demo_kit::wait::until(Duration::from_secs(30), || child.try_wait().unwrap());
    if ended.is_none() {
        let _ = child.kill();
        let _ = child.wait();
        panic!("watch did not quit on q");
    }
}

/// Issue 11: the runner in Chinese from the locale or `--lang`, English
/// forced with `--lang en`, and a clear error for a language it lacks.
#[test]
fn the_runner_speaks_chinese_when_asked() {
    let dir = scratch("lang");
    let out = course_in(&dir, "zh_CN.UTF-8", &["list"]);
    assert!(out.status.success(), "{}", text(&out));
    let t = text(&out);
    assert!(t.contains("进度") && t.contains("已完成 0/"), "{t}");
    assert!(t.contains("✗ 待完成"), "{t}");
    let out = course_in(&dir, "zh_CN.UTF-8", &["list", "--lang", "en"]);
    assert!(text(&out).contains("Progress") && !text(&out).contains("进度"));
    let out = course(&dir, &["--lang", "zh-CN", "--help"]);
    assert!(
        out.status.success() && text(&out).contains("用法"),
        "{}",
        text(&out)
    );
    // LC_ALL comes before LANG.
    let out = runner(&dir, &["hint", "nope"])
        .env("LANG", "zh_CN.UTF-8")
        .env("LC_ALL", "C")
        .output_within();
    assert!(text(&out).contains("no exercise called"), "{}", text(&out));

    // Hints in Chinese; the English one, said so, where none is translated.
    let out = course_in(&dir, "zh_CN.UTF-8", &["hint", "states"]);
    assert!(text(&out).contains("`states` 的提示"), "{}", text(&out));
    assert!(!text(&out).contains("<!--"), "{}", text(&out));
    let out = course_in(&dir, "zh_CN.UTF-8", &["hint", "echo"]);
    let t = text(&out);
    assert!(
        t.contains("还没有中文提示") && t.contains("Hint for `echo`"),
        "{t}"
    );
    let out = course(&dir, &["hint", "states"]);
    assert!(text(&out).contains("Hint for `states`"), "{}", text(&out));

    // Issue 25: a failing check says what it proves, in the learner's
    // language (the doc lines above the test), above the raw output.
    let out = course(&dir, &["check", "states", "--lang", "zh-CN"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let t = text(&out);
    let why = "a_listener_listens：调用 `listen()` 之后，套接字处于 LISTEN 状态。";
    let (at_why, at_raw) = (t.find(why), t.find("not yet implemented"));
    assert!(at_why.is_some() && at_why < at_raw, "{t}");
    assert!(
        t.contains("这些检查还没通过") && !t.contains("is in LISTEN"),
        "{t}"
    );
    let out = course_in(&dir, "zh_CN.UTF-8", &[]);
    let t = text(&out);
    assert!(t.contains(why) && t.contains("✗ 待完成："), "{t}");
    let out = course(&dir, &["check", "states"]);
    let t = text(&out);
    assert!(
        t.contains("a_listener_listens: A socket is in LISTEN after `listen()`."),
        "{t}"
    );

    let out = course(&dir, &["list", "--lang", "fr"]);
    assert_eq!(out.status.code(), Some(1));
    let t = text(&out);
    assert!(
        t.contains("unknown language \"fr\"") && t.contains("zh-CN"),
        "{t}"
    );
    assert!(!t.contains("panicked"), "{t}");
}

/// The course's own exercises (not the fixture's): each hint is translated.
#[test]
fn every_exercise_has_a_stamped_chinese_hint() {
    for e in course::catalog::all() {
        let zh = course::catalog::exercises_dir().join(format!("hints/zh-CN/{}.md", e.name));
        let text =
            std::fs::read_to_string(&zh).unwrap_or_else(|_| panic!("missing {}", zh.display()));
        let first = text.lines().next().unwrap_or_default();
        assert!(
            first.starts_with(&format!(
                "<!-- source: exercises/hints/{}.md sha256:",
                e.name
            )),
            "{}: the first line names the English hint it translates",
            zh.display()
        );
    }
}
