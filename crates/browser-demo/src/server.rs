//! The server side of B/S: `socket`/`bind`/`listen` (inside
//! `TcpListener::bind`), an `accept` loop, one thread per connection, and
//! HTTP keep-alive: several requests, one after another, on one connection.
//!
//! The notes say a server must run steadily and bind a fixed address. So
//! nothing a client sends may stop it: every failure of one connection is
//! logged and ends that connection only. Every request is reported on a
//! channel, raw, so whoever runs the server (the demo, a test) can show or
//! check exactly what arrived.

use crate::http::{self, Failure, Request};
use crate::page;
use crossbeam_channel::Sender;
use demo_kit::{tr, Result};
use std::io::Write;
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

/// The most connections served at once; more get 503 and are closed.
pub const MAX_CONNECTIONS: usize = 64;

/// The most 503 replies being sent at once, each on a short-lived thread
/// that closes the connection the careful way ([`answer_busy`]). During a
/// flood beyond that, the 503 is written and the socket closed at once.
pub const MAX_REFUSING: usize = 64;

/// How long the server waits for clients.
#[derive(Clone, Copy, Debug)]
pub struct Timeouts {
    /// For the first byte of a request (an idle keep-alive connection).
    pub idle: Duration,
    /// From the first byte until the head is complete.
    pub head: Duration,
}

impl Default for Timeouts {
    fn default() -> Self {
        Timeouts {
            idle: Duration::from_secs(15),
            head: Duration::from_secs(5),
        }
    }
}

/// What the server saw, in order, per connection.
#[derive(Clone, Debug)]
pub enum Event {
    Accepted {
        conn: u64,
        peer: SocketAddr,
    },
    /// A request was read and answered with `status`; `reply_len` bytes sent.
    Served {
        conn: u64,
        peer: SocketAddr,
        nth: u64,
        request: Request,
        status: u16,
        reply_len: usize,
    },
    /// Bad input: answered `status` (0: nothing sent) and closed.
    Refused {
        conn: u64,
        peer: SocketAddr,
        status: u16,
        why: String,
    },
    Closed {
        conn: u64,
        peer: SocketAddr,
        why: String,
    },
}

