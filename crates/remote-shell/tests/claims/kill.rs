//! Commands never outlive their reason to run: a timeout, a client that
//! hangs up, or the server stopping kill the command's whole process group,
//! and the server reaps it.

use crate::common::{assert_command_gone, ServerProc, PATIENCE};
use framing::{Codec, FrameError};
use nix::sys::signal::Signal;
use remote_shell::client::Client;
use remote_shell::framed_proto::{self, client_codec, COMMAND, STDOUT};
use remote_shell::Protocol;
use std::net::TcpStream;

/// Start `command` on a framed connection and return the pid it prints
/// first (`echo $$` = the shell, which leads the process group).
fn start_framed(client: &Client, command: &str) -> i32 {
    let mut stream: &TcpStream = client.stream();
    framed_proto::send(&mut stream, COMMAND, command.as_bytes()).unwrap();
    let frame = client_codec().read_frame(&mut stream).unwrap().unwrap();
    assert_eq!(frame[0], STDOUT, "first frame should be stdout");
    String::from_utf8_lossy(&frame[1..])
        .trim()
        .parse()
        .expect("a pid")
}

#[test]
fn a_timeout_kills_the_whole_process_group_framed() {
    let server = ServerProc::start(&["--timeout", "1"]);
    let mut c = Client::connect(server.addr, Protocol::Framed, None).unwrap();
    let (mut out, mut err) = (Vec::new(), Vec::new());
    // A background job too: killpg must reach it, not just the shell.
    let reply = c
        .run(
            b"sleep 31 & echo $$; sleep 30; echo never",
            &mut out,
            &mut err,
        )
        .unwrap();
    let exit = reply.exit.unwrap();
    assert!(exit.timed_out);
    let pid: i32 = String::from_utf8_lossy(&out).trim().parse().unwrap();
    assert_eq!(exit.pid, Some(pid));
    assert_command_gone(pid);
    server.expect_log(&format!("pid {pid} timed out: killed with all it started"));
    // The connection still works.
    let (mut out, mut err) = (Vec::new(), Vec::new());
    c.run(b"echo still here", &mut out, &mut err).unwrap();
    assert_eq!(out, b"still here\n");
}

/// A background job that gives up the output pipes (`>/dev/null &`) does
/// not keep the command "running", so no timeout would reach it: the server
/// kills what is left in the group as soon as the shell has exited.
#[test]
fn a_detached_background_job_dies_with_its_command() {
    let server = ServerProc::start(&["--timeout", "60"]);
    let mut c = Client::connect(server.addr, Protocol::Framed, None).unwrap();
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let reply = c
        .run(b"sleep 33 >/dev/null 2>&1 & echo $$", &mut out, &mut err)
        .unwrap();
    let exit = reply.exit.unwrap();
    assert_eq!(exit.code, Some(0), "the shell itself exits at once");
    let pid: i32 = String::from_utf8_lossy(&out).trim().parse().unwrap();
    assert_command_gone(pid);
}

#[test]
fn a_timeout_kills_the_command_course() {
    let server = ServerProc::start(&["--protocol", "course", "--timeout", "1"]);
    let mut c = Client::connect(server.addr, Protocol::Course, None).unwrap();
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let reply = c.run(b"echo $$; sleep 30", &mut out, &mut err).unwrap();
    assert!(reply.exit.unwrap().timed_out);
    let text = String::from_utf8_lossy(&out);
    assert!(text.contains("timed out"), "{text}");
    let pid: i32 = text.lines().last().unwrap().trim().parse().unwrap();
    assert_command_gone(pid);
}

#[test]
fn a_client_hanging_up_kills_its_command_framed() {
    let server = ServerProc::start(&["--timeout", "60"]);
    let client = Client::connect(server.addr, Protocol::Framed, None).unwrap();
    let pid = start_framed(&client, "echo $$; sleep 30");
    drop(client); // close: FIN reaches the server while the command runs
    assert_command_gone(pid);
    server.expect_log(&format!("pid {pid} lost its client"));
}

