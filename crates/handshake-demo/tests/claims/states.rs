//! The `states` claims, checked on the real kernel: the sequence of states
//! of both ends, the handshake done before accept(), half-close delivery,
//! TIME_WAIT only in /proc, and FIN_WAIT1 / LAST_ACK behind a full window.

use demo_kit::testing::{number_after, run_demo};
use handshake_demo::kernel::TcpState::*;
use handshake_demo::states::Lab;
use handshake_demo::tour;

fn check_tour(ipv6: bool) {
    demo_kit::say::set_quiet(true);
    let r = tour::run(ipv6).expect("the tour runs");
    assert_eq!(r.listen, Some(Listen));
    assert!(r.backlog > 0, "listener reports its backlog");
    // Handshake finished by the kernel before accept().
    assert_eq!(r.queued_before_accept, 1);
    assert_eq!(r.after_connect.client_fd, Some(Established));
    assert_eq!(r.after_connect.server_proc, Some(Established));
    assert_eq!(r.after_connect.server_fd, None, "not accepted yet");
    // First FIN and its ACK.
    assert_eq!(r.after_half_close.client_fd, Some(FinWait2));
    assert_eq!(r.after_half_close.server_fd, Some(CloseWait));
    assert_eq!(r.after_half_close.client_proc, Some(FinWait2));
    assert_eq!(r.after_half_close.server_proc, Some(CloseWait));
    assert_eq!(r.server_read_before_eof, 0);
    // Half-close: data still flows server -> client.
    assert_eq!(r.client_got_in_fin_wait2, b"last words from the server");
    // After the server's close: TIME_WAIT only in /proc, the fd says CLOSE.
    assert_eq!(r.after_server_close.client_proc, Some(TimeWait));
    assert_eq!(r.after_server_close.client_fd, Some(Close));
    assert_eq!(r.after_server_close.server_proc, None);
    let left = r.time_wait_left.expect("TIME_WAIT timer visible");
    assert!(
        left > 30.0 && left <= 60.0,
        "TIME_WAIT lasts 60 s, {left} s left"
    );
    // FIN stuck behind a full window.
    assert_eq!(r.fin_wait1.client_fd, Some(FinWait1));
    assert_eq!(
        r.fin_wait1.server_fd,
        Some(Established),
        "FIN not delivered yet"
    );
    assert!(r.fin_wait1_queued > 65536);
    assert_eq!(r.fin_wait1_drained.client_fd, Some(FinWait2));
    assert_eq!(r.fin_wait1_drained.server_fd, Some(CloseWait));
    assert_eq!(r.last_ack.server_fd, Some(LastAck));
    assert_eq!(r.last_ack.client_fd, Some(FinWait2));
    assert_eq!(r.last_ack_done.server_fd, Some(Close));
    assert_eq!(r.last_ack_done.client_proc, Some(TimeWait));
    // The FIN waits behind unsent data: /proc counts that data and the FIN.
    assert!(
        r.fin_wait1_unsent > 1 && r.fin_wait1_unsent <= r.fin_wait1_queued as u64 + 1,
        "{} of {} bytes unacknowledged",
        r.fin_wait1_unsent,
        r.fin_wait1_queued
    );
    assert!(
        r.unsettled.is_empty(),
        "waited in vain after {:?}",
        r.unsettled
    );
}

#[test]
fn states_follow_the_course_pictures_ipv4() {
    check_tour(false);
}

#[test]
fn states_follow_the_course_pictures_ipv6() {
    if std::net::TcpListener::bind("[::1]:0").is_err() {
        demo_kit::testing::skip("no IPv6 loopback on this machine");
        return;
    }
    check_tour(true);
}

#[test]
fn accept_without_a_client_gives_up_at_its_deadline() {
    let mut lab = Lab::listen(false).unwrap();
    let started = std::time::Instant::now();
    let err = lab
        .accept_within(std::time::Duration::from_millis(100))
        .unwrap_err();
    // poll(2) counts whole milliseconds, so the wait may end a hair early.
    assert!(started.elapsed() >= std::time::Duration::from_millis(90));
    assert!(
        format!("{err:#}").contains("no connection was queued within 100ms"),
        "{err:#}"
    );
    assert!(lab.server.is_none());
    // Once a client has connected, the same call takes its connection.
    lab.connect().unwrap();
    lab.accept_within(std::time::Duration::from_millis(100))
        .unwrap();
    let (client, server) = (lab.client().unwrap(), lab.server().unwrap());
    assert_eq!(client.local_addr().unwrap(), server.peer_addr().unwrap());
}

