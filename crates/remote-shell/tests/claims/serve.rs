//! A real server process answering real clients on loopback: many at
//! once, large and binary output, the stderr flood that deadlocks the
//! course's server, and the `client` binary reading commands from stdin.

use crate::common::{ServerProc, PATIENCE};
use demo_kit::testing::OutputWithin;
use remote_shell::client::{self, Client};
use remote_shell::exec::{self, Collect, Ending, Limits, OutputSink, Stream};
use remote_shell::lossy::Lossy;
use remote_shell::Protocol;
use std::io::{Read, Write};
use std::os::unix::process::CommandExt;
use std::process::{Command, Stdio};
use std::sync::atomic::AtomicBool;
use std::sync::{mpsc, Arc, Barrier};

fn run(client: &mut Client, cmd: &str) -> (Vec<u8>, Vec<u8>, remote_shell::client::Reply) {
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let reply = client.run(cmd.as_bytes(), &mut out, &mut err).expect("run");
    (out, err, reply)
}

fn many_clients(protocol: &str, proto: Protocol) {
    let server = ServerProc::start(&["--protocol", protocol]);
    let n = 24;
    let barrier = Arc::new(Barrier::new(n));
    let handles: Vec<_> = (0..n)
        .map(|i| {
            let (addr, barrier) = (server.addr, Arc::clone(&barrier));
            std::thread::spawn(move || {
                let mut c = Client::connect(addr, proto, None).expect("connect");
                barrier.wait(); // all connected: the commands overlap
                for round in 0..3 {
                    let cmd = format!("sleep 0.1; echo out-{i}-{round}; echo err-{i} >&2");
                    let (out, err, reply) = run(&mut c, &cmd);
                    match proto {
                        Protocol::Framed => {
                            assert_eq!(out, format!("out-{i}-{round}\n").as_bytes());
                            assert_eq!(err, format!("err-{i}\n").as_bytes());
                        }
                        Protocol::Course => {
                            // stderr first, then stdout, all in one body
                            assert_eq!(out, format!("err-{i}\nout-{i}-{round}\n").as_bytes());
                        }
                    }
                    assert!(reply.exit.expect("exit status").success());
                }
            })
        })
        .collect();
    for h in handles {
        h.join().expect("a client thread failed");
    }
}

#[test]
fn twenty_four_concurrent_framed_clients_each_get_their_own_answer() {
    many_clients("framed", Protocol::Framed);
}

#[test]
fn twenty_four_concurrent_course_clients_each_get_their_own_answer() {
    many_clients("course", Protocol::Course);
}

#[test]
fn large_binary_and_non_utf8_output_pass_through_unchanged() {
    for (name, proto) in [("framed", Protocol::Framed), ("course", Protocol::Course)] {
        let server = ServerProc::start(&["--protocol", name]);
        let mut c = Client::connect(server.addr, proto, None).unwrap();
        // 3 MB: over the spool's memory limit in course mode.
        let (out, _, reply) = run(&mut c, "head -c 3000000 /dev/zero | tr '\\0' z");
        assert_eq!(out.len(), 3_000_000, "{name}");
        assert!(out.iter().all(|&b| b == b'z'));
        assert!(reply.exit.unwrap().success());
        let (out, _, _) = run(&mut c, "printf '\\377\\376\\000caf\\303\\251'");
        assert_eq!(out, b"\xff\xfe\x00caf\xc3\xa9", "{name}");
        let (out, _, _) = run(&mut c, "true");
        assert!(out.is_empty());
    }
}

#[test]
fn exit_status_and_signals_reach_the_framed_client() {
    let server = ServerProc::start(&[]);
    let mut c = Client::connect(server.addr, Protocol::Framed, None).unwrap();
    let exit = run(&mut c, "exit 3").2.exit.unwrap();
    assert_eq!((exit.code, exit.signal), (Some(3), None));
    assert!(!exit.success(), "exit 3 is a failure");
    let exit = run(&mut c, "kill -TERM $$").2.exit.unwrap();
    assert_eq!((exit.code, exit.signal), (None, Some(15)));
    assert!(!exit.success(), "a signal is a failure");
    // What the server refuses comes back as an error, not an exit.
    let reply = run(&mut c, "").2;
    assert_eq!(
        (reply.exit, reply.error.as_deref()),
        (None, Some("empty command"))
    );
}

