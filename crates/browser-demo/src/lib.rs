//! `browser-demo`: the notes' B/S (browser <-> server) next to C/S
//! (client <-> server). A browser is a TCP client we did not write, so our
//! server must speak the browser's protocol, HTTP/1.1 — here by hand, on a
//! plain `TcpListener`, so that every byte is visible.
//!
//! HTTP frames its messages with both of the course's solutions to sticky
//! packets: the header ends at a *delimiter* (an empty line, `\r\n\r\n`),
//! and the body's size is a *length prefix* (`Content-Length`, the notes'
//! `total_size`).
//!
//! * [`http`] + [`request`]: reading one request with limits, taking its head
//!   apart, writing a response.
//! * [`server`]: the accept loop, keep-alive, timeouts, the request log.
//! * [`page`]: what the server answers: a page that shows what it saw.
//! * [`serve`]: the `serve` command: until Ctrl-C, every request logged raw.
//! * [`client`]: a hand-written client sending what a browser sends, two
//!   requests on one connection, split again only by `Content-Length`.

pub mod client;
pub mod http;
pub mod page;
pub mod request;
pub mod serve;
pub mod server;
