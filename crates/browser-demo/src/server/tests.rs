//! `stop` and a drop end the accept loop and close the listening socket,
//! each within a bound: here, where the crate's tests start, a stop that
//! hangs fails at once instead of holding every later test that stops a
//! server.

use super::*;
use std::io::ErrorKind;

/// Runs `end` on a thread; true if it returned within 5 s.
fn returns_in_time(end: impl FnOnce() + Send + 'static) -> bool {
    let (tx, rx) = crossbeam_channel::bounded(1);
    std::thread::spawn(move || {
        end();
        let _ = tx.send(());
    });
    rx.recv_timeout(Duration::from_secs(5)).is_ok()
}

fn started() -> Running {
    let (tx, _rx) = crossbeam_channel::unbounded();
    start("127.0.0.1:0", Timeouts::default(), tx).unwrap()
}

#[test]
fn stop_and_drop_close_the_listening_socket() {
    for how in ["stop", "drop"] {
        let server = started();
        let addr = server.addr;
        let ended = match how {
            "stop" => returns_in_time(move || server.stop()),
            _ => returns_in_time(move || drop(server)),
        };
        assert!(ended, "{how} did not return within 5 s");
        let after = TcpStream::connect(addr).map_err(|e| e.kind());
        assert_eq!(
            after.map(|_| ()),
            Err(ErrorKind::ConnectionRefused),
            "after {how}"
        );
    }
}
