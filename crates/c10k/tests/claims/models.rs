//! Each server model serves 500 concurrent connections with every byte
//! checked, and leaves no process behind.

use c10k::run::run_one;
use demo_kit::procfs::is_gone;
use std::path::Path;
use std::time::Duration;

fn passes_500(model: &str) {
    if !model.starts_with("py-") {
        // Echoing nothing fails in 2 s here, not at the load's 60 s limit.
        crate::serving::assert_echoes(model);
    }
    crate::measuring::assert_load_runs();
    let exe = Path::new(env!("CARGO_BIN_EXE_c10k"));
    let o = run_one(exe, model, 500, 5, Duration::from_secs(60)).unwrap();
    let r = &o.report;
    assert!(r.clean(), "{model}: {r:?}");
    assert_eq!(r.round_trips, 2500, "{model}");
    let s = r.server.as_ref().expect("the server's /proc figures");
    assert!(
        s.fds_after >= s.fds_before + 500,
        "{model}: the server held every connection: {s:?}"
    );
    // Nothing left running: both processes were reaped (no /proc entry).
    assert!(
        demo_kit::wait::until(Duration::from_secs(5), || is_gone(o.server_pid)
            .then_some(()))
        .is_some()
    );
    assert!(
        is_gone(o.load_pid),
        "{model}: the load generator is still there"
    );
}

#[test]
fn thread_per_connection() {
    passes_500("thread");
}

#[test]
fn fixed_pool() {
    passes_500("pool");
}

#[test]
fn one_epoll_loop() {
    passes_500("epoll");
}

#[test]
fn one_epoll_loop_per_core() {
    passes_500("epoll-cores");
}

#[test]
fn python_socketserver_and_asyncio() {
    if let Some(why) = c10k::python::missing() {
        demo_kit::testing::skip(&why);
        return;
    }
    passes_500("py-threading");
    passes_500("py-asyncio");
}

#[test]
fn epoll_server_reassembles_split_frames() {
    // Frames cut at every byte boundary and glued together still echo whole
    // (on a thread of its own: a loop that never ends fails in 2 s).
    crate::serving::within(std::time::Duration::from_secs(2), "complete_frames", || {
        let frames: Vec<u8> = (0..3).flat_map(|r| c10k::load::frame(7, r)).collect();
        for cut in 0..=frames.len() {
            let first = c10k::conn::complete_frames(&frames[..cut]).unwrap();
            assert_eq!(first % 68, 0);
            assert!(first <= cut && cut - first < 68);
        }
        let bad = [0xff, 0xff, 0xff, 0xff];
        assert!(
            c10k::conn::complete_frames(&bad).is_err(),
            "a negative length is refused"
        );
    });
}

#[test]
fn async_tasks_on_lesson_19s_runtime() {
    passes_500("async");
    // The future keeps its 256-byte read buffer across each `.await`.
    let size = c10k::serve_async::conn_future_size().unwrap();
    assert!(
        (256..=1024).contains(&size),
        "a connection's future is {size} bytes"
    );
}
