//! UDP: a fast sender, a slow reader with a small receive buffer.
//!
//! `sendto()` on UDP hands the datagram to the kernel and returns. On
//! loopback, `loopback_xmit()` puts it on this CPU's backlog queue
//! (`netif_rx`); the softirq that drains that queue, usually before
//! `sendto()` returns, delivers it into the receiver's buffer — or, if that
//! buffer is full, drops it and adds one to a counter. The sender never
//! learns of it: UDP has no acknowledgement, so there is nothing to
//! retransmit and nobody to tell. That, not "sends and deletes", is what
//! makes it unreliable (不可靠); nor does UDP restore order, remove
//! duplicates or slow down for the receiver or the network (RFC 768,
//! RFC 8085).

use crate::kernel;
use demo_kit::say::say;
use demo_kit::Side;
use demo_kit::{tr, Context, Result};
use nix::sys::socket::{getsockopt, setsockopt, sockopt};
use std::net::UdpSocket;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// What the UDP run measured.
#[derive(Debug)]
pub struct UdpReport {
    pub sent: u64,
    /// `sendto()` calls that returned an error (the sender's only news).
    pub send_errors: u64,
    pub received: u64,
    /// Every `recv()` returned exactly one message of the size sent: the
    /// buffer had a byte to spare, so a longer datagram, or two stuck
    /// together, would have shown.
    pub each_whole: bool,
    /// The size of each message sent.
    pub size: usize,
    /// Received sequence numbers were strictly increasing: no datagram came
    /// twice or out of order. On loopback (one queue, no second path) that
    /// is what happens; UDP itself promises neither order nor uniqueness.
    pub in_order: bool,
    /// The first few lost sequence numbers, as ranges.
    pub first_gaps: Vec<(u32, u32)>,
    /// The receive buffer the kernel actually granted (`getsockopt`).
    pub rcvbuf: usize,
    /// `/proc/net/udp` `drops` for the receiver's socket: exact.
    pub socket_drops: u64,
    /// `/proc/net/snmp` `Udp: RcvbufErrors` after minus before:
    /// namespace-wide, so other programs' drops count too.
    pub rcvbuf_errors_delta: u64,
    /// How long the sender took for all its `sendto()` calls.
    pub send_time: Duration,
    pub elapsed: Duration,
}

impl UdpReport {
    pub fn lost(&self) -> u64 {
        self.sent - self.received
    }
}

/// Sends `count` datagrams of `size` bytes to a receiver with
/// `SO_RCVBUF = rcvbuf` that pauses `pause` after each `recv()`.
pub fn run(count: u32, size: usize, rcvbuf: usize, pause: Duration) -> Result<UdpReport> {
    let started = Instant::now();
    let receiver =
        UdpSocket::bind("127.0.0.1:0").context(tr!("bind() the receiver", "给接收方 bind()"))?;
    setsockopt(&receiver, sockopt::RcvBuf, &rcvbuf).context("setsockopt(SO_RCVBUF)")?;
    let granted = getsockopt(&receiver, sockopt::RcvBuf).context("getsockopt(SO_RCVBUF)")?;
    let inode = kernel::socket_inode(&receiver)?;
    let drops_before = kernel::udp_socket_drops(inode)?;
    let errors_before = kernel::udp_rcvbuf_errors()?;
    let to = receiver.local_addr()?;
    let sender =
        UdpSocket::bind("127.0.0.1:0").context(tr!("bind() the sender", "给发送方 bind()"))?;

    let done = Arc::new(AtomicBool::new(false));
    let reader = {
        let (socket, done) = (receiver.try_clone()?, Arc::clone(&done));
        std::thread::spawn(move || slow_reader(socket, size, pause, done))
    };
    let mut send_errors = 0;
    let sending = Instant::now();
    for seq in 0..count {
        if sender.send_to(&crate::message(seq, size), to).is_err() {
            send_errors += 1;
        }
    }
    let send_time = sending.elapsed();
    // On loopback each datagram was delivered (or dropped) by the backlog's
    // softirq, normally before sendto() returned: once the loop is over,
    // the reader only has to empty its buffer.
    done.store(true, Ordering::SeqCst);
    let (seqs, each_whole) = reader
        .join()
        .map_err(|_| demo_kit::Error::msg("the reader thread panicked"))??;

    let socket_drops = kernel::udp_socket_drops(inode)? - drops_before;
    let rcvbuf_errors_delta = kernel::udp_rcvbuf_errors()?.saturating_sub(errors_before);
    let in_order = seqs.windows(2).all(|w| w[0] < w[1]);
    Ok(UdpReport {
        sent: u64::from(count),
        send_errors,
        received: seqs.len() as u64,
        each_whole,
        size,
        in_order,
        first_gaps: gaps(&seqs, count, 3),
        rcvbuf: granted,
        socket_drops,
        rcvbuf_errors_delta,
        send_time,
        elapsed: started.elapsed(),
    })
}