#[test]
fn a_client_hanging_up_kills_its_command_course() {
    let server = ServerProc::start(&["--protocol", "course", "--timeout", "60"]);
    let file = std::env::temp_dir().join(format!(
        "remote-shell-test-pid-{}-{}",
        nix::unistd::getuid(),
        std::process::id()
    ));
    let _ = std::fs::remove_file(&file);
    let mut stream = TcpStream::connect(server.addr).unwrap();
    let cmd = format!("echo $$ > {}; sleep 30", file.display());
    std::io::Write::write_all(&mut stream, cmd.as_bytes()).unwrap();
    let pid: i32 = demo_kit::wait::until(PATIENCE, || {
        std::fs::read_to_string(&file).ok()?.trim().parse().ok()
    })
    .expect("the command wrote its pid");
    let _ = std::fs::remove_file(&file);
    drop(stream);
    assert_command_gone(pid);
    server.expect_log(&format!("pid {pid} lost its client"));
}

#[test]
fn sigint_stops_the_server_cleanly_with_no_child_left() {
    let mut server = ServerProc::start(&["--timeout", "60"]);
    let busy = Client::connect(server.addr, Protocol::Framed, None).unwrap();
    let pid = start_framed(&busy, "echo $$; sleep 30");
    let _idle = Client::connect(server.addr, Protocol::Framed, None).unwrap();
    server.signal(Signal::SIGINT);
    let (status, took) = server.wait_exit(PATIENCE).expect("the server did not exit");
    eprintln!("server stopped {took:?} after SIGINT");
    assert_eq!(status.code(), Some(0), "exit status {status:?}");
    assert_command_gone(pid);
    // The log says so, in this order: the command reaped, and only then
    // "stopped". (Who stops the command is a race: its connection thread,
    // which sees the stop flag too, or the accept loop, which then logs
    // "told 1 keeper(s)": either is right.)
    let log = server.log();
    let at = |needle: &str| {
        log.iter()
            .position(|l| l.contains(needle))
            .unwrap_or_else(|| panic!("no {needle:?} in the log:\n{}", log.join("\n")))
    };
    let reaped = at(&format!(
        "pid {pid} server stopping: killed with all it started"
    ));
    let stopped = at("stopped: every connection closed, every command reaped");
    assert!(reaped < stopped, "{}", log.join("\n"));
    at("exiting cleanly after 2 connection(s)");
    // The busy client sees the connection end (a close, or a reset if the
    // server left bytes unread) instead of hanging: the read timeout, which
    // ends a hang, is not an end.
    let mut stream: &TcpStream = busy.stream();
    stream.set_read_timeout(Some(PATIENCE)).unwrap();
    let end = Codec::network().read_frame(&mut stream);
    let ended = match &end {
        Ok(None) => true,
        Err(FrameError::Io(e)) => e.kind() == std::io::ErrorKind::ConnectionReset,
        _ => false,
    };
    assert!(ended, "the busy client's connection did not end: {end:?}");
}

#[test]
fn sigterm_stops_an_idle_server_with_exit_zero() {
    let mut server = ServerProc::start(&["--protocol", "course"]);
    let _idle = TcpStream::connect(server.addr).unwrap();
    server.expect_log("connected");
    server.signal(Signal::SIGTERM);
    let (status, _) = server.wait_exit(PATIENCE).expect("the server did not exit");
    assert_eq!(status.code(), Some(0));
    server.expect_log("stopped: every connection closed, every command reaped");
    server.expect_log("exiting cleanly after 1 connection(s)");
    let log = server.log();
    assert!(
        !log.iter().any(|l| l.contains("told")),
        "no command ran, no keeper to tell: {log:?}"
    );
}

