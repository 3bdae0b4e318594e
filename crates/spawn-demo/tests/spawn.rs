//! The demo's claims, checked on real processes: start() returns while the
//! task has not run, join() reaps, a panic is status 101, the re-exec path
//! works, serial runs do not overlap, and nothing is left behind. The start
//! gate has its own file (gate.rs, gate_eintr.rs), the narration too
//! (narration.rs).

use demo_kit::procfs;
use nix::sys::wait::WaitStatus;
use spawn_demo::process::{now_ns, start, ChildTimeline, Run, Started};
use spawn_demo::timing::{self, Mode};
use spawn_demo::{bench, respawn};
use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

const EXE: &str = env!("CARGO_BIN_EXE_spawn-demo");

/// Held by every test here that forks. A forked child holds a copy of
/// every descriptor open in its parent at that instant, `O_CLOEXEC` or not
/// (that flag acts only at `execve`; fork(2)). With tests forking at once
/// in this process, a child of one test keeps another test's gate open: a
/// child waiting for that gate's end of file (a `start_together` gate, or
/// any gate whose release is broken) waits as long, and two such, each
/// holding the other's gate, wait for ever. (The demo itself has one
/// thread, so it cannot happen there.)
static FORKING: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn one_at_a_time() -> std::sync::MutexGuard<'static, ()> {
    FORKING
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// `release()` then `join()`, but never waiting for ever: first the child
/// must end (become a zombie) within 30 s. A child that hangs (a forked
/// child that panics can deadlock on a lock another thread held at fork
/// time) fails the test, and dropping the `Started` kills and reaps it.
fn join_within(mut p: Started) -> spawn_demo::process::Finished {
    p.release().unwrap();
    let pid = p.pid.as_raw();
    let ended = demo_kit::wait::until(Duration::from_secs(30), || {
        procfs::stat(pid).filter(|s| s.state == 'Z')
    });
    assert!(ended.is_some(), "child {pid} did not end within 30 s");
    p.join().unwrap()
}

#[test]
fn now_ns_reads_clock_monotonic() {
    let mono = || {
        let mut ts = nix::libc::timespec {
            tv_sec: 0,
            tv_nsec: 0,
        };
        // SAFETY: `ts` is a valid timespec.
        let r = unsafe { nix::libc::clock_gettime(nix::libc::CLOCK_MONOTONIC, &mut ts) };
        assert_eq!(r, 0);
        Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32).as_nanos() as u64
    };
    for _ in 0..3 {
        let before = mono();
        let now = now_ns();
        let after = mono();
        assert!(
            before <= now && now <= after,
            "{before} <= {now} <= {after}"
        );
    }
}

#[test]
fn a_timeline_travels_as_24_bytes() {
    let t = ChildTimeline {
        alive_ns: 1,
        released_ns: 2 << 40,
        done_ns: u64::MAX - 7,
    };
    let bytes = t.to_bytes();
    assert_eq!(bytes[..8], 1u64.to_ne_bytes());
    assert_eq!(ChildTimeline::from_bytes(&bytes), Some(t));
    assert_eq!(ChildTimeline::from_bytes(&bytes[..16]), None);
}

#[test]
fn start_returns_before_the_task_runs_and_join_reaps() {
    let _forking = one_at_a_time();
    let p = start(|| 0).unwrap();
    let pid = p.pid;
    // The child exists (it has a /proc entry and is not a zombie) while the
    // parent carries on: start() did not wait for anything.
    let st = procfs::stat(pid.as_raw()).expect("the child has a /proc entry before release");
    assert_ne!(st.state, 'Z', "child should be alive, blocked at the gate");
    assert_eq!(st.ppid, std::process::id() as i32);
    let before_release = now_ns();
    let done = join_within(p);
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
    let _forking = one_at_a_time();
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
    let _forking = one_at_a_time();
    let done = Seven.start().unwrap().join().unwrap();
    assert_eq!(done.status, WaitStatus::Exited(done.pid, 7));
}

