//! `handshake-demo`: the TCP handshake (三次握手), the teardown (四次挥手)
//! and the listen backlog (半连接池), watched on the student's own kernel.
//!
//! The course shows these as pictures. Here every state, counter and packet
//! printed is read from Linux at the moment it happens:
//!
//! * [`kernel`] + [`procnet`]: where Linux tells a socket's state (`TCP_INFO`, `/proc/net/tcp`).
//! * [`states`] + [`tour`]: one connection from `listen()` to TIME_WAIT.
//! * [`backlog`] + [`admit`] + [`listener`]: a listener that never accepts, what the
//!   backlog limits, and who gets in once it does accept.
//! * [`retries`]: a dropped SYN, and when the client's kernel sends it again.
//! * [`packet`] + [`sniff`] + [`wire`]: the real SYN / SYN+ACK / ACK and FIN packets.
//! * [`reuse`]: restarting a server on the same port, with and without SO_REUSEADDR.

pub mod admit;
pub mod backlog;
pub mod kernel;
pub mod listener;
pub mod packet;
pub mod procnet;
pub mod retries;
pub mod reuse;
pub mod sniff;
pub mod states;
pub mod tour;
pub mod wire;
