//! Each I/O model's claim, on the real kernel over loopback.

use io_models_demo::multiplex::Model;
use io_models_demo::{blocking, cost, edge, fdsetsize, multiplex, nonblocking};
use nix::errno::Errno;
use std::sync::Mutex;
use std::time::Duration;

/// `select` needs descriptor numbers below 1024, and one test opens 1,500
/// sockets: the tests that use `select` take turns with it.
static LOW_FDS: Mutex<()> = Mutex::new(());

#[test]
fn a_blocking_recv_sleeps_and_uses_no_cpu() {
    let r = blocking::run(b"hi", Duration::from_millis(100)).unwrap();
    assert_eq!(r.state, 'S');
    assert_eq!(r.received, b"hi");
    assert!(r.waited >= Duration::from_millis(100), "{r:?}");
    // A sleeping thread costs (almost) nothing, however long it waits.
    assert!(r.cpu < Duration::from_millis(50), "{r:?}");
}

#[test]
fn a_nonblocking_recv_says_eagain_and_a_busy_loop_spins() {
    let r = nonblocking::run(b"hi", Duration::from_millis(100)).unwrap();
    assert_eq!(r.first_error, Some(Errno::EAGAIN));
    assert_eq!(r.received, b"hi");
    assert!(r.wasted_calls > 0, "{r:?}");
}

#[test]
fn one_thread_serves_several_clients_with_each_call() {
    let _turn = LOW_FDS.lock().unwrap_or_else(|e| e.into_inner());
    for model in [Model::Select, Model::Poll, Model::Epoll] {
        let r = multiplex::run(model, 5, 4).unwrap();
        assert!(r.all_echoed, "{r:?}");
        assert_eq!(r.echoes, 20, "{r:?}");
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
    assert!(small.select.is_some());
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
