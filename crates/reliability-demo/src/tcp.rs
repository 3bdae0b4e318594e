//! TCP: the same fast sender, the same slow reader, the same small buffer.
//!
//! Nothing is lost, and not by luck. The receiver's kernel advertises how
//! much room its buffer has left (the *window*); when it is full the window
//! is 0 and the sender's kernel stops sending. The sender's buffer fills,
//! and `write()` *blocks* (flow control). Every byte sent stays in the
//! sender's kernel until the peer acknowledges it — the true half of the
//! notes' "清空数据 only after the peer confirms" — so a lost segment can be
//! sent again. An ACK says the peer's *kernel* has the bytes, not that the
//! reading program has read them (RFC 793 §2.6).
//!
//! Both buffers are small: the listener's `SO_RCVBUF` (inherited by the
//! accepted socket) and the sender's `SO_SNDBUF` are set to the same size.

use crate::{kernel, Checksum};
use demo_kit::say::say;
use demo_kit::{bail_msg, tr, Context, Result, Side};
use nix::sys::socket::{getsockopt, setsockopt, sockopt};
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// A `write()` that took longer than this was blocked, not copying.
pub const BLOCKED: Duration = Duration::from_millis(1);

/// What the TCP run measured.
#[derive(Debug)]
pub struct TcpReport {
    pub sent_bytes: u64,
    pub received_bytes: u64,
    pub sent_sum: Checksum,
    pub received_sum: Checksum,
    pub rcvbuf: usize,
    pub sndbuf: usize,
    pub writes: u64,
    /// `write()` calls that took longer than [`BLOCKED`].
    pub blocked_writes: u64,
    /// Total time spent inside those blocked `write()` calls.
    pub blocked_time: Duration,
    pub longest_write: Duration,
    /// Total time spent inside all `write()` calls: waiting, mostly.
    pub write_time: Duration,
    pub send_time: Duration,
    /// The most bytes seen in the sender's queue not yet acknowledged
    /// (`SIOCOUTQ`), and at that moment not yet even sent (`SIOCOUTQNSD`).
    pub max_unacked: usize,
    pub unsent_then: usize,
    pub samples: u64,
    /// `TcpExt: TCPToZeroWindowAdv` rise (namespace-wide): times a
    /// receiver's advertised window went from open to 0 (`tcp_select_window`
    /// in net/ipv4/tcp_output.c); a window that stays 0 counts once.
    pub zero_window_delta: Option<u64>,
}

/// Sends `count` messages of `size` bytes to a reader that pauses `pause`
/// after each `read()` of at most `size` bytes.
pub fn run(count: u32, size: usize, rcvbuf: usize, pause: Duration) -> Result<TcpReport> {
    let zero_before = zero_windows();
    let listener = TcpListener::bind("127.0.0.1:0")
        .context(tr!("bind() the listener", "给监听套接字 bind()"))?;
    // Set before the handshake: the window scale is fixed in the SYN (RFC
    // 7323), and an accepted socket inherits its listener's buffer sizes.
    setsockopt(&listener, sockopt::RcvBuf, &rcvbuf).context("setsockopt(SO_RCVBUF)")?;
    let mut sender = TcpStream::connect(listener.local_addr()?).context("connect()")?;
    setsockopt(&sender, sockopt::SndBuf, &rcvbuf).context("setsockopt(SO_SNDBUF)")?;
    let (receiver, _) = listener.accept().context("accept()")?;
    let granted = getsockopt(&receiver, sockopt::RcvBuf)?;
    let sndbuf = getsockopt(&sender, sockopt::SndBuf)?;
    let reader = std::thread::spawn(move || slow_reader(receiver, size, pause));

    // A watcher samples the sender's queue while the writer works.
    let done = Arc::new(AtomicBool::new(false));
    let watcher = {
        let (socket, done) = (sender.try_clone()?, Arc::clone(&done));
        std::thread::spawn(move || watch(socket, done))
    };
    let mut sent_sum = Checksum::default();
    let (mut blocked_writes, mut blocked_time, mut longest) = (0, Duration::ZERO, Duration::ZERO);
    let mut write_time = Duration::ZERO;
    let start = Instant::now();
    for seq in 0..count {
        let m = crate::message(seq, size);
        sent_sum.update(&m);
        let t = Instant::now();
        sender
            .write_all(&m)
            .context(tr!("write() to the receiver", "向接收方 write()"))?;
        let took = t.elapsed();
        write_time += took;
        longest = longest.max(took);
        if took > BLOCKED {
            blocked_writes += 1;
            blocked_time += took;
        }
    }
    let send_time = start.elapsed();
    done.store(true, Ordering::SeqCst);
    let (max_unacked, unsent_then, samples) = watcher
        .join()
        .map_err(|_| demo_kit::Error::msg("the watcher thread panicked"))?;
    // The last copy of the sender's fd: closing it sends FIN, and the reader
    // sees end-of-file after the last byte.
    drop(sender);
    let (received_bytes, received_sum) = reader
        .join()
        .map_err(|_| demo_kit::Error::msg("the reader thread panicked"))??;
    Ok(TcpReport {
        sent_bytes: u64::from(count) * size as u64,
        received_bytes,
        sent_sum,
        received_sum,
        rcvbuf: granted,
        sndbuf,
        writes: u64::from(count),
        blocked_writes,
        blocked_time,
        longest_write: longest,
        write_time,
        send_time,
        max_unacked,
        unsent_then,
        samples,
        zero_window_delta: zero_before.and_then(|b| Some(zero_windows()?.saturating_sub(b))),
    })
}

