//! The lesson's claims, checked on the real kernel with real processes.
//! Every child is reaped inside the functions; the tests check that its
//! pid is gone from /proc afterwards (no zombie, no orphan).

use demo_kit::child::{exit_code, fork_child, reap_or_kill};
use demo_kit::procfs::is_gone;
use ipc_demo::{channel, pipe, shm, socketpair};
use nix::errno::Errno;
use nix::sys::mman::{msync, MapFlags, MsFlags};
use std::ffi::c_void;
use std::ptr::NonNull;
use std::time::Duration;

const WAIT: Duration = Duration::from_millis(300);

/// The scenarios narrate; a test only wants their reports.
fn quiet() {
    demo_kit::say::set_quiet(true);
}

fn assert_gone(pids: &[i32]) {
    for &pid in pids {
        assert!(
            is_gone(pid),
            "child {pid} is still in /proc (zombie or running)"
        );
    }
}

#[test]
fn pipe_without_closing_write_end_never_sees_eof() {
    quiet();
    let r = pipe::run(false, WAIT).unwrap();
    assert_eq!(r.child_exit, Some(0));
    // All the data arrived, the writer is reaped, and still no EOF...
    assert_eq!(String::from_utf8_lossy(&r.received).lines().count(), 3);
    assert!(
        !r.eof,
        "EOF arrived although the parent still held a write end"
    );
    // ...until the parent closes its own copy.
    assert_eq!(r.eof_after_late_close, Some(true));
    assert_gone(&[r.child]);
}

#[test]
fn pipe_with_write_end_closed_sees_eof() {
    quiet();
    // A long timeout: EOF must come from the kernel, not from the timer.
    let r = pipe::run(true, Duration::from_secs(30)).unwrap();
    assert_eq!(r.child_exit, Some(0));
    assert!(r.eof);
    assert!(r.waited < Duration::from_secs(30));
    let text = String::from_utf8(r.received).unwrap();
    assert!(text.starts_with("line 1 from child "), "{text:?}");
    assert_eq!(text.lines().count(), 3);
    assert_eq!(r.eof_after_late_close, None);
    assert_gone(&[r.child]);
}

#[test]
fn socket_pair_round_trip_with_framed_messages() {
    let big = vec![b'x'; 300_000]; // larger than the socket buffer: must stream
    let requests: [(&str, &[u8]); 4] = [
        ("upper", b"hello"),
        ("reverse", b"abc"),
        ("count", &big),
        ("nope", b""),
    ];
    quiet();
    let r = socketpair::run(&requests).unwrap();
    assert_eq!(r.worker_exit, Some(0), "worker must exit cleanly on EOF");
    assert_eq!(r.exchanges.len(), 4);
    let bodies: Vec<&[u8]> = r
        .exchanges
        .iter()
        .map(|e| e.reply_body.as_slice())
        .collect();
    assert_eq!(bodies, [&b"HELLO"[..], b"cba", b"300000", b""]);
    for (i, ex) in r.exchanges.iter().enumerate() {
        assert_eq!(ex.reply["id"], i);
        assert_eq!(ex.reply["op"], ex.request["op"]);
        assert_eq!(
            ex.reply["worker_pid"], r.worker,
            "answered by the forked worker"
        );
        assert_eq!(ex.reply["total_size"], ex.reply_body.len());
    }
    assert_gone(&[r.worker]);
}

#[test]
fn an_unknown_op_gets_an_error_reply_and_the_worker_goes_on() {
    quiet();
    let requests: [(&str, &[u8]); 2] = [("fly", b"?"), ("upper", b"still here")];
    let r = socketpair::run(&requests).unwrap();
    assert_eq!(r.exchanges[0].reply["status"], "error");
    assert_eq!(r.exchanges[0].reply["error"], "unknown op \"fly\"");
    assert_eq!(r.exchanges[1].reply_body, b"STILL HERE");
    assert_eq!(r.worker_exit, Some(0));
    assert_gone(&[r.worker]);
}

#[test]
fn map_shared_is_shared_and_map_private_is_isolated() {
    quiet();
    let r = shm::run(4, 20_000).unwrap();
    assert_eq!(
        r.shared, 80_000,
        "every child's increments land in one page"
    );
    assert_eq!(
        r.private, 0,
        "children's writes to MAP_PRIVATE stay in their copies"
    );
    assert_eq!(r.heap, 0);
    assert_eq!(r.children_with_own_copy, 4);
    assert_gone(&r.children);
}

#[test]
fn crossbeam_channel_does_not_cross_fork() {
    quiet();
    let r = channel::run(42, WAIT).unwrap();
    assert!(r.child_sent_into_own_copy);
    assert_eq!(r.parent_got_from_child, None);
    assert_eq!(r.parent_got_from_thread, Some(42));
    assert_gone(&[r.child]);
}

/// A `Mapping` gives its page back when it is dropped: the address is
/// mapped before and not after, where `msync` fails with `ENOMEM` ("the
/// indicated memory (or part of it) was not mapped", msync(2)). Looked at
/// in a forked child: it has one thread, so nothing can map a new page at
/// that address between the drop and the look.
#[test]
fn a_mapping_is_unmapped_when_dropped() {
    let child = fork_child(|| {
        let Ok(m) = shm::Mapping::new(MapFlags::MAP_SHARED) else {
            return 2;
        };
        let page = NonNull::from(m.counter()).cast::<c_void>();
        // SAFETY: msync only asks the kernel about the range; it reads or
        // writes nothing through the pointer.
        let mapped = |page| unsafe { msync(page, 4096, MsFlags::MS_ASYNC) };
        if mapped(page).is_err() {
            return 3;
        }
        drop(m);
        match mapped(page) {
            Err(Errno::ENOMEM) => 0,
            Ok(()) => 4,
            Err(_) => 5,
        }
    })
    .unwrap();
    let code = exit_code(reap_or_kill(child, Duration::from_secs(20)).unwrap());
    assert_eq!(
        code,
        Some(0),
        "3: not mapped after mmap; 4: still mapped after drop; 5: msync failed otherwise"
    );
}
