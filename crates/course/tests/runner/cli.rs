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
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

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

/// A target directory for each scratch copy. Cargo locks a target directory
/// for the length of a build, so copies sharing one would build one at a
/// time, and the tests, which run side by side, would wait for each other.
fn target_dir(scratch: &Path) -> PathBuf {
    let name = scratch.file_name().expect("a scratch copy's directory");
    Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("course-cli/target")
        .join(name)
}

/// The runner, in English whatever the machine's locale.
fn runner(scratch: &Path, args: &[&str]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_course"));
    cmd.args(args)
        .env("COURSE_EXERCISES", scratch)
        .env("COURSE_TARGET_DIR", target_dir(scratch))
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
        target_dir: target_dir(scratch),
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

/// The runner with a terminal on its stdin (a pseudo-terminal), on which
/// `answer` and Enter are typed: what it printed, stdout then stderr.
fn answered(scratch: &Path, args: &[&str], answer: &str) -> String {
    let (terminal, mut keyboard) = demo_kit::testing::pty();
    writeln!(keyboard, "{answer}").unwrap();
    let mut child = runner(scratch, args)
        .stdin(terminal)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let ended = demo_kit::wait::until(Duration::from_secs(60), || child.try_wait().unwrap());
    if ended.is_none() {
        let _ = child.kill();
        let _ = child.wait();
        panic!("course {args:?} did not end after the answer {answer:?}");
    }
    text(&child.wait_with_output().unwrap())
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
/// exercise), with its own package name (as `verify` names its copies),
/// built in a target directory of its own (`target_dir`).
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

    // Solved: the check passes and the solution is shown. The solved text
    // is the solution's code followed by the exercise's own tests.
    let solved = course::catalog::solved_text(e, &dir.join("solutions")).unwrap();
    let tests_at = solved.find("\n#[cfg(test)]").expect("the exercise's tests");
    assert!(solved[..tests_at].contains("\"LISTEN\""), "{solved}");
    assert!(
        solved[tests_at..].contains("fn a_listener_listens()"),
        "{solved}"
    );
    std::fs::write(dir.join(e.path), &solved).unwrap();
    let out = course(&dir, &["check", "states"]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("done"));

    // Reset asks first; without a terminal it wants --yes.
    let out = course(&dir, &["reset", "states"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out).contains("--yes"));
    assert_eq!(std::fs::read_to_string(dir.join(e.path)).unwrap(), solved);
    // On a terminal it asks: "n" keeps the work, "y" restores the shipped text.
    let t = answered(&dir, &["reset", "states"], "n");
    assert!(t.contains("[y/N]") && t.contains("Nothing changed."), "{t}");
    assert_eq!(std::fs::read_to_string(dir.join(e.path)).unwrap(), solved);
    let t = answered(&dir, &["reset", "states"], "y");
    assert!(
        t.contains("exercises/01_first/states.rs is back as shipped."),
        "{t}"
    );
    assert_eq!(
        std::fs::read_to_string(dir.join(e.path)).unwrap(),
        course::catalog::pristine(e).unwrap()
    );
    std::fs::write(dir.join(e.path), &solved).unwrap();
    let out = course(&dir, &["reset", "states", "--yes"]);
    assert!(out.status.success(), "{}", text(&out));
    let pristine = course::catalog::pristine(e).unwrap();
    assert_eq!(std::fs::read_to_string(dir.join(e.path)).unwrap(), pristine);

    // Ten type errors: the next task shows the compiler's own messages,
    // their first 30 lines and how many more there are.
    let wrong: String = (0..10)
        .map(|i| format!("let _{i}: u8 = \"{i}\"; "))
        .collect();
    let broken = pristine.replace("todo!(\"name the state\")", &format!("{wrong}\"LISTEN\""));
    assert_ne!(broken, pristine);
    std::fs::write(dir.join(e.path), broken).unwrap();
    let out = course(&dir, &[]);
    let t = text(&out);
    assert!(
        t.contains("Next: states") && t.contains("✗ does not compile:"),
        "{t}"
    );
    assert!(t.contains("\n  error[E0308]: mismatched types\n"), "{t}");
    assert!(t.contains(" more lines\n"), "{t}");
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
    // Each row: the status, the catalog's topic and the lesson to read.
    let row = text(&out)
        .lines()
        .find(|l| l.contains("states"))
        .unwrap_or_default()
        .to_string();
    assert!(
        row.starts_with(" 1. states") && row.contains("✓ done"),
        "{row}"
    );
    assert!(
        row.contains(" 01 handshake ") && row.ends_with(" docs/01-handshake.md"),
        "{row}"
    );
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

    // Every exercise solved: all done, and nothing said of skips (none).
    solve(&dir, "adder");
    solve(&dir, "echo");
    let out = course(&dir, &[]);
    let t = text(&out);
    assert!(out.status.success(), "{t}");
    assert!(t.contains(&format!("{total}/{total} done")), "{t}");
    assert!(t.contains("All done! Every exercise passes."), "{t}");
    assert!(!t.contains("Next:") && !t.contains("skipped"), "{t}");
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
    // The bar: 30 columns, a third of them `~` for one skipped of three.
    let bar = format!(
        "[{}{}] 0/{total} done, 1 skipped",
        "~".repeat(10),
        "-".repeat(20)
    );
    assert!(t.contains(&bar), "{t}");
    let out = course(&dir, &[]);
    let t = text(&out);
    assert!(t.contains(&format!("Next: {}", exercises()[1].name)), "{t}");
    assert!(t.contains(&format!("0/{total} done, 1 skipped")), "{t}");
    assert!(t.contains("states           skipped: needs root"), "{t}");
    let out = course(&dir, &["check", "states"]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("skipped: needs root"), "{}", text(&out));
    assert!(text(&out).contains("not counted as done"), "{}", text(&out));

    // The others solved: all done, with a note of the skipped one.
    solve(&dir, "adder");
    solve(&dir, "echo");
    let out = course(&dir, &[]);
    let t = text(&out);
    assert!(out.status.success(), "{t}");
    let bar = format!(
        "[{}{}] 2/{total} done, 1 skipped",
        "#".repeat(20),
        "~".repeat(10)
    );
    assert!(t.contains(&bar), "{t}");
    assert!(t.contains("All done! Every exercise passes."), "{t}");
    assert!(
        t.contains("(1 skipped: not checked on this machine, see `list`)"),
        "{t}"
    );
}

/// What a running `watch` prints, as it comes: stdout a line at a time,
/// stderr as it is written.
struct Watching {
    lines: mpsc::Receiver<String>,
    seen: String,
}

/// The line that ends each of `watch`'s screens, in either language: it
/// then waits for a save. What a step makes `watch` print comes before it.
const PROMPTS: [&str; 2] = ["Watching for saves", "正在等待保存"];

impl Watching {
    /// Waits for `what`, which may need a build first: up to 180 s, for a
    /// cold one on a loaded machine. A screen that ends (its prompt) without
    /// it fails the test at once: a wrong runner fails in seconds, not at
    /// the bound.
    fn until(&mut self, what: &str) {
        self.wait(what, Duration::from_secs(180));
    }

    /// Waits for the prompt, which follows the progress line with nothing
    /// to build in between: 20 s is plenty on any machine.
    fn prompt(&mut self) {
        self.wait(PROMPTS[0], Duration::from_secs(20));
    }

    /// Waits for `checking` on stderr, which `watch` says as soon as it has
    /// noticed a save or Enter, before it builds: within 20 s, or it did
    /// not notice at all.
    fn noticed(&mut self) {
        self.wait("checking 1 exercise", Duration::from_secs(20));
    }

    fn wait(&mut self, what: &str, bound: Duration) {
        let deadline = Instant::now() + bound;
        loop {
            let at = self.seen.find(what);
            let screen_end = PROMPTS.iter().filter_map(|p| self.seen.find(p)).min();
            if let Some(at) = at {
                if PROMPTS.contains(&what) || screen_end.is_none_or(|end| at < end) {
                    // Later waits look only at what comes after.
                    self.seen.drain(..at + what.len());
                    return;
                }
            }
            if screen_end.is_some() && !PROMPTS.contains(&what) {
                panic!(
                    "watch ended a screen without {what:?}; it printed:\n{}",
                    self.seen
                );
            }
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(text) => self.seen.push_str(&text),
                Err(_) => panic!(
                    "watch never printed {what:?} within {bound:?}; it printed:\n{}",
                    self.seen
                ),
            }
        }
    }
}

