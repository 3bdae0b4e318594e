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
    match state {
        1 => "ESTABLISHED",
        2 => "SYN_SENT",
        3 => "SYN_RECV",
        4 => "FIN_WAIT1",
        5 => "FIN_WAIT2",
        6 => "TIME_WAIT",
        7 => "CLOSE",
        8 => "CLOSE_WAIT",
        9 => "LAST_ACK",
        10 => "LISTEN",
        11 => "CLOSING",
        _ => "UNKNOWN",
    }
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

// The tests are the exercise's own, kept once: see exercises/01_handshake/tcp_states.rs.
// (`cargo run -p course -- verify` runs them against this solution.)
