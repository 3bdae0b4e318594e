//! Every blocking read in the course protocol and the keeper goes on after
//! a signal interrupts it (`EINTR`). A handler installed without
//! `SA_RESTART` makes a blocked `read(2)` fail with `EINTR` instead of
//! being restarted (signal(7), "Interruption of system calls and library
//! functions by signal handlers"); Rust's `Read::read` passes that error
//! up. A thread blocks in the read under test (seen sleeping in
//! /proc/self/task/TID/stat), is signalled 5 times, must still be waiting,
//! and then gets what it was waiting for.
//! (Its own binary: the handler is installed for the whole process.)

use nix::sys::signal::{sigaction, SaFlags, SigAction, SigHandler, SigSet, Signal};
use remote_shell::course_proto;
use remote_shell::exec::{self, Collect, Ending, Limits, Running};
use remote_shell::keeper::Keeper;
use remote_shell::session::Session;
use std::io::Write;
use std::net::{TcpListener, TcpStream};
use std::os::unix::thread::JoinHandleExt;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{mpsc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// Generous: the machine has 2 cores and runs other tests.
const PATIENCE: Duration = Duration::from_secs(30);

static SIGNALS: AtomicUsize = AtomicUsize::new(0);
/// One test at a time: each counts the signals its thread handled.
static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

extern "C" fn on_sigusr1(_: nix::libc::c_int) {
    SIGNALS.fetch_add(1, Ordering::SeqCst);
}

fn install_handler() {
    let action = SigAction::new(
        SigHandler::Handler(on_sigusr1),
        SaFlags::empty(), // no SA_RESTART: a blocked read(2) returns EINTR
        SigSet::empty(),
    );
    // SAFETY: the handler only increments an atomic.
    unsafe { sigaction(Signal::SIGUSR1, &action) }.unwrap();
}

/// Signal `thread` (kernel thread id `tid`) 5 times, each time once it is
/// asleep in a system call, and check it is still waiting after each.
fn knock<T>(thread: &JoinHandle<T>, tid: i32) {
    let deadline = Instant::now() + PATIENCE;
    for n in 1..=5 {
        while demo_kit::procfs::stat(tid).map(|s| s.state) != Some('S') {
            assert!(!thread.is_finished(), "returned early, before signal {n}");
            assert!(
                Instant::now() < deadline,
                "never blocked, before signal {n}"
            );
            std::thread::sleep(Duration::from_millis(1));
        }
        let before = SIGNALS.load(Ordering::SeqCst);
        // SAFETY: the thread is alive (checked above): only what the test
        // sends after knocking lets it finish.
        let rc = unsafe { nix::libc::pthread_kill(thread.as_pthread_t(), nix::libc::SIGUSR1) };
        assert_eq!(rc, 0, "pthread_kill");
        while SIGNALS.load(Ordering::SeqCst) == before {
            assert!(Instant::now() < deadline, "signal {n} was never handled");
            std::thread::yield_now();
        }
        std::thread::sleep(Duration::from_millis(5)); // back into the read, or out
    }
    assert!(!thread.is_finished(), "returned after an interrupted read");
}

/// Spawn `f` on a thread; also return its kernel thread id.
fn spawn<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> (JoinHandle<T>, i32) {
    let (tx, rx) = mpsc::channel();
    let thread = std::thread::spawn(move || {
        tx.send(nix::unistd::gettid().as_raw()).unwrap();
        f()
    });
    (thread, rx.recv().unwrap())
}

fn pair() -> (TcpStream, TcpStream) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let client = TcpStream::connect(listener.local_addr().unwrap()).unwrap();
    let (server, _) = listener.accept().unwrap();
    client.set_read_timeout(Some(PATIENCE)).unwrap();
    (client, server)
}

/// The course server waiting for its client's next command.
#[test]
fn the_course_server_waiting_for_a_command() {
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    install_handler();
    let (mut client, mut conn) = pair();
    let peer = client.local_addr().unwrap();
    let (server, tid) = spawn(move || {
        let (stop, running) = (AtomicBool::new(false), Running::default());
        let session = Session {
            peer,
            timeout: PATIENCE,
            idle_timeout: PATIENCE,
            hello_timeout: PATIENCE,
            stop: &stop,
            running: &running,
            token: None,
            keeper: Default::default(),
        };
        course_proto::serve(&mut conn, &session);
    });
    knock(&server, tid);
    let mut out = Vec::new();
    course_proto::request(&mut client, b"echo still served", &mut out).unwrap();
    assert_eq!(out, b"still served\n");
    drop(client);
    server.join().unwrap();
}

/// The course client waiting for the rest of a reply's body.
#[test]
fn the_course_client_waiting_for_the_body() {
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    install_handler();
    let (mut client, mut server) = pair();
    let header = br#"{"file": "f", "total_size": 10}"#;
    server
        .write_all(&(header.len() as i32).to_le_bytes())
        .unwrap();
    server.write_all(header).unwrap();
    server.write_all(b"01234").unwrap();
    let (reader, tid) = spawn(move || {
        let mut out = Vec::new();
        course_proto::read_reply(&mut client, &mut out).map(|_| out)
    });
    knock(&reader, tid);
    server.write_all(b"56789").unwrap();
    assert_eq!(reader.join().unwrap().unwrap(), b"0123456789");
}

/// The server waiting for the keeper's report on a running command.
#[test]
fn the_server_waiting_for_the_keepers_report() {
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    install_handler();
    let go = std::env::temp_dir().join(format!(
        "remote-shell-eintr-{}-{}",
        nix::unistd::getuid(),
        std::process::id()
    ));
    let _ = std::fs::remove_file(&go);
    let mut keeper = Keeper::start().unwrap();
    let cmd = format!("while [ ! -e {} ]; do sleep 0.01; done", go.display());
    let pipes = keeper.launch(cmd.as_bytes()).unwrap();
    let (waiter, tid) = spawn(move || keeper.report());
    knock(&waiter, tid);
    std::fs::write(&go, b"").unwrap();
    let report = waiter.join().unwrap();
    let _ = std::fs::remove_file(&go);
    drop(pipes);
    let status = report.expect("the report, after the interruptions").status;
    assert!(nix::libc::WIFEXITED(status) && nix::libc::WEXITSTATUS(status) == 0);
}

/// The server polling a running command's pipes: `poll(2)` is never
/// restarted after a handler, `SA_RESTART` or not (signal(7), the same
/// section); the loop must poll again, not end the command.
#[test]
fn the_server_polling_a_running_commands_pipes() {
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    install_handler();
    let go = std::env::temp_dir().join(format!(
        "remote-shell-eintr-poll-{}-{}",
        nix::unistd::getuid(),
        std::process::id()
    ));
    let _ = std::fs::remove_file(&go);
    let cmd = format!(
        "while [ ! -e {} ]; do sleep 0.01; done; echo done",
        go.display()
    );
    let (runner, tid) = spawn(move || {
        let stop = AtomicBool::new(false);
        let limits = Limits {
            timeout: PATIENCE,
            stop: &stop,
            peer: None,
            running: None,
        };
        let mut sink = Collect::default();
        exec::run(cmd.as_bytes(), &limits, &mut sink).map(|o| (o.ending, sink.stdout))
    });
    knock(&runner, tid);
    std::fs::write(&go, b"").unwrap();
    let result = runner.join().unwrap();
    let _ = std::fs::remove_file(&go);
    let (ending, stdout) = result.expect("the command ran");
    assert_eq!((ending, stdout), (Ending::Exited(0), b"done\n".to_vec()));
}