/// The client's loop, as the course's (`exit` and the end of input stop
/// it, empty lines are skipped), says on stderr what went wrong with each
/// command, once: an exit status other than 0, a signal, a timeout, an
/// error from the framed server. A course server's error is an ordinary
/// reply body (the course has no error message), already printed, so it is
/// not repeated; a course command's exit status is still noted.
#[test]
fn the_client_loop_notes_each_failure_once() {
    demo_kit::lang::set(demo_kit::lang::Lang::En);
    let server = ServerProc::start(&["--timeout", "0.2"]);
    let mut c = Client::connect(server.addr, Protocol::Framed, None).unwrap();
    let input = b"true\nexit 3\n\nkill -TERM $$\nsleep 5\necho a\0b\nexit\necho never\n";
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let ran = client::interactive(&mut c, &mut &input[..], &mut out, &mut err, false).unwrap();
    assert_eq!(ran, 5, "five commands ran before `exit`");
    assert_eq!(
        String::from_utf8(err).unwrap(),
        "[exit status 3]\n[killed by signal 15]\n[timed out: the server killed the command]\n\
         [server error: cannot run: the command contains a NUL byte]\n"
    );

    let server = ServerProc::start(&["--protocol", "course"]);
    let mut c = Client::connect(server.addr, Protocol::Course, None).unwrap();
    let input = b"ls /no-such-dir 2>/dev/null\necho a\0b\n";
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let ran = client::interactive(&mut c, &mut &input[..], &mut out, &mut err, false).unwrap();
    assert_eq!(ran, 2);
    let (out, err) = (
        String::from_utf8(out).unwrap(),
        String::from_utf8(err).unwrap(),
    );
    assert_eq!(out, "remote-shell: the command contains a NUL byte\n");
    assert_eq!(
        err, "[exit status 2]\n",
        "the error printed once, in the output"
    );
}

/// `Lossy` passes a flush on to what it writes to.
#[test]
fn lossy_output_passes_a_flush_on() {
    struct Flushes(u32);
    impl Write for Flushes {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            self.0 += 1;
            Ok(())
        }
    }
    let mut inner = Flushes(0);
    Lossy::new(&mut inner).flush().unwrap();
    assert_eq!(inner.0, 1);
}

/// The course reads stdout to the end before reading stderr. A command
/// that writes more to stderr than a pipe holds (64 KiB with 4 KiB pages)
/// blocks, stdout never ends: deadlock. First show it happens with the course's order...
///
/// This one calls no code of ours: it is the kernel fact (a full pipe
/// blocks its writer, pipe(7)) that our poll() loop exists for, cited by
/// the lesson (docs/07-remote-shell-hardening.md, "The stdout-then-stderr
/// pipe deadlock"); the next test proves our side.
#[test]
fn the_course_read_order_deadlocks_on_a_stderr_flood() {
    let mut child = Command::new("/bin/sh")
        .args(["-c", "head -c 1000000 /dev/zero >&2; echo done"])
        .process_group(0)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = child.stdout.take().unwrap();
    let (tx, rx) = mpsc::channel();
    let reader = std::thread::spawn(move || {
        let mut all = Vec::new();
        let _ = stdout.read_to_end(&mut all); // stdout.read(), as in the course
        let _ = tx.send(all);
    });
    // The deadlock, seen in the kernel rather than waited for: nobody reads
    // the stderr pipe, so it fills to its capacity (FIONREAD = F_GETPIPE_SZ)
    // and the 1 MB writer blocks for good, short of the `echo done` that
    // would end stdout. Once it is full, stdout cannot end any more.
    let stderr = child.stderr.take().unwrap();
    let fd = std::os::fd::AsRawFd::as_raw_fd(&stderr);
    let capacity = nix::fcntl::fcntl(&stderr, nix::fcntl::FcntlArg::F_GETPIPE_SZ).unwrap();
    let full = demo_kit::wait::until(PATIENCE, || {
        let mut queued: nix::libc::c_int = 0;
        // SAFETY: FIONREAD writes one int into `queued`.
        let ok = unsafe { nix::libc::ioctl(fd, nix::libc::FIONREAD, &mut queued) } == 0;
        (ok && queued >= capacity).then_some(queued)
    });
    assert!(full.is_some(), "the stderr pipe never filled up");
    assert!(
        rx.try_recv().is_err(),
        "stdout ended although nobody read stderr?"
    );
    let group = nix::unistd::Pid::from_raw(child.id() as i32);
    nix::sys::signal::killpg(group, nix::sys::signal::Signal::SIGKILL).unwrap();
    child.wait().unwrap(); // reap
    drop(stderr); // (the shell's writers are dead now)
    reader.join().unwrap();
}

