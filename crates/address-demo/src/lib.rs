//! `address-demo`: the notes' 标识地址的方式 (how things are addressed),
//! each claim checked on the student's own machine.
//!
//! * [`interfaces`]: a machine's media and addresses: MAC (link layer) and
//!   IPv4/IPv6 per interface, from `getifaddrs()`; loopback has no MAC.
//! * [`sockets`]: ip + port finds a socket: the kernel's socket table
//!   (`/proc/net/tcp*`) joined to each process's fds, like `netstat -ltnp`.
//! * [`url`]: a URL taken apart by hand, its default port from its scheme,
//!   its host resolved by the system resolver.
//! * [`services`]: well-known ports, from `/etc/services`.
//! * [`dns`] + [`dns_talk`]: DNS is a protocol of its own on UDP port 53: a fixed 12-byte
//!   header, then a body — the notes' 报头 + 数据 idea.

pub mod dns;
pub mod dns_talk;
pub mod interfaces;
pub mod services;
pub mod sockets;
pub mod url;
