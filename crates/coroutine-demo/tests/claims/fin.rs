//! The runtime's reads after a short one: a FIN that came with the last
//! bytes is no new edge, so the read after them must still be made.

use coroutine_demo::runtime::Runtime;

#[test]
fn a_half_frame_whose_fin_came_with_it_ends_its_task_instead_of_hanging_it() {
    // The vanishing client of step 5, when its FIN is in before the server
    // reads: the server's task has registered the socket (its first read
    // said EAGAIN); then the half frame and the FIN arrive, one edge. The
    // read of the body returns 10 bytes of 100, emptying the buffer, but
    // the next read must still be made: it returns 0 (end of file) at
    // once, and no edge will come after the FIN's. (Seen as a hang of the
    // demo's step 5, 6 times in about 600 runs on one busy core.)
    use coroutine_demo::echo;
    use coroutine_demo::runtime::net::TcpStream;
    use coroutine_demo::runtime::{spawn, yield_now};
    use std::io::{ErrorKind, Write};
    use std::os::fd::AsRawFd;
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let mut peer = std::net::TcpStream::connect(listener.local_addr().unwrap()).unwrap();
    let (conn, _) = listener.accept().unwrap();
    let fd = conn.as_raw_fd();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let served = Runtime::new().and_then(|rt| {
            rt.block_on(async move {
                let task = spawn("conn", async move {
                    echo::serve_conn(TcpStream::from_std(conn)?).await
                });
                // The task runs, reads, gets EAGAIN and registers.
                yield_now().await;
                peer.write_all(&100i32.to_le_bytes())?;
                peer.write_all(&[b'x'; 10])?;
                drop(peer);
                // The FIN is in once poll(2) reports POLLRDHUP (up to 5 s).
                let mut fin = nix::libc::pollfd {
                    fd,
                    events: nix::libc::POLLRDHUP,
                    revents: 0,
                };
                // SAFETY: one pollfd, valid for the call; the task owns fd.
                assert_eq!(unsafe { nix::libc::poll(&mut fin, 1, 5000) }, 1, "no FIN");
                task.await
            })
        });
        let _ = tx.send(served.map(|r| r.map_err(|e| e.kind())));
    });
    let served = rx
        .recv_timeout(std::time::Duration::from_secs(10))
        .expect("serve_conn still waits, 10 s after its peer closed");
    assert_eq!(served.unwrap(), Err(ErrorKind::UnexpectedEof));
}