/// A running server: its address, and how to stop it.
pub struct Running {
    pub addr: SocketAddr,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Running {
    /// Stops accepting (connections already open finish by themselves).
    pub fn stop(mut self) {
        self.stop_now();
    }

    fn stop_now(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        wake(self.addr);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        self.stop_now();
    }
}

/// `accept()` blocks; to make the loop look at its stop flag we connect to
/// it once ourselves.
pub fn wake(addr: SocketAddr) {
    let _ = TcpStream::connect_timeout(&addr, Duration::from_secs(1));
}

/// Binds `addr` and serves on a thread of its own until stopped.
pub fn start(addr: &str, timeouts: Timeouts, log: Sender<Event>) -> Result<Running> {
    let listener = TcpListener::bind(addr).map_err(|e| demo_kit::fail::bind_error(addr, &e))?;
    let addr = listener.local_addr()?;
    let stop = Arc::new(AtomicBool::new(false));
    let flag = Arc::clone(&stop);
    let thread = std::thread::spawn(move || accept_loop(listener, timeouts, log, flag));
    Ok(Running {
        addr,
        stop,
        thread: Some(thread),
    })
}

fn accept_loop(
    listener: TcpListener,
    timeouts: Timeouts,
    log: Sender<Event>,
    stop: Arc<AtomicBool>,
) {
    let active = Arc::new(AtomicUsize::new(0));
    let refusing = Arc::new(AtomicUsize::new(0));
    let counter = AtomicU64::new(0);
    loop {
        let accepted = listener.accept();
        if stop.load(Ordering::SeqCst) {
            return;
        }
        // accept() can fail for reasons of one connection (ECONNABORTED)
        // or of the moment (EMFILE): neither stops the server.
        let Ok((stream, peer)) = accepted else {
            std::thread::sleep(Duration::from_millis(10));
            continue;
        };
        let conn = counter.fetch_add(1, Ordering::SeqCst) + 1;
        let _ = log.send(Event::Accepted { conn, peer });
        if active.fetch_add(1, Ordering::SeqCst) >= MAX_CONNECTIONS {
            active.fetch_sub(1, Ordering::SeqCst);
            let _ = log.send(Event::Refused {
                conn,
                peer,
                status: 503,
                why: "too many connections".into(),
            });
            refuse_busy(stream, &refusing, timeouts);
            continue;
        }
        let (log, active) = (log.clone(), Arc::clone(&active));
        std::thread::spawn(move || {
            let why = serve_connection(stream, conn, peer, timeouts, &log);
            // The slot is free before anyone hears of the close.
            active.fetch_sub(1, Ordering::SeqCst);
            let _ = log.send(Event::Closed { conn, peer, why });
        });
    }
}

/// 503 on a thread of its own, so that the accept loop never waits for a
/// refused client; at most [`MAX_REFUSING`] at once.
fn refuse_busy(mut stream: TcpStream, refusing: &Arc<AtomicUsize>, t: Timeouts) {
    if refusing.fetch_add(1, Ordering::SeqCst) >= MAX_REFUSING {
        refusing.fetch_sub(1, Ordering::SeqCst);
        let _ = stream.write_all(&busy_reply());
        return;
    }
    let count = Arc::clone(refusing);
    let spawned = std::thread::Builder::new().spawn(move || {
        if stream.set_write_timeout(Some(t.head)).is_ok() {
            answer_busy(&mut stream);
        }
        count.fetch_sub(1, Ordering::SeqCst);
    });
    if spawned.is_err() {
        // No thread to be had: the stream was dropped with the closure.
        refusing.fetch_sub(1, Ordering::SeqCst);
    }
}

fn busy_reply() -> Vec<u8> {
    http::response(503, "text/plain", b"busy\n", false)
}

/// The 503 reply, then the same careful close as every error reply
/// ([`linger`]): a client that already sent its request still reads the 503.
pub fn answer_busy(stream: &mut TcpStream) {
    let _ = stream.write_all(&busy_reply());
    linger(stream);
}

/// Serves requests on one connection until it ends; returns why it ended.
fn serve_connection(
    mut stream: TcpStream,
    conn: u64,
    peer: SocketAddr,
    t: Timeouts,
    log: &Sender<Event>,
) -> String {
    // A client that never reads our reply must not hold the thread either.
    if let Err(e) = stream.set_write_timeout(Some(t.head)) {
        return tr!(
            "setsockopt(SO_SNDTIMEO) failed: {e}",
            "setsockopt(SO_SNDTIMEO) 失败：{e}"
        );
    }
    let mut pending = Vec::new();
    let mut nth = 0;
    loop {
        let request = match http::read_request(&mut stream, &mut pending, t.idle, t.head) {
            Ok(r) => r,
            Err(Failure::Closed) => {
                return tr!("the client closed the connection", "客户端关闭了连接")
            }
            Err(Failure::ClosedMidHead(n)) => {
                return tr!(
                    "the client closed after {n} bytes of an unfinished request",
                    "客户端发了一个没发完的请求（{n} 个字节）就关闭了连接"
                )
            }
            Err(Failure::TimedOut(0)) => {
                return tr!("idle for {:?}: closed it", "空闲了 {:?}：已关闭", t.idle)
            }
            Err(Failure::TimedOut(n)) => {
                let why = tr!(
                    "only {n} bytes of a head within {:?}: closed it",
                    "{:?} 内只收到报头的 {n} 个字节：已关闭",
                    t.head
                );
                let _ = log.send(Event::Refused {
                    conn,
                    peer,
                    status: 0,
                    why: why.clone(),
                });
                return why;
            }
            Err(Failure::Reject(status, why)) => {
                let body = format!("{status} {}: {why}\n", http::reason(status));
                let _ = stream.write_all(&http::response(
                    status,
                    "text/plain; charset=utf-8",
                    body.as_bytes(),
                    false,
                ));
                let _ = log.send(Event::Refused {
                    conn,
                    peer,
                    status,
                    why: why.clone(),
                });
                linger(&mut stream);
                return tr!(
                    "answered {status} and closed: {why}",
                    "回复 {status} 后关闭：{why}"
                );
            }
            Err(Failure::Io(e)) => return tr!("read failed: {e}", "read 失败：{e}"),
        };
        nth += 1;
        let keep = request.keep_alive();
        let (status, content_type, body) = page::route(&request, peer, conn, nth);
        // A reply to HEAD is the head a GET would get, and no body at all
        // (RFC 9110 §9.3.2): the client knows not to wait for one.
        let reply = if request.method == "HEAD" {
            http::response_head(status, content_type, body.len(), keep)
        } else {
            http::response(status, content_type, &body, keep)
        };
        if let Err(e) = stream.write_all(&reply) {
            return tr!("write failed: {e}", "write 失败：{e}");
        }
        let _ = log.send(Event::Served {
            conn,
            peer,
            nth,
            request,
            status,
            reply_len: reply.len(),
        });
        if !keep {
            return "the client asked for Connection: close".into();
        }
    }
}

/// Closing a socket with unread bytes in its receive buffer makes the
/// kernel send RST, which can destroy our error reply before the client
/// reads it. So: `shutdown(SHUT_WR)` (our FIN after the reply), then read
/// and discard what the client is still sending, bounded in time and size.
fn linger(stream: &mut TcpStream) {
    use std::io::Read;
    let _ = stream.shutdown(std::net::Shutdown::Write);
    // One deadline for the whole drain, not one per read: a client that
    // keeps trickling bytes must not hold this connection's thread longer.
    let deadline = std::time::Instant::now() + Duration::from_millis(500);
    let mut sink = [0u8; 4096];
    for _ in 0..64 {
        let left = deadline.saturating_duration_since(std::time::Instant::now());
        if left.is_zero() || stream.set_read_timeout(Some(left)).is_err() {
            break;
        }
        match stream.read(&mut sink) {
            Ok(n) if n > 0 => continue,
            _ => break,
        }
    }
}

#[cfg(test)]
mod tests;
