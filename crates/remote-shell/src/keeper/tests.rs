//! A real keeper, forked from the test process: its reports are matched to
//! their command by number, and a run it cannot do is answered with the
//! error. Every wait for a report is bounded (a read timeout on the
//! socket), so a report that never comes fails the test.

use super::*;
use crate::keeper_wire::QUIT;
use nix::libc;
use nix::poll::{poll, PollFd, PollFlags};
use std::time::Duration;

/// Long enough for a loaded 2-core machine to start a shell
/// (well under 1 s here at load 45), short enough that the lib tests which
/// wait for a reply that never comes (8 at most) fail within
/// cargo-mutants' 60 s instead of timing out.
const PATIENCE: Duration = Duration::from_secs(10);

fn keeper() -> Keeper {
    let k = Keeper::start().unwrap();
    k.ctl.set_read_timeout(Some(PATIENCE)).unwrap();
    k
}

/// The exit code in a raw wait status (`WEXITSTATUS`), if it exited.
fn exit_code(status: i32) -> Option<i32> {
    libc::WIFEXITED(status).then(|| libc::WEXITSTATUS(status))
}

#[test]
fn the_report_gives_the_shells_pid_and_wait_status() {
    let mut k = keeper();
    let (mut out, _err) = k.launch(b"echo $$; exit 3").unwrap();
    let report = k.report().unwrap();
    let mut printed = String::new();
    out.read_to_string(&mut printed).unwrap();
    assert_eq!(report.shell.to_string(), printed.trim(), "the shell's pid");
    assert_eq!(exit_code(report.status), Some(3));
    // Dropping the keeper ends it and reaps it: not even a zombie is left.
    let pid = k.pid;
    drop(k);
    assert!(demo_kit::procfs::is_gone(pid), "keeper {pid} left behind");
}

/// `stop` kills the running command (SIGKILL, in the report's wait
/// status); a stop that arrives after its command ended is ignored, and
/// the next command runs.
#[test]
fn stop_kills_the_running_command_and_a_late_stop_is_ignored() {
    let mut k = keeper();
    drop(k.launch(b"exec sleep 30").unwrap());
    k.stop();
    let status = k.report().unwrap().status;
    assert!(
        libc::WIFSIGNALED(status) && libc::WTERMSIG(status) == libc::SIGKILL,
        "status {status:#x}"
    );
    drop(k.launch(b"exit 5").unwrap());
    assert_eq!(exit_code(k.report().unwrap().status), Some(5));
    k.stop(); // for `exit 5`, which has ended
    drop(k.launch(b"exit 6").unwrap());
    assert_eq!(exit_code(k.report().unwrap().status), Some(6));
}

/// A report left unread is skipped: the next `report` is the one on the
/// command now running, by its number. (The keeper takes the next command
/// only once it has sent the report on the last one, so we wait for that.)
#[test]
fn a_stale_report_is_skipped() {
    let mut k = keeper();
    drop(k.launch(b"exit 1").unwrap());
    let mut ready = [PollFd::new(k.report_fd(), PollFlags::POLLIN)];
    let millis = PATIENCE.as_millis() as u16;
    assert_eq!(
        poll(&mut ready, millis).unwrap(),
        1,
        "no report on `exit 1`"
    );
    drop(k.launch(b"exit 2").unwrap());
    let report = k.report().unwrap();
    assert_eq!(exit_code(report.status), Some(2), "{report:?}");
}

/// A run message longer than the keeper's buffer (a command over
/// MAX_COMMAND) is cut by the kernel (`MSG_TRUNC`): the keeper answers
/// with `EMSGSIZE` instead of running half a command, and runs the next.
#[test]
fn a_command_too_long_for_the_keeper_is_refused_with_emsgsize() {
    let mut k = keeper();
    let long = vec![b':'; crate::security::MAX_COMMAND + 1];
    drop(k.launch(&long).unwrap());
    let err = k.report().unwrap_err();
    assert_eq!(err.raw_os_error(), Some(libc::EMSGSIZE), "{err}");
    drop(k.launch(b"exit 4").unwrap());
    assert_eq!(exit_code(k.report().unwrap().status), Some(4));
}