#[test]
fn half_close_delivers_data_in_both_directions() {
    use std::io::{Read, Write};
    let mut lab = Lab::listen(false).unwrap();
    lab.connect().unwrap();
    lab.accept().unwrap();
    // Every read bounded: an end of file that never comes fails the test.
    for end in [lab.client().unwrap(), lab.server().unwrap()] {
        end.set_read_timeout(Some(std::time::Duration::from_secs(5)))
            .unwrap();
    }
    lab.client().unwrap().write_all(b"request").unwrap();
    lab.client_shutdown_write().unwrap();
    // The server reads everything the client sent, then EOF.
    let mut got = Vec::new();
    lab.server().unwrap().read_to_end(&mut got).unwrap();
    assert_eq!(got, b"request");
    // ...and can still answer, several times, before closing.
    for _ in 0..3 {
        lab.server().unwrap().write_all(b"part ").unwrap();
    }
    lab.server = None;
    let mut answer = Vec::new();
    lab.client().unwrap().read_to_end(&mut answer).unwrap();
    assert_eq!(answer, b"part part part ");
}

/// The default mode prints, after each step, both ends' states as the
/// kernel gives them, and numbers that agree with each other.
#[test]
fn binary_runs_by_default_and_exits_zero() {
    let (code, text, err) = run_demo(env!("CARGO_BIN_EXE_handshake-demo"), &[]);
    assert_eq!(code, 0, "stderr: {err}");
    let closed = "server fd (not accepted / closed)";
    for line in [
        "[kernel] listener fd: LISTEN — accept queue 0 of backlog ".to_string(),
        format!("[kernel] after connect: client fd ESTABLISHED | {closed} | /proc: client ESTABLISHED, server ESTABLISHED\n"),
        "[server] accept() took it off the queue: ESTABLISHED\n".into(),
        "[kernel] after the FIN and its ACK: client fd FIN_WAIT2 | server fd CLOSE_WAIT | /proc: client FIN_WAIT2, server CLOSE_WAIT\n".into(),
        format!("[kernel] after close: client fd CLOSE | {closed} | /proc: client TIME_WAIT, server (no such socket)\n"),
        "[kernel] FIN not sent yet: client fd FIN_WAIT1 | server fd ESTABLISHED | /proc: client FIN_WAIT1, server ESTABLISHED\n".into(),
        "[kernel] after draining: client fd FIN_WAIT2 | server fd CLOSE_WAIT | /proc: client FIN_WAIT2, server CLOSE_WAIT\n".into(),
        "[kernel] server's FIN not sent yet: client fd FIN_WAIT2 | server fd LAST_ACK | /proc: client FIN_WAIT2, server LAST_ACK\n".into(),
        "[kernel] after the last ACK: client fd CLOSE | server fd CLOSE | /proc: client TIME_WAIT, server (no such socket)\n".into(),
    ] {
        assert!(text.contains(&line), "no {line:?} in:\n{text}");
    }
    assert!(
        !text.contains("not the states the lesson expects"),
        "{text}"
    );
    let connect_took: u64 = number_after(&text, "connect() returned after ");
    assert_eq!(
        number_after::<u64>(&text, "lasted less than those "),
        connect_took,
        "{text}"
    );
    let left: f64 = number_after(&text, "is TIME_WAIT with ");
    assert!(left > 30.0 && left <= 60.0, "{text}");
    // Step 6: the server reads what the client wrote, then the FIN.
    let wrote: u64 = number_after(&text, "[client] wrote ");
    assert_eq!(
        number_after::<u64>(&text, "[server] read "),
        wrote,
        "{text}"
    );
    let unsent: u64 = number_after(&text, "client send queue: ");
    assert!(unsent > 1 && unsent <= wrote + 1, "{text}");
    assert!(
        !text.contains("\x1b["),
        "no colours with NO_COLOR or into a pipe"
    );
}

