// Exercise `tcp_states` — lesson 01, the handshake (三次握手):
// docs/01-handshake.md
//
// The course names the states a connection goes through (LISTEN, SYN_SENT,
// SYN_RCVD, ESTABLISHED, ...). The kernel tells you the state of any socket
// you hold: `getsockopt(TCP_INFO)` fills in a number. `state_of` below
// already asks the kernel. Your job: write `state_name`, turning the
// kernel's number into its name (Linux numbering, include/net/tcp_states.h):
//
//   1 ESTABLISHED   2 SYN_SENT   3 SYN_RECV   4 FIN_WAIT1   5 FIN_WAIT2
//   6 TIME_WAIT     7 CLOSE      8 CLOSE_WAIT 9 LAST_ACK   10 LISTEN
//  11 CLOSING       anything else: "UNKNOWN"
//
// Then read the tests: they walk one real connection through its states.

use std::os::fd::AsRawFd;

/// The name of a TCP state number as the kernel reports it.
fn state_name(state: u8) -> &'static str {
    todo!("the name of TCP state number {state}")
}

/// Asks the kernel for the state of a TCP socket (`getsockopt(TCP_INFO)`).
fn state_of(socket: &impl AsRawFd) -> &'static str {
    use nix::libc;
    // SAFETY: tcp_info is plain data; the kernel fills at most `len` bytes.
    let mut info: libc::tcp_info = unsafe { std::mem::zeroed() };
    let mut len = std::mem::size_of::<libc::tcp_info>() as libc::socklen_t;
    let rc = unsafe {
        libc::getsockopt(
            socket.as_raw_fd(),
            libc::IPPROTO_TCP,
            libc::TCP_INFO,
            (&mut info as *mut libc::tcp_info).cast(),
            &mut len,
        )
    };
    assert_eq!(
        rc,
        0,
        "getsockopt(TCP_INFO): {}",
        std::io::Error::last_os_error()
    );
    state_name(info.tcpi_state)
}

#[cfg(test)]
mod tests {
    use super::*;
    use exercises::within;
    use std::io::Read;
    use std::net::{Shutdown, TcpListener, TcpStream};
    use std::time::{Duration, Instant};

    /// Polls the state until it is `want` (the peer's ACK takes a moment).
    fn wait_for(socket: &impl AsRawFd, want: &str) -> &'static str {
        let deadline = Instant::now() + Duration::from_secs(5);
        loop {
            let now = state_of(socket);
            if now == want || Instant::now() > deadline {
                return now;
            }
            std::thread::sleep(Duration::from_millis(5));
        }
    }

    #[test]
    fn names_follow_the_kernel_numbering() {
        within(5, || {
            assert_eq!(state_name(1), "ESTABLISHED");
            assert_eq!(state_name(3), "SYN_RECV");
            assert_eq!(state_name(6), "TIME_WAIT");
            assert_eq!(state_name(8), "CLOSE_WAIT");
            assert_eq!(state_name(10), "LISTEN");
            assert_eq!(state_name(11), "CLOSING");
            assert_eq!(state_name(0), "UNKNOWN");
            assert_eq!(state_name(12), "UNKNOWN");
        });
    }

    #[test]
    fn a_real_connection_walks_through_the_states() {
        within(20, || {
            let listener = TcpListener::bind("127.0.0.1:0").unwrap();
            assert_eq!(state_of(&listener), "LISTEN", "a listening socket");

            // connect() returns once the handshake is done: both sides ESTABLISHED.
            let client = TcpStream::connect(listener.local_addr().unwrap()).unwrap();
            let (mut server, _) = listener.accept().unwrap();
            assert_eq!(state_of(&client), "ESTABLISHED", "client after connect");
            assert_eq!(state_of(&server), "ESTABLISHED", "server after accept");

            // The client says "I am done sending" (its FIN): the first wave.
            client.shutdown(Shutdown::Write).unwrap();
            let mut buf = [0u8; 16];
            assert_eq!(
                server.read(&mut buf).unwrap(),
                0,
                "the server sees end-of-file"
            );
            assert_eq!(
                state_of(&server),
                "CLOSE_WAIT",
                "server got the FIN, may still send"
            );
            assert_eq!(
                wait_for(&client, "FIN_WAIT2"),
                "FIN_WAIT2",
                "client's FIN was ACKed"
            );

            // The server closes too: its FIN reaches the client. The
            // connection's TIME_WAIT now lives in a small record the kernel
            // keeps by itself (see `ss -tan`); the socket we hold says CLOSE.
            drop(server);
            let mut buf = [0u8; 16];
            let mut client = client;
            assert_eq!(
                client.read(&mut buf).unwrap(),
                0,
                "the client sees end-of-file"
            );
            assert_eq!(wait_for(&client, "CLOSE"), "CLOSE", "after both FINs");
        });
    }
}