#[test]
fn a_panic_in_the_child_is_status_101() {
    let _forking = one_at_a_time();
    let done = join_within(start(|| panic!("boom in the child")).unwrap());
    assert_eq!(done.exit_code(), 101);
    assert!(done.timeline.is_none(), "a panicking child reports nothing");
}

#[test]
fn dropping_a_started_child_still_reaps_it() {
    let _forking = one_at_a_time();
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
fn a_failed_reexec_is_an_error() {
    // `false __child noop` exits with 1; a program that does not exist
    // cannot be started at all. The errors in English, whatever the
    // locale (no test of this binary asks for Chinese in-process).
    demo_kit::lang::set(demo_kit::lang::Lang::En);
    let err = respawn::run_noop(Path::new("false")).unwrap_err();
    assert_eq!(
        err.to_string(),
        "the re-executed no-op child ended with exit status: 1"
    );
    let missing = Path::new("/nonexistent/spawn-demo");
    let err = respawn::run_noop(missing).unwrap_err();
    assert!(
        err.to_string()
            .starts_with("re-executing /nonexistent/spawn-demo"),
        "{err}"
    );
}

/// `release` writes the go-ahead and closes our end of the child's stdin:
/// the child runs and ends while the parent still holds its `Child`,
/// without `wait()` (which would close stdin itself) being called.
#[test]
fn release_lets_a_reexecuted_child_run() {
    let mut child = respawn::course_task(Path::new(EXE), "子进程9")
        .env("LC_ALL", "C.UTF-8") // English, whatever the test's locale
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    respawn::release(&mut child).unwrap();
    let ended = demo_kit::wait::until(Duration::from_secs(30), || child.try_wait().unwrap());
    if ended.is_none() {
        let _ = child.kill();
        let _ = child.wait();
        panic!("the re-executed child was not released: still waiting after 30 s");
    }
    assert!(ended.unwrap().success());
    let mut out = String::new();
    std::io::Read::read_to_string(&mut child.stdout.take().unwrap(), &mut out).unwrap();
    assert!(out.contains("子进程9 is running"), "{out}");
    assert!(out.contains("子进程9 is done"), "{out}");
}

#[test]
fn reexec_with_an_unknown_task_fails_cleanly() {
    let internal = "error: `__child` is internal: the demo runs `__child noop` or `__child course NAME` itself\n";
    for args in [
        &[respawn::HIDDEN, "bogus"][..],
        &[respawn::HIDDEN, "bogus", "x"],
        &[respawn::HIDDEN, "noop", "x"],
        &[respawn::HIDDEN],
    ] {
        let (code, out, err) = run_demo(args);
        assert_eq!(
            (code, out.as_str(), err.as_str()),
            (1, "", internal),
            "{args:?}"
        );
    }
}

#[test]
fn serial_tasks_never_overlap_and_pinned_ones_do() {
    let _forking = one_at_a_time();
    let rounds = spawn_demo::work::calibrate(Duration::from_millis(150));
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

/// The calibrated task lasts about as long as asked: at least a quarter of
/// it (a busy machine makes a run longer, never shorter; only a calibration
/// on a busier moment than the run could make it shorter, and not by 4x).
#[test]
fn a_calibrated_task_takes_about_the_time_asked() {
    let target = Duration::from_millis(40);
    let rounds = spawn_demo::work::calibrate(target);
    let started = std::time::Instant::now();
    std::hint::black_box(spawn_demo::work::burn(rounds));
    let took = started.elapsed();
    assert!(
        took >= target / 4,
        "{rounds} rounds took {took:?}, asked {target:?}"
    );
}

/// A child that cannot pin itself (a CPU that does not exist) exits with 3,
/// and the run says why.
#[test]
fn a_failed_pin_is_reported() {
    let _forking = one_at_a_time();
    let cpu = nix::libc::CPU_SETSIZE as usize - 1;
    let err = timing::run_two(Mode::OneCore(cpu), 1).unwrap_err();
    let text = err.to_string();
    assert!(text.starts_with("child "), "{text}");
    assert!(
        text.ends_with("could not pin itself to CPU: sched_setaffinity failed"),
        "{text}"
    );
}

#[test]
fn bench_functions_measure_something() {
    let _forking = one_at_a_time();
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
