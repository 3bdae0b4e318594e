//! The `--help` text of each mode (kept out of `main.rs`, which holds the story).

/// The help for `mode`; the general help for `states`.
pub fn text(mode: &str) -> &'static str {
    match mode {
        "backlog" => BACKLOG,
        "retries" => RETRIES,
        "sniff" => SNIFF,
        "reuse" => REUSE,
        _ => GENERAL,
    }
}

const GENERAL: &str = "\
handshake-demo: the TCP handshake (三次握手), teardown (四次挥手) and backlog (半连接池)
on your own kernel.

usage: handshake-demo [MODE] [--ipv6]

modes:
  states   (default) one connection from listen() to TIME_WAIT; both ends'
           states read from TCP_INFO and /proc/net/tcp after each step,
           then FIN_WAIT1 and LAST_ACK made visible
  backlog  a listener that never accepts: what listen(N) really limits
           (see: handshake-demo backlog --help)
  retries  a client whose SYN is dropped: when its kernel retries (about 7 s)
  sniff    the real packets with their seq/ack numbers (needs root or
           CAP_NET_RAW; see: handshake-demo sniff --help)
  reuse    restart a server on the same port, with and without SO_REUSEADDR

options:
  --ipv6   use [::1] instead of 127.0.0.1
  -h, --help  this text (also after a mode, for that mode's options)
";

const BACKLOG: &str = "\
handshake-demo backlog: what listen(N) really limits (半连接池 / accept queue).

usage: handshake-demo backlog [--backlog N] [--clients K] [--ipv6]

A listener made with listen(N) never calls accept(); K clients connect
without blocking. Watch N+1 of them finish the handshake and the rest wait in
SYN_SENT, then watch waiting clients get in once the server accepts.

options:
  --backlog N   the listen() backlog, 0..=1000 (default 2)
  --clients K   how many clients connect, 1..=20 (default N+3; each dropped
                client costs 0.5 s)
  --ipv6        use [::1] instead of 127.0.0.1
";

const RETRIES: &str = "\
handshake-demo retries: a client whose SYN is dropped (the listen(0) queue is
full), and the moments its kernel sends the SYN again, read from TCP_INFO.

usage: handshake-demo retries [--count N] [--ipv6]

options:
  --count N   how many retries to time, 1..=6 (default 6: about 7 s with
              Linux's defaults, whose waits are 1, 1, 1, 1, 1, 2, 4 s)
  --ipv6      use [::1] instead of 127.0.0.1
";

const REUSE: &str = "\
handshake-demo reuse: restart a server on the same port after it was stopped
with a client still connected, with and without SO_REUSEADDR (and see why the
course needs it); and the course's normal case, where the client closed first.

usage: handshake-demo reuse [--ipv6]

options:
  --ipv6   use [::1] instead of 127.0.0.1
";

const SNIFF: &str = "\
handshake-demo sniff: the real packets of one connection (SYN, SYN|ACK, ACK,
data, FIN...) with absolute and relative seq/ack numbers, read from a raw
socket and parsed by hand. Shows a four-way teardown and the three-packet one.

usage: handshake-demo sniff

needs CAP_NET_RAW: run as root (sudo ./target/debug/handshake-demo sniff) or
give the binary the capability: sudo setcap cap_net_raw+ep ./target/debug/handshake-demo
IPv4 only.
";
