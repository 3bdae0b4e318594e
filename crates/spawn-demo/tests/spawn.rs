//! The demo's claims, checked on real processes: start() returns while the
//! task has not run, join() reaps, a panic is status 101, the re-exec path
//! works, serial runs do not overlap, and nothing is left behind.
#![cfg(unix)]

use demo_kit::procfs;
use demo_kit::testing::OutputWithin;
use nix::sys::wait::WaitStatus;
use spawn_demo::process::{now_ns, start, Run};
use spawn_demo::timing::{self, Mode};
use spawn_demo::{bench, respawn};
use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

const EXE: &str = env!("CARGO_BIN_EXE_spawn-demo");

#[test]
fn start_returns_before_the_task_runs_and_join_reaps() {
    let mut p = start(|| 0).unwrap();
    let pid = p.pid;
    // The child exists (it has a /proc entry and is not a zombie) while the
    // parent carries on: start() did not wait for anything.
    if let Some(st) = procfs::stat(pid.as_raw()) {
        assert_ne!(st.state, 'Z', "child should be alive, blocked at the gate");
        assert_eq!(st.ppid, std::process::id() as i32);
    }
    let before_release = now_ns();
    p.release().unwrap();
    let done = p.join().unwrap();
    assert_eq!(done.status, WaitStatus::Exited(pid, 0));
    let t = done.timeline.expect("child reported its timeline");
    assert!(
        t.released_ns >= before_release,
        "the task began only after the gate opened"
    );
    assert!(t.alive_ns <= t.released_ns && t.released_ns <= t.done_ns);
    assert!(procfs::is_gone(pid.as_raw()) || !Path::new("/proc/self").exists());
}

#[test]
fn closure_arguments_reach_the_child() {
    let x = 42;
    let done = start(move || x).unwrap().join().unwrap();
    assert_eq!(done.exit_code(), 42);
}

struct Seven;
impl Run for Seven {
    fn run(&self) -> i32 {
        7
    }
}

#[test]
fn the_run_trait_starts_the_same_way() {
    let done = Seven.start().unwrap().join().unwrap();
    assert_eq!(done.status, WaitStatus::Exited(done.pid, 7));
}

#[test]
fn a_panic_in_the_child_is_status_101() {
    let done = start(|| panic!("boom in the child"))
        .unwrap()
        .join()
        .unwrap();
    assert_eq!(done.exit_code(), 101);
    assert!(done.timeline.is_none(), "a panicking child reports nothing");
}

#[test]
fn dropping_a_started_child_still_reaps_it() {
    let pid = start(|| 0).unwrap().pid; // the Started is dropped here
    assert!(procfs::is_gone(pid.as_raw()) || !Path::new("/proc/self").exists());
}

#[test]
fn reexec_runs_only_the_hidden_task() {
    respawn::run_noop(Path::new(EXE)).unwrap();
    let mut child = Command::new(EXE)
        .args([respawn::HIDDEN, "course", "子进程2"])
        .env("NO_COLOR", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(b"go\n").unwrap();
    let out = child.wait_with_output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}");
    assert!(text.contains("[child] 子进程2 is running"), "{text}");
    assert!(
        text.contains(&format!("parent {}", std::process::id())),
        "{text}"
    );
    assert!(
        !text.contains("step 1"),
        "the re-executed child must not run the demo: {text}"
    );
}

#[test]
fn reexec_with_an_unknown_task_fails_cleanly() {
    let out = Command::new(EXE)
        .args([respawn::HIDDEN, "bogus"])
        .output_within();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).starts_with("error: "));
}

#[test]
fn serial_tasks_never_overlap_and_pinned_ones_do() {
    let rounds = timing::calibrate(Duration::from_millis(150));
    let serial = timing::run_two(Mode::Serial, rounds).unwrap();
    assert_eq!(serial.overlapped(), Some(false));
    let [a, b] = &serial.children;
    // B was forked only after A had been reaped.
    assert!(b.timeline.unwrap().alive_ns > a.timeline.unwrap().done_ns);
    if let Some(cpu) = timing::some_allowed_cpu() {
        // On one CPU the scheduler interleaves two 150 ms tasks (slices are
        // a few ms), so each runs while the other is unfinished.
        let one_core = timing::run_two(Mode::OneCore(cpu), rounds).unwrap();
        assert_eq!(one_core.overlapped(), Some(true));
    }
    let parallel = timing::run_two(Mode::Parallel, rounds).unwrap();
    assert!(parallel.spans().is_some());
}

#[test]
fn bench_functions_measure_something() {
    assert!(bench::fork_exit_wait(10).unwrap() > Duration::ZERO);
    assert!(bench::start_join(10).unwrap() > Duration::ZERO);
    assert!(bench::reexec(Path::new(EXE), 3).unwrap() > Duration::ZERO);
    let mut v = vec![
        Duration::from_micros(5),
        Duration::from_micros(1),
        Duration::from_micros(3),
    ];
    assert_eq!(bench::median(&mut v), Duration::from_micros(3));
}

fn run_demo(args: &[&str]) -> (i32, String, String) {
    demo_kit::testing::run_demo(EXE, args)
}

#[test]
fn the_demo_prints_main_first_and_leaves_no_child() {
    let (code, out, err) = run_demo(&["--work-ms", "30"]);
    assert_eq!(code, 0, "stdout:\n{out}\nstderr:\n{err}");
    for name in ["子进程", "子进程1", "子进程2"] {
        let main_at = out.find("[parent] 主").unwrap();
        let running = out.find(&format!("[child] {name} is running")).unwrap();
        assert!(main_at < running, "主 must come first:\n{out}");
    }
    // 主 precedes each child's first line, not just the first one.
    let mains: Vec<_> = out.match_indices("[parent] 主").map(|(i, _)| i).collect();
    let runs: Vec<_> = out.match_indices(" is running").map(|(i, _)| i).collect();
    assert_eq!(mains.len(), 3, "{out}");
    assert!(mains.iter().zip(&runs).all(|(m, r)| m < r), "{out}");
    assert!(
        out.contains("CPU cores available to this process: "),
        "{out}"
    );
    assert!(
        out.contains("no child left: waitpid(-1, WNOHANG) says ECHILD"),
        "{out}"
    );
    assert!(!out.contains('\x1b'), "NO_COLOR must disable colours");
}

#[test]
fn the_bench_runs_and_compares_with_python_when_present() {
    let (code, out, err) = run_demo(&["--bench", "--runs", "10"]);
    assert_eq!(code, 0, "stdout:\n{out}\nstderr:\n{err}");
    assert!(out.contains("fork() + _exit(0) + waitpid():"), "{out}");
    let has_python = Command::new("python3").arg("--version").output().is_ok();
    assert_eq!(
        out.contains("Python Process, fork method:"),
        has_python,
        "{out}"
    );
    assert!(out.contains("no child left"), "{out}");
}

#[test]
fn help_and_bad_input() {
    let (code, out, _) = run_demo(&["--help"]);
    assert_eq!(code, 0);
    assert!(out.contains("--bench"));
    let (code, _, err) = run_demo(&["--work-ms", "abc"]);
    assert_eq!(code, 1);
    assert!(
        err.starts_with("error: ") && !err.contains("panicked"),
        "{err}"
    );
    let (code, _, err) = run_demo(&["--runs", "1"]);
    assert_eq!(code, 1, "{err}");
}