/// ... then that ours, reading both pipes with poll(), does not deadlock,
/// in the library and through both protocols.
#[test]
fn our_server_survives_the_stderr_flood() {
    let cmd = "head -c 1000000 /dev/zero >&2; echo done";
    let stop = AtomicBool::new(false);
    let limits = Limits {
        timeout: PATIENCE,
        stop: &stop,
        peer: None,
        running: None,
    };
    let mut sink = Collect::default();
    let outcome = exec::run(cmd.as_bytes(), &limits, &mut sink).unwrap();
    assert_eq!(outcome.ending, Ending::Exited(0));
    assert_eq!(
        (sink.stdout.as_slice(), sink.stderr.len()),
        (&b"done\n"[..], 1_000_000)
    );

    for (name, proto) in [("framed", Protocol::Framed), ("course", Protocol::Course)] {
        let server = ServerProc::start(&["--protocol", name, "--timeout", "60"]);
        let mut c = Client::connect(server.addr, proto, None).unwrap();
        let (out, err, reply) = run(&mut c, cmd);
        assert!(reply.exit.unwrap().success(), "{name}");
        assert_eq!(out.len() + err.len(), 1_000_005, "{name}");
        assert!(out.ends_with(b"done\n"));
    }
}

/// Bytes still in one pipe when the command has ended are read before the
/// end is reported: the loop waits for the keeper's report only once both
/// pipes have ended. Here stdout ends first; the last stderr line is
/// written while the sink holds the loop, and the shell exits; when the
/// loop goes on, that line and the report are both there.
#[test]
fn output_still_in_a_pipe_when_the_command_ends_arrives() {
    /// Holds the loop at its first chunk of output until the test says go.
    struct Held {
        first: Option<(mpsc::Sender<Vec<u8>>, mpsc::Receiver<()>)>,
        stderr: Vec<u8>,
    }
    impl OutputSink for Held {
        fn output(&mut self, stream: Stream, bytes: &[u8]) -> std::io::Result<()> {
            if stream == Stream::Stderr {
                self.stderr.extend_from_slice(bytes);
            }
            if let Some((tell, go)) = self.first.take() {
                let _ = tell.send(bytes.to_vec());
                let _ = go.recv_timeout(PATIENCE);
            }
            Ok(())
        }
    }
    let go_file = std::env::temp_dir().join(format!(
        "remote-shell-last-line-{}-{}",
        nix::unistd::getuid(),
        std::process::id()
    ));
    let _ = std::fs::remove_file(&go_file);
    let cmd = format!(
        "exec >&-; echo $$ $PPID >&2; while [ ! -e {} ]; do sleep 0.01; done; echo last >&2",
        go_file.display()
    );
    let (tell, first) = mpsc::channel();
    let (go, held) = mpsc::channel();
    let (done, ended) = mpsc::channel();
    std::thread::spawn(move || {
        let stop = AtomicBool::new(false);
        let limits = Limits {
            timeout: PATIENCE,
            stop: &stop,
            peer: None,
            running: None,
        };
        let mut sink = Held {
            first: Some((tell, held)),
            stderr: Vec::new(),
        };
        let outcome = exec::run(cmd.as_bytes(), &limits, &mut sink);
        let _ = done.send((outcome, sink.stderr));
    });
    let line = first.recv_timeout(PATIENCE).expect("the first line");
    let line = String::from_utf8(line).unwrap();
    let pids: Vec<i32> = line
        .split_whitespace()
        .map(|p| p.parse().unwrap())
        .collect();
    let (shell, keeper) = (pids[0], pids[1]);
    std::fs::write(&go_file, b"").unwrap();
    // The shell reaped (gone from /proc, not a zombie), and the keeper
    // asleep again: it reaps, then sends its report, then waits for the
    // next command.
    let reported = demo_kit::wait::until(PATIENCE, || {
        let keeper_waits = demo_kit::procfs::stat(keeper).is_some_and(|s| s.state == 'S');
        (demo_kit::procfs::is_gone(shell) && keeper_waits).then_some(())
    });
    let _ = std::fs::remove_file(&go_file);
    assert!(reported.is_some(), "the command did not end");
    go.send(()).unwrap();
    let (outcome, stderr) = ended.recv_timeout(PATIENCE).expect("the run did not end");
    assert_eq!(outcome.unwrap().ending, Ending::Exited(0));
    assert_eq!(String::from_utf8(stderr).unwrap(), format!("{line}last\n"));
}

#[test]
fn the_client_binary_reads_commands_from_stdin() {
    let server = ServerProc::start(&[]);
    let mut client = Command::new(env!("CARGO_BIN_EXE_remote-shell"))
        .args(["client", "--addr", &server.addr.to_string()])
        .env("NO_COLOR", "1")
        .env("LC_ALL", "C.UTF-8")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = client.stdin.take().unwrap();
    stdin
        .write_all(b"echo hi\n\n  ls /no-such-dir  \nprintf '\\377ok'\nexit\necho never\n")
        .unwrap();
    drop(stdin);
    let out = crate::common::wait_output(client, "the client binary");
    let stdout = String::from_utf8(out.stdout).unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(out.status.success(), "{stderr}");
    assert_eq!(stdout, "hi\n\u{FFFD}ok");
    assert!(stderr.contains("No such file"), "{stderr}");
    assert!(stderr.contains("[exit status 2]"), "{stderr}");
    assert!(!stderr.contains("[exit status 0]"), "{stderr}");
    server.expect_log("runs b'echo hi'");
    // The banner every server prints: it runs any command for anyone.
    server.expect_log("WARNING: this server runs ANY shell command for ANYONE who can connect");
    server.expect_log("It listens on loopback only");
}