/// Reads datagrams, pausing after each, until the sender is done and the
/// buffer is empty; returns the sequence numbers it got, and whether every
/// `recv()` returned exactly `size` bytes.
fn slow_reader(
    socket: UdpSocket,
    size: usize,
    pause: Duration,
    done: Arc<AtomicBool>,
) -> Result<(Vec<u32>, bool)> {
    // A bound on every wait: recv() gives up after 50 ms and we look again.
    socket.set_read_timeout(Some(Duration::from_millis(50)))?;
    // One byte more than a message: anything longer would show, not be cut.
    let mut buf = vec![0u8; size.max(4) + 1];
    let (mut seqs, mut each_whole) = (Vec::new(), true);
    loop {
        if done.load(Ordering::SeqCst) && demo_kit::sock::queued_bytes(&socket)? == 0 {
            return Ok((seqs, each_whole));
        }
        match socket.recv(&mut buf) {
            Ok(n) => {
                each_whole &= n == size;
                if n >= 4 {
                    seqs.push(u32::from_be_bytes([buf[0], buf[1], buf[2], buf[3]]));
                }
            }
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) =>
            {
                continue
            }
            Err(e) => return Err(e).context(tr!("recv() on the receiver", "接收方 recv()")),
        }
        std::thread::sleep(pause);
    }
}

/// The first `max` runs of missing numbers in `0..count`, as (first, last).
pub fn gaps(seqs: &[u32], count: u32, max: usize) -> Vec<(u32, u32)> {
    let mut out = Vec::new();
    let mut expect = 0;
    for &s in seqs.iter().chain(std::iter::once(&count)) {
        if s > expect && out.len() < max {
            out.push((expect, s - 1));
        }
        expect = expect.max(s + 1);
    }
    out
}

/// Tells what the run measured, each line from our count or the kernel's.
pub fn narrate(r: &UdpReport, asked_rcvbuf: usize) {
    say(
        Side::Kernel,
        tr!(
            "the receiver asked for SO_RCVBUF {}, got {} bytes",
            "接收方请求 SO_RCVBUF {}，得到 {} 个字节",
            asked_rcvbuf,
            r.rcvbuf
        ),
    );
    say(
        Side::Client,
        tr!(
            "sendto() {} times in {:.0?}: {} returned an error: the sender never waited and was told nothing", "{1:.0?} 内 sendto() {0} 次：其中 {2} 次返回错误：发送方从没等过，也没收到任何通知",
            r.sent, r.send_time, r.send_errors
        ),
    );
    say(
        Side::Server,
        tr!(
            "received {} datagrams; every recv() returned one whole {}-byte message: {}; lost = {} - {} = {}", "收到 {} 个数据报；每次 recv() 都返回一条完整的 {} 字节消息：{}；丢失 = {} - {} = {}",
            r.received,
            r.size,
            r.each_whole,
            r.sent,
            r.received,
            r.lost()
        ),
    );
    say(
        Side::Server,
        tr!(
            "the first missing numbers: {:?}; the rest came in order, none twice: {} (loopback has one queue; UDP promises neither)", "最先缺的几个编号：{:?}；其余的按顺序到达，没有重复：{}（回环只有一个队列；UDP 对这两点都不作保证）",
            r.first_gaps, r.in_order
        ),
    );
    say(
        Side::Kernel,
        tr!(
            "/proc/net/udp, this socket's drops: +{} (exactly the lost datagrams: {})",
            "/proc/net/udp，这个套接字的 drops：+{}（正好等于丢失的数据报：{}）",
            r.socket_drops,
            r.socket_drops == r.lost()
        ),
    );
    say(
        Side::Kernel,
        tr!(
            "/proc/net/snmp Udp RcvbufErrors: +{} (the whole machine's count, so >= {})",
            "/proc/net/snmp Udp RcvbufErrors：+{}（整台机器的计数，所以 >= {}）",
            r.rcvbuf_errors_delta,
            r.socket_drops
        ),
    );
    say(Side::Note, tr!("in {:.0?}: dropped on arrival because the buffer was full; no acknowledgement, so no retransmission and no error", "{:.0?} 内：因为缓冲区满了，数据报一到就被丢弃；没有确认，所以没有重传，也没有报错", r.elapsed));
}
