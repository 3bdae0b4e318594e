//! Shared by the integration tests: a real server process on 127.0.0.1:0
//! that is always killed and reaped, and /proc helpers.
#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Generous: the CI machine has 2 cores and runs many test binaries.
pub const PATIENCE: Duration = Duration::from_secs(30);

/// A `remote-shell server` child process. Drop kills and reaps it.
pub struct ServerProc {
    child: Option<Child>,
    pub addr: SocketAddr,
    lines: Arc<Mutex<Vec<String>>>,
}

impl ServerProc {
    /// Start `remote-shell server --addr 127.0.0.1:0 ARGS...` and read the
    /// bound address from its first line.
    pub fn start(args: &[&str]) -> ServerProc {
        ServerProc::start_with(args, &[])
    }

    pub fn start_with(args: &[&str], env: &[(&str, &str)]) -> ServerProc {
        ServerProc::start_mode("server", args, env)
    }

    /// Start `remote-shell MODE --addr 127.0.0.1:0 ARGS...`.
    pub fn start_mode(mode: &str, args: &[&str], env: &[(&str, &str)]) -> ServerProc {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_remote-shell"));
        cmd.arg(mode);
        if !args.contains(&"--addr") {
            cmd.args(["--addr", "127.0.0.1:0"]);
        }
        let mut child = cmd
            .args(args)
            .envs(env.iter().copied())
            .env("NO_COLOR", "1")
            // English, whatever the learner's locale: the tests read its log.
            .env("LC_ALL", "C.UTF-8")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start the server binary");
        let stdout = child.stdout.take().expect("server stdout");
        let lines = Arc::new(Mutex::new(Vec::new()));
        let (tx, rx) = mpsc::channel();
        let store = Arc::clone(&lines);
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if let Some(rest) = line.split("listening on ").nth(1) {
                    let addr = rest.split_whitespace().next().unwrap_or("").to_string();
                    let _ = tx.send(addr);
                }
                store.lock().unwrap().push(line);
            }
        });
        let mut server = ServerProc {
            child: Some(child),
            addr: "127.0.0.1:1".parse().unwrap(),
            lines,
        };
        let addr = rx
            .recv_timeout(PATIENCE)
            .expect("the server printed no 'listening on' line");
        server.addr = addr.parse().expect("a socket address");
        server
    }

    pub fn pid(&self) -> i32 {
        self.child.as_ref().map(|c| c.id() as i32).unwrap_or(0)
    }

    /// All log lines so far.
    pub fn log(&self) -> Vec<String> {
        self.lines.lock().unwrap().clone()
    }

    /// Wait until a log line contains `needle`; panics with the log if not.
    pub fn expect_log(&self, needle: &str) -> String {
        let found = demo_kit::wait::until(PATIENCE, || {
            self.log().into_iter().find(|l| l.contains(needle))
        });
        found.unwrap_or_else(|| {
            panic!(
                "no log line with {needle:?}; log:\n{}",
                self.log().join("\n")
            )
        })
    }

    /// Send a signal to the server.
    pub fn signal(&self, sig: nix::sys::signal::Signal) {
        nix::sys::signal::kill(nix::unistd::Pid::from_raw(self.pid()), sig).expect("kill");
    }

    /// Wait (bounded) for the server to exit by itself.
    pub fn wait_exit(&mut self, timeout: Duration) -> Option<(ExitStatus, Duration)> {
        let start = Instant::now();
        let child = self.child.as_mut()?;
        let status = demo_kit::wait::until(timeout, || child.try_wait().ok().flatten())?;
        self.child = None;
        Some((status, start.elapsed()))
    }
}

impl Drop for ServerProc {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// Live (not zombie) processes whose process group is `pgid`.
pub fn group_members(pgid: i32) -> Vec<i32> {
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    dir.filter_map(|e| e.ok()?.file_name().to_str()?.parse::<i32>().ok())
        .filter_map(demo_kit::procfs::stat)
        .filter(|s| s.pgrp == pgid && s.state != 'Z')
        .map(|s| s.pid)
        .collect()
}

/// Wait until the shell `pid` is reaped (gone from /proc, not a zombie)
/// and nothing it started is left in its process group.
pub fn assert_command_gone(pid: i32) {
    let gone = demo_kit::wait::until(PATIENCE, || {
        (demo_kit::procfs::is_gone(pid) && group_members(pid).is_empty()).then_some(())
    });
    assert!(
        gone.is_some(),
        "pid {pid} still there: {:?}, group members {:?}",
        demo_kit::procfs::stat(pid),
        group_members(pid)
    );
}

/// Whether python3 runs here; if not, the test says `skipped: ...` (a
/// failure under CI) and must return.
pub fn python3() -> bool {
    let ok = Command::new("python3")
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .map(|s| s.success())
        .unwrap_or(false);
    if !ok {
        demo_kit::testing::skip("python3 is not on the PATH; the Python interop tests need it");
    }
    ok
}

/// The course notes' server, as in the notes (see peers/course_server.py).
pub const COURSE_SERVER: &str = include_str!("../peers/course_server.py");

/// The course's server on a port the kernel picks; its stdout is drained
/// (it prints every command) so it never blocks on a full pipe.
pub fn python_server() -> (Child, SocketAddr) {
    let mut child = Command::new("python3")
        .args(["-u", "-c", COURSE_SERVER, "0"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let port: u16 = lines.next().unwrap().unwrap().trim().parse().unwrap();
    std::thread::spawn(move || for _ in lines {});
    (child, SocketAddr::from(([127, 0, 0, 1], port)))
}

/// `wait_with_output`, but bounded: kill the peer if it hangs.
pub fn wait_output(child: Child, what: &str) -> std::process::Output {
    let pid = child.id() as i32;
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(child.wait_with_output());
    });
    match rx.recv_timeout(PATIENCE) {
        Ok(out) => out.unwrap(),
        Err(_) => {
            let _ = nix::sys::signal::kill(
                nix::unistd::Pid::from_raw(pid),
                nix::sys::signal::Signal::SIGKILL,
            );
            let out = rx.recv().unwrap().unwrap();
            panic!(
                "{what} hung; stderr: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
    }
}