/// What the server's stop relies on for a connection thread that is stuck:
/// while a command runs, its keeper (the shell's parent) is in the running
/// registry; `stop_all` tells it, and the keeper kills the command and all
/// it started.
#[test]
fn the_running_registry_holds_a_busy_keeper_and_stops_it() {
    use remote_shell::exec::{self, Ending, Limits, OutputSink, Running, Stream};
    use std::sync::atomic::AtomicBool;
    use std::sync::{mpsc, Arc};
    /// Hands each chunk of output to the test as it arrives.
    struct Tell(mpsc::Sender<Vec<u8>>);
    impl OutputSink for Tell {
        fn output(&mut self, _: Stream, bytes: &[u8]) -> std::io::Result<()> {
            let _ = self.0.send(bytes.to_vec());
            Ok(())
        }
    }
    let running = Arc::new(Running::default());
    let (chunks, output) = mpsc::channel();
    let (done, ended) = mpsc::channel();
    let registry = Arc::clone(&running);
    std::thread::spawn(move || {
        let stop = AtomicBool::new(false);
        let limits = Limits {
            timeout: PATIENCE,
            stop: &stop,
            peer: None,
            running: Some(&registry),
        };
        let _ = done.send(exec::run(
            b"echo $$ $PPID; exec sleep 30",
            &limits,
            &mut Tell(chunks),
        ));
    });
    let line = output
        .recv_timeout(PATIENCE)
        .expect("the command's first line");
    let line = String::from_utf8(line).unwrap();
    let pids: Vec<i32> = line
        .split_whitespace()
        .map(|p| p.parse().unwrap())
        .collect();
    let (shell, keeper) = (pids[0], pids[1]);
    assert_eq!(
        running.snapshot(),
        vec![keeper],
        "the busy keeper is registered"
    );
    assert_eq!(running.stop_all(), 1, "one keeper told");
    let outcome = ended.recv_timeout(PATIENCE).expect("the run did not end");
    // The keeper SIGKILLs the shell's group and reports how the shell died.
    assert_eq!(
        outcome.expect("the keeper's report").ending,
        Ending::Signaled(9)
    );
    assert_command_gone(shell);
    assert_eq!(
        running.snapshot(),
        Vec::<i32>::new(),
        "no longer registered"
    );
}

/// A stopping server shuts its connections down, which looks to a running
/// command's loop like its client leaving. When both come together (the
/// flag set while the loop waits in `poll`, then the socket shut down), the
/// command's end is named for the real reason: the server stopping.
#[test]
fn a_stop_seen_as_a_hang_up_is_named_a_stop() {
    use remote_shell::exec::{self, Collect, Ending, Limits};
    use std::os::fd::AsFd;
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::{mpsc, Arc};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let client = TcpStream::connect(listener.local_addr().unwrap()).unwrap();
    let (conn, _) = listener.accept().unwrap();
    let stop = Arc::new(AtomicBool::new(false));
    let flag = Arc::clone(&stop);
    let (started, tid) = mpsc::channel();
    let (done, ended) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = started.send(nix::unistd::gettid().as_raw());
        let limits = Limits {
            timeout: PATIENCE,
            stop: &flag,
            peer: Some(conn.as_fd()),
            running: None,
        };
        let _ = done.send(exec::run(
            b"exec sleep 37",
            &limits,
            &mut Collect::default(),
        ));
    });
    let tid = tid.recv_timeout(PATIENCE).unwrap();
    // The loop waits in poll (a sleeping thread) once the command runs: a
    // child of ours (the keeper) has a child (the shell, become `sleep 37`).
    let asleep_in_poll = demo_kit::wait::until(PATIENCE, || {
        let sleeping = demo_kit::procfs::stat(tid).is_some_and(|s| s.state == 'S');
        (sleeping && sleep_runs_below(std::process::id() as i32)).then_some(())
    });
    assert!(asleep_in_poll.is_some(), "the command never started");
    stop.store(true, Ordering::SeqCst);
    client.shutdown(std::net::Shutdown::Write).unwrap();
    let outcome = ended.recv_timeout(PATIENCE).expect("the run did not end");
    assert_eq!(
        outcome.expect("the keeper's report").ending,
        Ending::Stopped
    );
}

/// Whether `sleep 37` (this test's command; no other test runs it) runs
/// among the grandchildren of `pid`.
fn sleep_runs_below(pid: i32) -> bool {
    let all: Vec<_> = std::fs::read_dir("/proc")
        .unwrap()
        .filter_map(|e| e.ok()?.file_name().to_str()?.parse::<i32>().ok())
        .filter_map(demo_kit::procfs::stat)
        .collect();
    let children: Vec<i32> = all
        .iter()
        .filter(|s| s.ppid == pid)
        .map(|s| s.pid)
        .collect();
    all.iter().any(|s| {
        children.contains(&s.ppid)
            && std::fs::read(format!("/proc/{}/cmdline", s.pid))
                .is_ok_and(|c| c == b"sleep\x0037\0")
    })
}