/// A keeper told to quit while a stop is on its way (the server stopping:
/// `Running::stop_all` sends quit, the connection's thread sends stop)
/// reports and exits with the stop unread. Its socket resets ours, and
/// the kernel returns the reset before the report queued ahead of it:
/// `report` must read on and return the report. (The keeper is stopped
/// while both messages are queued, quit first, so the order is certain.)
#[test]
fn a_report_sent_before_a_reset_is_still_read() {
    use nix::sys::signal::{kill, Signal};
    use nix::unistd::Pid;
    let mut k = keeper();
    drop(k.launch(b"exec sleep 30").unwrap());
    let pid = Pid::from_raw(k.pid);
    kill(pid, Signal::SIGSTOP).unwrap();
    (&*k.ctl).write_all(&[QUIT]).unwrap();
    k.stop();
    kill(pid, Signal::SIGCONT).unwrap();
    let status = k.report().expect("the report, behind the reset").status;
    assert!(
        libc::WIFSIGNALED(status) && libc::WTERMSIG(status) == libc::SIGKILL,
        "status {status:#x}"
    );
}

/// A keeper killed before it reported: after the reset, end-of-file.
#[test]
fn a_keeper_killed_before_it_reported_is_gone() {
    use nix::sys::signal::{kill, Signal};
    use nix::unistd::Pid;
    use std::io::{BufRead, BufReader};
    let mut k = keeper();
    let (out, _err) = k.launch(b"echo $$; exec sleep 30").unwrap();
    let mut line = String::new();
    BufReader::new(out).read_line(&mut line).unwrap();
    let shell = Pid::from_raw(line.trim().parse().unwrap());
    let pid = Pid::from_raw(k.pid);
    // Stopped, it cannot read the stop message; killed, it never will.
    kill(pid, Signal::SIGSTOP).unwrap();
    k.stop();
    kill(pid, Signal::SIGKILL).unwrap();
    let err = k.report().unwrap_err();
    let _ = kill(shell, Signal::SIGKILL); // orphaned when its keeper died
    assert_eq!(err.to_string(), "the keeper is gone");
}

/// `report` takes only a 13-byte report message on the command now
/// running. The test plays the keeper on a socket pair and sends, before
/// the real report, three it must skip: one byte short, another tag, and
/// a report on an earlier command.
#[test]
fn report_skips_every_message_but_the_report_on_this_command() {
    let (ours, theirs) = socket::socketpair(
        AddressFamily::Unix,
        SockType::SeqPacket,
        None,
        SockFlag::SOCK_CLOEXEC,
    )
    .unwrap();
    let (ours, theirs) = (UnixStream::from(ours), UnixStream::from(theirs));
    // No such child: Drop's waitpid returns ECHILD at once.
    let mut k = Keeper {
        pid: i32::MAX,
        ctl: Arc::new(ours),
        seq: 7,
    };
    let msg = |tag: u8, seq: u32, shell: i32, status: i32| {
        [
            &[tag][..],
            &seq.to_ne_bytes(),
            &shell.to_ne_bytes(),
            &status.to_ne_bytes(),
        ]
        .concat()
    };
    let send = |bytes: &[u8]| (&theirs).write_all(bytes).unwrap();
    send(&msg(REPORT, 7, 100, 1)[..12]);
    send(&msg(b'x', 7, 101, 2));
    send(&msg(REPORT, 6, 102, 3));
    send(&msg(REPORT, 7, 103, 4));
    drop(theirs);
    let report = k.report().unwrap();
    assert_eq!(
        report,
        Report {
            shell: 103,
            status: 4
        }
    );
    assert!(k.report().is_err(), "nothing more: the keeper is gone");
}