/// A running `watch`, killed and reaped if the test fails half-way (it
/// would poll for saves for ever).
struct Child(std::process::Child);

impl Drop for Child {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// `course watch` on `dir`, with `stdin`, and what it prints.
fn watch(dir: &Path, stdin: Stdio) -> (Child, Watching) {
    let mut child = Child(
        runner(dir, &["watch"])
            .stdin(stdin)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap(),
    );
    let (tx, lines) = mpsc::channel();
    let stdout = child.0.stdout.take().unwrap();
    let to_lines = tx.clone();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            let _ = to_lines.send(format!("{line}\n"));
        }
    });
    // stderr as it comes: "checking 1 exercise(s)..." ends its line only
    // once the check is done.
    let mut stderr = child.0.stderr.take().unwrap();
    std::thread::spawn(move || {
        let mut buf = [0; 4096];
        while let Ok(n @ 1..) = stderr.read(&mut buf) {
            let _ = tx.send(String::from_utf8_lossy(&buf[..n]).into_owned());
        }
    });
    let w = Watching {
        lines,
        seen: String::new(),
    };
    (child, w)
}

/// `watch` as a student drives it: save a skipping exercise, then a
/// solution; it moves on each time and shows the progress. `h` shows the
/// hint and Enter checks again; `q` quits. Its stderr says `checking` as
/// soon as it has noticed a save (or Enter), before the build.
#[test]
fn watch_moves_on_past_a_pass_and_a_skip_with_the_progress() {
    let dir = scratch("watch");
    let total = exercises().len();
    let (mut child, mut w) = watch(&dir, Stdio::piped());
    w.until("Next: states");
    w.until(&format!("0/{total} done"));
    w.prompt();
    make_it_skip(&dir);
    w.noticed();
    w.until("states skipped: needs root");
    let (second, third) = (exercises()[1].name, exercises()[2].name);
    w.until(&format!("Next: {second}"));
    w.until(&format!("0/{total} done, 1 skipped"));
    w.prompt();
    let mut stdin = child.0.stdin.take().unwrap();
    writeln!(stdin, "h").unwrap();
    w.until(&format!("Hint for `{second}`"));
    writeln!(stdin).unwrap();
    w.noticed();
    w.until(&format!("Next: {second}"));
    w.prompt();
    solve(&dir, second);
    w.noticed();
    w.until(&format!("{second} passes!"));
    w.until(&format!("Next: {third}"));
    w.until(&format!("1/{total} done, 1 skipped"));
    w.prompt();
    writeln!(stdin, "q").unwrap();
    let ended = demo_kit::wait::until(Duration::from_secs(30), || child.0.try_wait().unwrap());
    assert!(
        ended.is_some_and(|s| s.success()),
        "watch did not quit on q"
    );

    // With nothing on stdin (closed) it still waits for a save, quietly;
    // when every exercise has passed or skipped it says all done and ends,
    // noting the skipped one only when there is one.
    let (mut child, mut w) = watch(&dir, Stdio::null());
    w.until(&format!("Next: {third}"));
    w.prompt();
    solve(&dir, third);
    w.noticed();
    w.until(&format!("{third} passes!"));
    w.until("All done! Every exercise passes.");
    w.until("(1 skipped: not checked on this machine, see `list`)");
    let ended = demo_kit::wait::until(Duration::from_secs(30), || child.0.try_wait().unwrap());
    assert!(ended.is_some_and(|s| s.success()), "watch did not end");
    // The first exercise passing moves on too; then all done, with no
    // note of skips (none).
    let states = find("states");
    let pristine = course::catalog::pristine(states).unwrap();
    std::fs::write(dir.join(states.path), pristine).unwrap();
    let (mut child, mut w) = watch(&dir, Stdio::null());
    w.until("Next: states");
    w.prompt();
    solve(&dir, "states");
    w.noticed();
    w.until("states passes!");
    w.until(&format!("{total}/{total} done"));
    w.until("All done! Every exercise passes.");
    let ended = demo_kit::wait::until(Duration::from_secs(30), || child.0.try_wait().unwrap());
    assert!(ended.is_some_and(|s| s.success()), "watch did not end");
    while let Ok(text) = w.lines.recv_timeout(Duration::from_secs(5)) {
        w.seen.push_str(&text);
    }
    assert!(!w.seen.contains("skipped"), "{}", w.seen);
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
    // The notes' name of the lesson, and its Chinese page; the column is
    // 24 wide on screen, where a Chinese character takes two.
    let row = t.lines().find(|l| l.contains("states")).unwrap_or_default();
    assert!(
        row.ends_with(" 01 三次握手与四次挥手    docs/zh-CN/01-handshake.md"),
        "{row}"
    );
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

/// `verify` on a scratch copy of the fixture, as a maintainer runs it; the
/// proof builds in a target directory of its own (`CARGO_TARGET_DIR`), so
/// that a second run with nothing changed compiles nothing.
fn verify_in(dir: &Path, target: &str) -> Output {
    runner(dir, &["verify"])
        .env("CARGO_TARGET_DIR", target_dir(dir).join(target))
        .output_within()
}

/// `verify` says each defect, one of each kind, and fails: here the copy's
/// `states` solution skips (as one needing root does), `adder`'s fails,
/// `echo`'s passes but is not clippy clean, and so is the test support.
#[test]
fn verify_shows_each_defect_and_fails() {
    let dir = scratch("verify-spoiled");
    for (file, text) in [
        (
            "solutions/01_first/states.rs",
            "fn after_listen() -> &'static str {\n    exercises::skip(\"needs root: run as root to check it\");\n    \"LISTEN\"\n}\n",
        ),
        (
            "solutions/02_second/adder.rs",
            "fn add(a: u32, b: u32) -> u32 {\n    a * b + 1\n}\n",
        ),
        (
            "solutions/03_third/echo.rs",
            "fn echo(bytes: &[u8]) -> Vec<u8> {\n    return bytes.to_vec();\n}\n",
        ),
    ] {
        std::fs::write(dir.join(file), text).unwrap();
    }
    let lib = dir.join("src/lib.rs");
    let support = std::fs::read_to_string(&lib).unwrap();
    let spoiled = "\n/// Not clippy clean.\npub fn one() -> u32 {\n    return 1;\n}\n";
    std::fs::write(&lib, format!("{support}{spoiled}")).unwrap();

    let out = verify_in(&dir, "verify-spoiled");
    let t = text(&out);
    assert_eq!(out.status.code(), Some(1), "{t}");
    let row = |name: &str| -> String {
        let row = t.lines().find(|l| l.starts_with(&format!("{name} ")));
        row.unwrap_or_else(|| panic!("no row for {name}:\n{t}"))
            .to_string()
    };
    let states = row("states");
    assert!(
        states.contains("fails (good)")
            && states.contains("skipped (not proven here: needs root: run as root to check it)")
            && states.ends_with("clean"),
        "{t}"
    );
    let adder = row("adder");
    assert!(
        adder.contains("fails (good)")
            && adder.contains("FAILS (defect)")
            && adder.ends_with("clean"),
        "{t}"
    );
    let echo = row("echo");
    assert!(
        echo.contains("fails (good)")
            && echo.contains("passes (good)")
            && echo.ends_with("WARNINGS"),
        "{t}"
    );
    assert!(t.contains("\nadder: solution fails:\n"), "{t}");
    assert!(t.contains("\necho: solution is not clippy clean:\n"), "{t}");
    // The test support's lint is the set's own problem; the stubs' are not.
    assert!(t.contains("\nclippy (exercises):\n"), "{t}");
    assert_eq!(t.matches("clippy (").count(), 1, "{t}");
    assert!(
        t.contains("1 exercise(s) skipped and were not proven here"),
        "{t}"
    );
    assert!(
        t.ends_with("error: some exercises are defective (see above)\n"),
        "{t}"
    );
}

/// `verify` on the fixture as shipped: every exercise fails untouched and
/// passes with its solution, and it says so and exits 0.
#[test]
fn verify_passes_a_sound_set() {
    let dir = scratch("verify-sound");
    let out = verify_in(&dir, "verify-sound");
    let t = text(&out);
    assert!(out.status.success(), "{t}");
    for e in exercises() {
        let row = t.lines().find(|l| l.starts_with(&format!("{} ", e.name)));
        let row = row.unwrap_or_else(|| panic!("no row for {}:\n{t}", e.name));
        assert!(
            row.contains("fails (good)") && row.contains("passes (good)") && row.ends_with("clean"),
            "{t}"
        );
    }
    assert!(
        t.contains("Every exercise fails untouched and passes with its solution."),
        "{t}"
    );
    assert!(!t.contains("not proven") && !t.contains("clippy ("), "{t}");
}
