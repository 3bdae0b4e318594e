//! The `--help` text (kept out of `main.rs`, which holds the story).

pub const HELP: &str = "\
tcp-lab: the TCP handshake by hand, against your own kernel, over a TUN device

usage: tcp-lab [handshake]            SYN, SYN|ACK, ACK, data, FIN/ACK/FIN/ACK, bad packets
       tcp-lab connect [--answer-after N]
                                      the kernel connects to us; we answer its Nth SYN
                                      (1..=7, default 3) and time its retransmissions
       tcp-lab wire [--loss P] [--delay MS] [--reorder P] [--duplicate P] [--bytes N]
                                      two network stacks, a lossy wire between them:
                                      P in 0..=50 (percent), MS in 0..=500, N in 1..=50000000

Everything happens in a private network namespace (192.0.2.0/24, TEST-NET-1),
which disappears when the lab exits. Needs root, or unprivileged user namespaces
plus a usable /dev/net/tun; without them it exits with status 77 and says why.";
