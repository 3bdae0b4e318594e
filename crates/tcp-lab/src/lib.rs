//! `tcp-lab`: the TCP handshake made by hand, against the real kernel.
//!
//! The lab creates a private network namespace, puts a TUN device `tun0` in
//! it, and plays the other end of Linux's TCP: every byte of every IPv4 and
//! TCP header it sends is written here, checksums included, and the kernel
//! decides whether they were right.
//!
//! * [`netns`]: the private namespace (root, or a user namespace), exit 77 without.
//! * [`tun`]: the TUN device, its address and link state, by ioctl.
//! * [`kstate`]: the kernel's view: `/proc/net/tcp` states, `/proc/net/snmp` counters, sysctls.
//! * [`peer`]: our end of a connection, drawn on the ladder (crate `tcp-packet`).
//! * [`handshake`] + [`bad`]: the default mode.
//! * [`connect`]: the kernel as the client; its SYN retransmissions timed.
//! * [`wire`] + [`forward`] + [`impair`]: two network stacks joined through the lab, a lossy wire.

pub mod bad;
pub mod connect;
pub mod forward;
pub mod handshake;
pub mod impair;
pub mod kstate;
pub mod netns;
pub mod peer;
pub mod tun;
pub mod wire;
