//! Each I/O model's claim, on the real kernel over loopback.

use io_models_demo::multiplex::Model;
use io_models_demo::{blocking, cost, edge, fdsetsize, multiplex, nonblocking};
use nix::errno::Errno;
use std::sync::{mpsc, Mutex};
use std::time::{Duration, Instant};

/// `select` needs descriptor numbers below 1024, and one test opens 1,500
/// sockets: the tests that use `select` take turns with it.
static LOW_FDS: Mutex<()> = Mutex::new(());

/// Does this kernel show a sleeping thread's `wchan`? A thread of this
/// test sleeps in a channel's `recv` (a futex); its wchan is read until it
/// names a function (at most 0.5 s). proc(5): a task's wchan reads "0"
/// when the kernel does not show it, and while the task runs.
fn kernel_shows_wchan() -> bool {
    let (tid_tx, tid_rx) = mpsc::channel();
    let (go_tx, go_rx) = mpsc::channel::<()>();
    let sleeper = std::thread::spawn(move || {
        tid_tx.send(nix::unistd::gettid().as_raw()).unwrap();
        let _ = go_rx.recv_timeout(Duration::from_secs(5));
    });
    let tid = tid_rx.recv_timeout(Duration::from_secs(5)).unwrap();
    let task = format!("/proc/self/task/{tid}");
    let named = demo_kit::wait::until(Duration::from_millis(500), || {
        let line = std::fs::read_to_string(format!("{task}/stat")).ok()?;
        let sleeping = demo_kit::procfs::parse_stat(&line)?.state == 'S';
        let wchan = std::fs::read_to_string(format!("{task}/wchan")).ok()?;
        let wchan = wchan.trim();
        (sleeping && !wchan.is_empty() && wchan != "0").then_some(())
    });
    go_tx.send(()).unwrap();
    sleeper.join().unwrap();
    named.is_some()
}

#[test]
fn a_blocking_recv_sleeps_and_uses_no_cpu() {
    let delay = Duration::from_millis(100);
    let started = Instant::now();
    let r = blocking::run(b"hi", delay).unwrap();
    let took = started.elapsed();
    assert_eq!(r.state, 'S');
    assert_eq!(r.received, b"hi");
    assert!(r.waited >= delay, "{r:?}");
    // A sleeping thread costs (almost) nothing, however long it waits.
    assert!(r.cpu < Duration::from_millis(50), "{r:?}");
    // Where the kernel shows wchans, the run names the function recv sleeps
    // in, found at once: its half-second patience is for a kernel that
    // hides them, where it reports none.
    if kernel_shows_wchan() {
        let w = r
            .wchan
            .as_deref()
            .unwrap_or_else(|| panic!("no wchan: {r:?}"));
        assert!(!w.is_empty() && w != "0", "{r:?}");
        assert!(took < delay + Duration::from_millis(500), "took {took:?}");
    } else {
        assert_eq!(r.wchan, None, "{r:?}");
    }
}

#[test]
fn a_nonblocking_recv_says_eagain_and_a_busy_loop_spins() {
    // In a thread, with a bounded wait: if O_NONBLOCK were not set, the
    // first recv would block for ever.
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(nonblocking::run(b"hi", Duration::from_millis(100)));
    });
    let r = rx
        .recv_timeout(Duration::from_secs(5))
        .expect("no answer within 5 s: the first recv blocked")
        .unwrap();
    assert_eq!(r.first_error, Some(Errno::EAGAIN));
    assert_eq!(r.received, b"hi");
    assert!(r.wasted_calls > 0, "{r:?}");
}

#[test]
fn a_busy_loop_gives_up_when_no_message_comes_in_time() {
    // The demo spins 10 s at most; the same loop with 100 ms of patience,
    // and a message that comes only after 600 ms (a margin for a loaded
    // machine, where the spinning thread may wait for a core).
    let e = nonblocking::run_within(
        b"late",
        Duration::from_millis(600),
        Duration::from_millis(100),
    )
    .expect_err("the message came after the loop's patience");
    assert_eq!(e.to_string(), "no message within 0.1 s: gave up spinning");
}

#[test]
fn one_thread_serves_several_clients_with_each_call() {
    let _turn = LOW_FDS.lock().unwrap_or_else(|e| e.into_inner());
    for model in [Model::Select, Model::Poll, Model::Epoll] {
        let r = multiplex::run(model, 5, 4).unwrap();
        assert!(r.all_echoed, "{r:?}");
        assert_eq!(r.echoes, 20, "{r:?}");
        // Waits: one before the first accept, at least one per round (a
        // round is sent only once the last one's echoes are back) and one
        // for the ends of file. At most one per thing served, since each
        // wait reports something ready: 5 accepts, 20 echoes, 5 ends of file.
        assert!((4 + 2..=20 + 2 * 5).contains(&r.waits), "{r:?}");
    }
}

#[test]
fn select_refuses_fd_1024_while_poll_and_epoll_take_it() {
    let r = fdsetsize::run().unwrap();
    assert!(r.high_fd >= 1024, "{r:?}");
    let why = r.select_refused.expect("select must refuse fd >= 1024");
    assert!(
        why.contains("FD_SETSIZE") && why.contains(&r.high_fd.to_string()),
        "{why}"
    );
    assert!(
        r.poll_readable && r.epoll_readable,
        "poll/epoll must report it readable"
    );
}

#[test]
fn every_call_finds_the_one_active_socket_and_select_stops_at_1024() {
    let _turn = LOW_FDS.lock().unwrap_or_else(|e| e.into_inner());
    let small = cost::measure(10, 20).unwrap();
    // A median of real calls: a system call takes some time.
    let select = small.select.expect("11 sockets below fd 1024");
    for took in [select, small.poll, small.epoll_wait] {
        assert!(took > Duration::ZERO, "{small:?}");
    }
    // One call: the median of one time is that time.
    let once = cost::measure(10, 1).unwrap();
    assert!(once.poll > Duration::ZERO, "{once:?}");
    io_models_demo::raise_nofile().unwrap();
    let big = cost::measure(1500, 5).unwrap();
    assert!(
        big.select.is_none(),
        "1500 sockets cannot all be below fd 1024"
    );
}

#[test]
fn edge_triggered_stalls_on_a_partial_read() {
    let wait = Duration::from_millis(200);
    let level = edge::partial_read(false, 1000, 100, wait).unwrap();
    assert!(level.reported_again, "{level:?}");
    let edge = edge::partial_read(true, 1000, 100, wait).unwrap();
    assert!(!edge.reported_again, "{edge:?}");
    assert_eq!(edge.first_read, 100);
    assert_eq!(edge.left_in_buffer, 900, "the data is there, unreported");
}

#[test]
fn reading_until_eagain_fixes_the_stall() {
    let r = edge::read_until_eagain(1000, 100).unwrap();
    assert_eq!(r.read, 1000);
    assert!(
        r.recv_calls >= 11,
        "10 reads of 100 bytes, then EAGAIN: {r:?}"
    );
    assert!(r.new_data_reported);
}
