//! Runs the demo binary: it ends by itself, and with `--forever` it stops on
//! a real SIGINT, drains, prints equal totals and exits 0, leaving no child.

use demo_kit::testing::{number_after, run_demo};
use nix::sys::signal::{kill, killpg, Signal};
use nix::unistd::Pid;
use std::io::{BufRead, BufReader};
use std::os::unix::process::CommandExt;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{channel, Receiver};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_producer-consumer-demo");

/// A `--forever` demo under test. If the test fails before the demo has
/// exited, dropping this kills it (with `--processes`, its whole process
/// group), so a failing test leaves nothing running.
struct Running {
    child: Child,
    group: bool,
}

impl Drop for Running {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let pid = Pid::from_raw(self.child.id() as i32);
            if self.group {
                let _ = killpg(pid, Signal::SIGKILL);
            } else {
                let _ = kill(pid, Signal::SIGKILL);
            }
            let _ = self.child.wait();
        }
    }
}

fn totals_line(text: &str) -> (u64, u64) {
    let line = text
        .lines()
        .rev()
        .find(|l| l.contains("totals: produced"))
        .expect("no totals line");
    let produced = number_after(line, "produced ");
    let consumed = number_after(line, "consumed ");
    (produced, consumed)
}

#[test]
fn default_run_ends_by_itself_with_equal_totals_and_back_pressure() {
    let (code, text, err) = run_demo(BIN, &[]);
    assert_eq!(code, 0, "{text}\n{err}");
    assert_eq!(text.matches("produced = consumed").count(), 3, "{text}");
    assert!(
        text.contains(
            "back-pressure: 0 of 150 sends found the queue full and blocked (no waiting)"
        ),
        "{text}"
    );
    let step2 = text.split("step 2").nth(1).unwrap();
    let blocked: u64 = number_after(step2, "back-pressure: ");
    assert!(blocked > 0, "{text}");
    assert!(
        step2.contains(" of waiting summed over the producers"),
        "{text}"
    );
    assert_eq!(totals_line(&text), (150, 150));
}

/// `--ctrlc-pitfall` as a student runs it: what the parent saw of each
/// child, and the note on the silent child under step 1 only. (About 0.6 s:
/// each step waits 0.3 s to see that the parent's own handler did not run;
/// the binary's other tests take longer.)
#[test]
fn the_ctrlc_pitfall_tells_each_childs_fate() {
    let (code, out, err) = run_demo(BIN, &["--ctrlc-pitfall"]);
    assert_eq!(code, 0, "{out}\n{err}");
    let steps: Vec<&str> = out.split("\n── step ").skip(1).collect();
    assert_eq!(steps.len(), 2, "{out}");
    let silent = "the child silently ignored both";
    let expected: [&[&str]; 2] = [
        &[
            "status: SIGINT Caught, SIGTERM Caught",
            "SIGINT): child still alive: true",
            "the child died of it: false; my own Ctrl-C handler ran: false",
            silent,
            "it finally died of Some(SIGKILL) and was reaped",
        ],
        &[
            "status: SIGINT Ignored, SIGTERM Default",
            "SIGINT): child still alive: true",
            "the child died of it: true; my own Ctrl-C handler ran: false",
            "it died of Some(SIGTERM) and was reaped",
        ],
    ];
    for (step, lines) in steps.iter().zip(expected) {
        for line in lines {
            assert!(step.contains(line), "no {line:?} in:\n{step}");
        }
    }
    assert!(!steps[1].contains(silent), "{out}");
}

#[test]
fn help_lists_the_forever_mode() {
    let (code, out, _) = run_demo(BIN, &["--help"]);
    assert_eq!(code, 0);
    assert!(out.contains("--forever"), "{out}");
}

/// Refused with status 1 and an `error:` line naming the problem, no panic.
fn refused(args: &[&str], says: &str) {
    let (code, _, err) = run_demo(BIN, args);
    assert_eq!(code, 1, "{args:?}: {err}");
    assert!(
        err.starts_with("error: ") && !err.contains("panicked"),
        "{args:?}: {err}"
    );
    assert!(err.contains(says), "{args:?}: {err}");
}

#[test]
fn a_queue_of_capacity_zero_is_refused() {
    refused(&["--capacity", "0"], "--capacity must be between 1 and");
}

#[test]
fn a_non_number_is_refused() {
    refused(&["--items", "many"], "bad value \"many\" for --items");
}