/// Runs the binary with `args` (no token in the environment) and returns
/// its stderr, checking it failed with exit 1 and a one-line message.
fn refused(args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_remote-shell"))
        .args(args)
        .env_remove("REMOTE_SHELL_TOKEN")
        .env("NO_COLOR", "1")
        .env("LC_ALL", "C.UTF-8")
        .output_within();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(1), "{args:?}: {stderr}");
    assert!(stderr.starts_with("error: "), "{args:?}: {stderr}");
    assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
    stderr
}

#[test]
fn a_non_loopback_address_needs_allow_remote_and_a_token() {
    let err = refused(&["server", "--addr", "0.0.0.0:0"]);
    assert!(err.contains("add --allow-remote and a token"), "{err}");
    let err = refused(&["server", "--addr", "0.0.0.0:0", "--allow-remote"]);
    assert!(err.contains("--allow-remote needs a token"), "{err}");
}

#[test]
fn the_course_protocol_never_leaves_loopback() {
    let err = refused(&[
        "server",
        "--addr",
        "0.0.0.0:0",
        "--protocol",
        "course",
        "--allow-remote",
        "--token",
        "long-enough-token",
    ]);
    assert!(err.contains("no place for a token"), "{err}");
    let err = refused(&["simple-server", "--addr", "0.0.0.0:0"]);
    assert!(err.contains("only listens on loopback"), "{err}");
}

#[test]
fn bad_option_values_and_unknown_modes_get_a_message() {
    let err = refused(&["server", "--protocol", "ssh"]);
    assert!(err.contains("unknown protocol \"ssh\""), "{err}");
    let err = refused(&["server", "--timeout", "0"]);
    assert!(
        err.contains("--timeout must be a positive number of seconds"),
        "{err}"
    );
    let err = refused(&["bogus"]);
    assert!(err.contains("unknown mode \"bogus\""), "{err}");
}

#[test]
fn the_default_demo_runs_and_exits_zero() {
    let (code, stdout, _) = demo_kit::testing::run_demo(env!("CARGO_BIN_EXE_remote-shell"), &[]);
    assert_eq!(code, 0, "{stdout}");
    assert!(stdout.contains("timed out true"), "{stdout}");
    assert!(stdout.contains("= struct.unpack('i')"), "{stdout}");
}

/// The longest command a server accepts reaches the keeper whole (it
/// travels over the keeper's socket as one message, into a buffer of a
/// fixed size), and the same connection keeps working after it.
#[test]
fn the_longest_allowed_command_runs_whole() {
    let max = remote_shell::security::MAX_COMMAND;
    let server = ServerProc::start(&["--timeout", "60"]);
    let mut c = Client::connect(server.addr, Protocol::Framed, None).unwrap();
    // `echo` + padding, exactly `max` bytes; the shell prints the padding.
    let cmd = format!("echo {}", "x".repeat(max - 5));
    assert_eq!(cmd.len(), max);
    let (out, _, reply) = run(&mut c, &cmd);
    assert!(reply.exit.unwrap().success());
    assert_eq!(out.len(), max - 5 + 1, "the whole padding and a newline");
    let (out, _, _) = run(&mut c, "echo after");
    assert_eq!(out, b"after\n");
}

/// The course protocol's longest command, exactly 16 KiB (`MAX_COMMAND`) in
/// one write, is run whole (one byte more is refused: hostile.rs); one
/// `recv` takes it all, as loopback delivers a 16 KiB write in one piece.
#[test]
fn the_longest_allowed_course_command_runs_whole() {
    // The lesson's figure (docs/07-remote-shell.md: over 16 KiB is refused).
    let max = 16 * 1024;
    let server = ServerProc::start(&["--protocol", "course", "--timeout", "60"]);
    let mut s = std::net::TcpStream::connect(server.addr).unwrap();
    let cmd = format!("echo {}", "x".repeat(max - 5));
    assert_eq!(cmd.len(), max);
    let mut out = Vec::new();
    remote_shell::course_proto::request(&mut s, cmd.as_bytes(), &mut out).unwrap();
    assert_eq!(out.len(), max - 5 + 1, "the whole padding and a newline");
    let mut out = Vec::new();
    remote_shell::course_proto::request(&mut s, b"echo after", &mut out).unwrap();
    assert_eq!(out, b"after\n");
}