fn zero_windows() -> Option<u64> {
    kernel::counter("/proc/net/netstat", "TcpExt:", "TCPToZeroWindowAdv").ok()
}

/// Reads to end-of-file, pausing after each `read()`; returns the byte
/// count and checksum. Every wait is bounded by a 10 s read timeout.
fn slow_reader(mut socket: TcpStream, size: usize, pause: Duration) -> Result<(u64, Checksum)> {
    socket.set_read_timeout(Some(Duration::from_secs(10)))?;
    let mut buf = vec![0u8; size.max(1)];
    let (mut total, mut sum) = (0u64, Checksum::default());
    loop {
        match socket.read(&mut buf) {
            Ok(0) => return Ok((total, sum)),
            Ok(n) => {
                total += n as u64;
                sum.update(&buf[..n]);
            }
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => {
                return Err(e).context(tr!(
                    "read() on the receiver (stalled for 10 s?)",
                    "接收方 read()（卡住 10 s 了？）"
                ))
            }
        }
        std::thread::sleep(pause);
    }
}

/// Samples `SIOCOUTQ`/`SIOCOUTQNSD` every millisecond until `done`;
/// returns the largest unacknowledged count, the unsent part then, and how
/// many samples were taken.
fn watch(socket: TcpStream, done: Arc<AtomicBool>) -> (usize, usize, u64) {
    let (mut max, mut unsent_then, mut samples) = (0, 0, 0);
    while !done.load(Ordering::SeqCst) && samples < 1_000_000 {
        if let Ok((unacked, unsent)) = kernel::send_queue(&socket) {
            samples += 1;
            if unacked > max {
                (max, unsent_then) = (unacked, unsent);
            }
        }
        std::thread::sleep(Duration::from_millis(1));
    }
    (max, unsent_then, samples)
}

/// Fails unless every byte arrived intact.
pub fn check(r: &TcpReport) -> Result<()> {
    if r.received_bytes != r.sent_bytes || r.received_sum != r.sent_sum {
        return bail_msg(tr!(
            "TCP lost or changed data: sent {} bytes, received {}",
            "TCP 丢失或改动了数据：发送 {} 个字节，收到 {} 个",
            r.sent_bytes,
            r.received_bytes
        ));
    }
    Ok(())
}

/// Tells what the run measured, each line from our count or the kernel's.
pub fn narrate(r: &TcpReport) {
    say(
        Side::Kernel,
        tr!(
            "receiver SO_RCVBUF {} bytes, sender SO_SNDBUF {} bytes",
            "接收方 SO_RCVBUF {} 个字节，发送方 SO_SNDBUF {} 个字节",
            r.rcvbuf,
            r.sndbuf
        ),
    );
    say(
        Side::Client,
        tr!(
            "{} write() calls in {:.2?}, of which {:.2?} inside write(): blocked, waiting for room", "{1:.2?} 内调用了 {0} 次 write()，其中 {2:.2?} 花在 write() 里面：阻塞着，等缓冲区腾出空间",
            r.writes, r.send_time, r.write_time
        ),
    );
    say(
        Side::Client,
        tr!(
            "{} write() calls blocked longer than {:?}, {:.2?} in total; the longest {:.1?}",
            "有 {} 次 write() 阻塞超过 {:?}，合计 {:.2?}；最长的一次 {:.1?}",
            r.blocked_writes,
            BLOCKED,
            r.blocked_time,
            r.longest_write
        ),
    );
    say(Side::Kernel, tr!("sender's send queue, sampled {} times: at most {} bytes not yet acknowledged (SIOCOUTQ), {} of them not even sent (SIOCOUTQNSD)", "发送方的发送队列，采样 {} 次：最多有 {} 个字节还没被确认（SIOCOUTQ），其中 {} 个甚至还没发出去（SIOCOUTQNSD）",
        r.samples, r.max_unacked, r.unsent_then));
    if let Some(z) = r.zero_window_delta {
        say(Side::Kernel, tr!("/proc/net/netstat TCPToZeroWindowAdv: +{z} (machine-wide): times a window went from open to 0, \"stop\"", "/proc/net/netstat TCPToZeroWindowAdv：+{z}（整台机器的计数）：窗口从打开变成 0（“停”）的次数"));
    }
    say(
        Side::Server,
        tr!(
            "received {} of {} bytes, checksum {:016x} vs sent {:016x}",
            "收到 {} 个字节（共 {} 个），校验和 {:016x}，发送时是 {:016x}",
            r.received_bytes,
            r.sent_bytes,
            r.received_sum.0,
            r.sent_sum.0
        ),
    );
}