#[test]
fn a_huge_item_count_is_refused_instead_of_overflowing() {
    // It used to overflow (a panic) or run for hours.
    refused(
        &["--items", "18446744073709551615"],
        "--items must be between 0 and 1000000",
    );
}

#[test]
fn processes_without_forever_is_refused_not_ignored() {
    refused(&["--processes"], "--processes goes with --forever");
}

/// Reads the child's stdout lines on a thread so every wait can be bounded.
fn lines(child: &mut Child) -> Receiver<String> {
    let (tx, rx) = channel();
    let out = BufReader::new(child.stdout.take().unwrap());
    std::thread::spawn(move || {
        for line in out.lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    rx
}

/// Collects lines until one contains `marker` (bounded).
fn read_until(rx: &Receiver<String>, marker: &str, all: &mut String) {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        let line = rx
            .recv_timeout(left)
            .unwrap_or_else(|_| panic!("no {marker:?} within 30 s:\n{all}"));
        all.push_str(&line);
        all.push('\n');
        if line.contains(marker) {
            return;
        }
    }
}

/// Waits (bounded) for the binary to exit; kills it if it does not.
fn wait_exit(
    child: &mut Child,
    rx: &Receiver<String>,
    all: &mut String,
) -> std::process::ExitStatus {
    let status = demo_kit::wait::until(Duration::from_secs(30), || child.try_wait().unwrap());
    let status = status.unwrap_or_else(|| {
        let _ = child.kill();
        let _ = child.wait();
        panic!("the demo did not exit within 30 s after SIGINT:\n{all}");
    });
    while let Ok(line) = rx.recv_timeout(Duration::from_secs(5)) {
        all.push_str(&line);
        all.push('\n');
    }
    status
}

#[test]
fn threads_forever_stop_on_sigint_and_lose_nothing() {
    let mut demo = Running {
        child: Command::new(BIN)
            .args(["--forever", "--lang", "en"]) // the lines read are English
            .env("NO_COLOR", "1")
            .stdout(Stdio::piped())
            .spawn()
            .unwrap(),
        group: false,
    };
    let child = &mut demo.child;
    let rx = lines(child);
    let mut all = String::new();
    read_until(&rx, "press Ctrl-C", &mut all);
    read_until(&rx, "so far: produced", &mut all); // it is really running
    kill(Pid::from_raw(child.id() as i32), Signal::SIGINT).unwrap();
    let status = wait_exit(child, &rx, &mut all);
    assert!(status.success(), "{status:?}\n{all}");
    let (produced, consumed) = totals_line(&all);
    assert!(produced > 0, "{all}");
    assert_eq!(produced, consumed, "{all}");
    assert!(all.contains("produced = consumed"), "{all}");
}

#[test]
fn processes_forever_stop_on_terminal_style_sigint_and_leave_nothing() {
    // Its own process group, so that we can send SIGINT to the whole group
    // the way a terminal's Ctrl-C does — children included.
    let mut demo = Running {
        child: Command::new(BIN)
            .args(["--forever", "--processes", "--lang", "en"]) // the lines read are English
            .env("NO_COLOR", "1")
            .stdout(Stdio::piped())
            .process_group(0)
            .spawn()
            .unwrap(),
        group: true,
    };
    let child = &mut demo.child;
    let rx = lines(child);
    let mut all = String::new();
    read_until(&rx, "press Ctrl-C", &mut all);
    let pids: Vec<i32> = all
        .lines()
        .find(|l| l.contains("forked consumers"))
        .unwrap()
        .split(|c: char| !c.is_ascii_digit())
        .filter_map(|w| w.parse().ok())
        .collect();
    assert_eq!(pids.len(), 5, "{all}");
    std::thread::sleep(Duration::from_millis(300)); // let items flow
    killpg(Pid::from_raw(child.id() as i32), Signal::SIGINT).unwrap();
    let status = wait_exit(child, &rx, &mut all);
    assert!(status.success(), "{status:?}\n{all}");
    let (produced, consumed) = totals_line(&all);
    assert!(
        produced > 0,
        "items flowed, so the equality is not 0 = 0: {all}"
    );
    assert_eq!(produced, consumed, "{all}");
    assert_eq!(all.matches("exit code Some(0)").count(), 5, "{all}");
    for pid in pids {
        assert!(
            demo_kit::procfs::is_gone(pid),
            "child {pid} left behind\n{all}"
        );
    }
}
