//! The demo's claims, checked on real processes: start() returns while the
//! task has not run, join() reaps, a panic is status 101, the re-exec path
//! works, serial runs do not overlap, and nothing is left behind.

use demo_kit::procfs;
use nix::sys::wait::WaitStatus;
use spawn_demo::process::{now_ns, start, Run};
use spawn_demo::timing::{self, Mode};
use spawn_demo::{bench, respawn, speed};
use std::path::Path;
use std::process::Command;
use std::time::Duration;

const EXE: &str = env!("CARGO_BIN_EXE_spawn-demo");

#[test]
fn start_returns_before_the_task_runs_and_join_reaps() {
    let mut p = start(|| 0).unwrap();
    let pid = p.pid;
    // The child exists (it has a /proc entry and is not a zombie) while the
    // parent carries on: start() did not wait for anything.
    let st = procfs::stat(pid.as_raw()).expect("the child has a /proc entry before release");
    assert_ne!(st.state, 'Z', "child should be alive, blocked at the gate");
    assert_eq!(st.ppid, std::process::id() as i32);
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
    assert!(procfs::is_gone(pid.as_raw()), "join() reaped the child");
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
    assert!(
        procfs::is_gone(pid.as_raw()),
        "no zombie left: the drop reaped the child"
    );
}

#[test]
fn reexec_runs_only_the_hidden_task() {
    respawn::run_noop(Path::new(EXE)).unwrap();
    // stdin is /dev/null: end-of-file opens the child's start gate.
    let (code, text, err) = run_demo(&[respawn::HIDDEN, "course", "子进程2"]);
    assert_eq!(code, 0, "{text}\n{err}");
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
    let (code, _, err) = run_demo(&[respawn::HIDDEN, "bogus"]);
    assert_eq!(code, 1);
    assert_eq!(
        err,
        "error: `__child` is internal: the demo runs `__child noop` or `__child course NAME` itself\n"
    );
}

#[test]
fn serial_tasks_never_overlap_and_pinned_ones_do() {
    let rounds = timing::calibrate(Duration::from_millis(150));
    let serial = timing::run_two(Mode::Serial, rounds).unwrap();
    assert_eq!(serial.overlapped(), Some(false));
    let [a, b] = &serial.children;
    // B was forked only after A had been reaped.
    assert!(b.timeline.unwrap().alive_ns > a.timeline.unwrap().done_ns);
    // On one CPU the scheduler interleaves two 150 ms tasks (slices are
    // a few ms), so each runs while the other is unfinished.
    let cpu = timing::some_allowed_cpu().expect("this process may run on some CPU");
    let one_core = timing::run_two(Mode::OneCore(cpu), rounds).unwrap();
    assert_eq!(one_core.overlapped(), Some(true));
    // Started together, they overlap on one core or many.
    let parallel = timing::run_two(Mode::Parallel, rounds).unwrap();
    assert_eq!(parallel.overlapped(), Some(true));
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
    assert!(out.contains("no child left"), "{out}");
    let has_python = Command::new("python3").arg("--version").output().is_ok();
    assert_eq!(
        out.contains("Python Process, fork method:"),
        has_python,
        "{out}"
    );
    if !has_python {
        demo_kit::testing::skip("python3 is not installed: the bench's Python half is unchecked");
    }
}

#[test]
fn help_lists_the_bench() {
    let (code, out, _) = run_demo(&["--help"]);
    assert_eq!(code, 0);
    assert!(out.contains("--bench"), "{out}");
}

#[test]
fn a_non_number_is_refused_without_a_panic() {
    let (code, _, err) = run_demo(&["--work-ms", "abc"]);
    assert_eq!(code, 1);
    assert_eq!(
        err,
        "error: bad value \"abc\" for --work-ms: invalid digit found in string; see --help\n"
    );
}

#[test]
fn too_few_bench_runs_are_refused() {
    let (code, _, err) = run_demo(&["--runs", "1"]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("--runs must be between 10 and 5000"), "{err}");
}

/// The lesson's correction of "parallel ≈ 1×": the verdict follows the
/// measured ratio instead of declaring parallelism whenever it is under 1.5.
#[test]
fn the_parallel_verdict_follows_the_measured_ratio() {
    assert!(speed::verdict(2, 1.02).contains("ran in parallel, on two cores at once"));
    assert!(speed::verdict(2, 1.47).contains("two cores only part of the time"));
    assert!(speed::verdict(2, 1.95).contains("no second core was free"));
    assert!(speed::verdict(2, 4.09).starts_with("two tasks' time or more"));
    assert!(speed::verdict(1, 1.0).starts_with("one core only"));
}

/// On one core nothing can run in parallel, and the demo must say so.
#[test]
fn on_one_core_the_demo_says_parallel_cannot_win() {
    let cpu = timing::some_allowed_cpu().expect("this process may run on some CPU");
    if Command::new("taskset").arg("--version").output().is_err() {
        demo_kit::testing::skip("taskset (util-linux) is not installed");
        return;
    }
    let cpu = cpu.to_string();
    let (code, out, err) =
        demo_kit::testing::run_demo("taskset", &["-c", &cpu, EXE, "--work-ms", "30"]);
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(
        out.contains("CPU cores available to this process: 1"),
        "{out}"
    );
    assert!(
        out.contains("one core only: parallel cannot beat serial here"),
        "{out}"
    );
}