/// A connection reset is an error, not an end of file: a server that
/// closes with unread data resets the connection (RFC 2525 2.17), and
/// `read_to_eof` must report it rather than count it as the peer's FIN.
#[test]
fn read_to_eof_reports_a_reset() {
    use std::io::Write;
    let mut lab = Lab::listen(false).unwrap();
    lab.connect().unwrap();
    lab.accept().unwrap();
    lab.client().unwrap().write_all(b"never read").unwrap();
    // Wait until the bytes are in the server's receive queue, then close.
    let server_addr = lab.server_addr;
    let client_addr = lab.client_addr.unwrap();
    demo_kit::wait::until(std::time::Duration::from_secs(5), || {
        let e = handshake_demo::procnet::proc_entry(server_addr, client_addr).ok()??;
        (e.rx_queue == 10).then_some(())
    })
    .expect("the server's receive queue holds the 10 bytes");
    lab.server = None;
    let err = Lab::read_to_eof(lab.client().unwrap()).unwrap_err();
    assert_eq!(err.raw_os_error(), Some(nix::libc::ECONNRESET), "{err}");
}

/// Filling a window stops at EWOULDBLOCK only: a connection the peer has
/// reset is an error (EPIPE or ECONNRESET, tcp(7)), not a full window.
#[test]
fn fill_window_reports_a_reset_connection() {
    use nix::sys::socket::{setsockopt, sockopt::Linger};
    let mut lab = Lab::from(demo_kit::net::loopback_pair(false).unwrap());
    // close() with a zero linger time sends RST instead of FIN (socket(7)).
    let abort = nix::libc::linger {
        l_onoff: 1,
        l_linger: 0,
    };
    setsockopt(lab.server().unwrap(), Linger, &abort).unwrap();
    lab.server = None;
    let client_addr = lab.client_addr.unwrap();
    demo_kit::wait::until(std::time::Duration::from_secs(5), || {
        let state = handshake_demo::kernel::state_of(lab.client().ok()?).ok()?;
        (state == Close).then_some(())
    })
    .unwrap_or_else(|| panic!("the RST reaches the client {client_addr}"));
    let other = demo_kit::net::loopback_pair(false).unwrap();
    let err = Lab::fill_window(lab.client().unwrap(), &other.server).unwrap_err();
    let errno = err.raw_os_error();
    assert!(
        errno == Some(nix::libc::EPIPE) || errno == Some(nix::libc::ECONNRESET),
        "{err}"
    );
}

/// A signal handler installed without SA_RESTART makes a blocked read
/// fail with EINTR (signal(7)); `read_to_eof` reads on and still counts
/// every byte.
#[test]
fn read_to_eof_reads_on_after_a_signal() {
    use nix::sys::signal::{sigaction, SaFlags, SigAction, SigHandler, SigSet, Signal};
    use std::io::Write;
    use std::sync::atomic::{AtomicUsize, Ordering};
    static HANDLED: AtomicUsize = AtomicUsize::new(0);
    extern "C" fn count(_: nix::libc::c_int) {
        HANDLED.fetch_add(1, Ordering::SeqCst);
    }
    let act = SigAction::new(
        SigHandler::Handler(count),
        SaFlags::empty(),
        SigSet::empty(),
    );
    // SAFETY: the handler only increments an atomic.
    unsafe { sigaction(Signal::SIGUSR2, &act) }.unwrap();

    let mut lab = Lab::listen(false).unwrap();
    lab.connect().unwrap();
    lab.accept().unwrap();
    let client = lab.client.take().unwrap();
    let (tid_tx, tid_rx) = std::sync::mpsc::channel();
    let reader = std::thread::spawn(move || {
        // SAFETY: pthread_self only names the calling thread.
        tid_tx
            .send((nix::unistd::gettid(), unsafe { nix::libc::pthread_self() }))
            .unwrap();
        Lab::read_to_eof(&client)
    });
    let (tid, thread) = tid_rx.recv().unwrap();
    // Three signals, each sent while the reader sleeps in read().
    let stat = format!("/proc/self/task/{tid}/stat");
    for k in 1..=3 {
        demo_kit::wait::until(std::time::Duration::from_secs(5), || {
            let s = std::fs::read_to_string(&stat).ok()?;
            (s.rsplit(')').next()?.trim_start().starts_with('S')).then_some(())
        })
        .expect("the reader blocks in read()");
        // SAFETY: `thread` is the reader, alive until it is joined below.
        let rc = unsafe { nix::libc::pthread_kill(thread, Signal::SIGUSR2 as nix::libc::c_int) };
        assert_eq!(rc, 0, "pthread_kill");
        demo_kit::wait::until(std::time::Duration::from_secs(5), || {
            (HANDLED.load(Ordering::SeqCst) >= k).then_some(())
        })
        .expect("the handler ran");
    }
    lab.server()
        .unwrap()
        .write_all(b"after the signals")
        .unwrap();
    lab.server = None;
    assert_eq!(reader.join().unwrap().unwrap(), 17);
}
