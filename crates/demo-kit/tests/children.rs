//! The rules for forked children, checked on real children: the exit code
//! a child's work returns (101 for a panic), its narration on fd 1, which
//! descriptors it keeps, and reaping with a deadline that kills a child
//! that does not end.
//!
//! One test in this file: it forks, and `no_child_left` must see only its
//! own children.

use demo_kit::child::{
    child_say, end_with_no_child_left, exit_code, fork_child, keep_only_fds, no_child_left,
    reap_or_kill, wait_within,
};
use demo_kit::report::{recv_line, recv_to_eof, send};
use demo_kit::say::Side;
use nix::sys::wait::WaitStatus;
use nix::unistd::pipe;
use std::os::fd::AsRawFd;
use std::time::Duration;

const T: Duration = Duration::from_secs(20);

fn ended_with(status: WaitStatus) -> Option<i32> {
    exit_code(status)
}

#[test]
fn children_end_report_and_are_reaped() {
    assert!(no_child_left(), "this test binary starts with no child");

    // The work's return value is the exit code; a panic is 101.
    let pid = fork_child(|| 7).unwrap();
    assert_eq!(ended_with(wait_within(pid, T).unwrap().unwrap()), Some(7));
    let pid = fork_child(|| panic!("in the child")).unwrap();
    assert_eq!(ended_with(reap_or_kill(pid, T).unwrap()), Some(101));

    // A child's narration is one raw write on fd 1.
    let (r, w) = pipe().unwrap();
    let pid = fork_child(move || {
        // SAFETY: dup2 in the child, on its own copies of the descriptors.
        unsafe { nix::libc::dup2(w.as_raw_fd(), 1) };
        child_say(Side::Child, "hello from the child", false);
        0
    })
    .unwrap();
    assert_eq!(
        recv_line(&r, T, "the child's line").unwrap(),
        "[child] hello from the child"
    );
    reap_or_kill(pid, T).unwrap();
    drop(r);

    // keep_only_fds: the child keeps the descriptors named and closes the
    // others (it reports which of them are still open).
    let (report_r, report_w) = pipe().unwrap();
    let extra: Vec<_> = (0..4).map(|_| pipe().unwrap()).collect();
    let fds: Vec<i32> = extra
        .iter()
        .flat_map(|(a, b)| [a.as_raw_fd(), b.as_raw_fd()])
        .collect();
    let keep = [fds[1], fds[4], report_w.as_raw_fd()];
    let all = fds.clone();
    let pid = fork_child(move || {
        keep_only_fds(&keep);
        let open: Vec<String> = all
            .iter()
            // SAFETY: F_GETFD only asks whether the descriptor is open.
            .filter(|&&fd| unsafe { nix::libc::fcntl(fd, nix::libc::F_GETFD) } >= 0)
            .map(|fd| fd.to_string())
            .collect();
        send(&report_w, format!("{}\n", open.join(" ")).as_bytes());
        0
    })
    .unwrap();
    // (The parent's copy of report_w went with the closure: only the child
    // holds a write end now, so its exit ends the stream.)
    let open = String::from_utf8(recv_to_eof(&report_r, T, "the open fds").unwrap()).unwrap();
    assert_eq!(open.trim(), format!("{} {}", fds[1], fds[4]));
    reap_or_kill(pid, T).unwrap();
    drop(extra);

    // A child that does not end is killed at the deadline, and reaped.
    // (It sleeps 60 s, not for ever: should the kill ever fail, the
    // orphan still ends.)
    let pid = fork_child(|| {
        std::thread::sleep(Duration::from_secs(60));
        0
    })
    .unwrap();
    assert!(!no_child_left());
    demo_kit::lang::set(demo_kit::lang::Lang::En); // the messages checked are the English ones
    assert_eq!(
        end_with_no_child_left(None).unwrap_err().to_string(),
        "a child process was left behind (waitpid(-1, WNOHANG) did not say ECHILD)"
    );
    assert_eq!(wait_within(pid, Duration::from_millis(50)).unwrap(), None);
    let e = reap_or_kill(pid, Duration::from_millis(50)).unwrap_err();
    assert_eq!(
        e.to_string(),
        format!("child {pid} did not finish within 50ms; killed and reaped it")
    );
    assert!(no_child_left(), "the killed child was reaped");
    demo_kit::say::set_quiet(true);
    end_with_no_child_left(Some("all reaped")).unwrap();
    demo_kit::say::set_quiet(false);
}
