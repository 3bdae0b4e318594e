//! `wire` mode: two network stacks (two namespaces of one kernel), and the lab as the wire between them.
//!
//! The left kernel (this process's namespace) has `left0` = 192.0.2.1; a
//! thread moves into a second namespace and makes `right0` = 192.0.2.2
//! there. Nothing joins the two namespaces but the lab's forwarding loop
//! ([`crate::forward`]), which loses, delays, reorders and duplicates
//! packets. Then the same wire carries TCP (every byte arrives, in order:
//! the kernels retransmit) and UDP (what the wire drops is gone).

use crate::forward::{self, Stats};
pub use crate::impair::Options;
use crate::kstate::snmp;
use crate::netns;
use crate::tun::{configure, Tun};
use demo_kit::say::{say, step};
use demo_kit::{tr, Context, Error, Result, Side};
use nix::sys::socket::{getsockopt, sockopt};
use nix::sys::time::TimeValLike;
use std::io::{Read, Write};
use std::net::{SocketAddrV4, TcpListener, TcpStream, UdpSocket};
use std::os::fd::AsRawFd;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Arc};
use std::time::Duration;

const RIGHT_TCP: &str = "192.0.2.2:9000";
const RIGHT_UDP: &str = "192.0.2.2:9001";
/// UDP datagrams sent over the wire.
pub const UDP_COUNT: u32 = 200;

/// What came through.
#[derive(Debug, Default)]
pub struct Report {
    pub tcp_sent: usize,
    pub tcp_received: u64,
    pub tcp_intact: bool,
    /// From connect() to the right side's answer.
    pub tcp_elapsed: Duration,
    pub retrans_tcp_info: u32,
    pub retrans_snmp: u64,
    pub udp_lost: Vec<u32>,
    pub udp_duplicates: usize,
    pub wire: Stats,
}

/// FNV-1a: a checksum of the whole byte stream, order included.
fn fnv(hash: u64, bytes: &[u8]) -> u64 {
    bytes.iter().fold(hash, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
    })
}
const FNV_START: u64 = 0xcbf2_9ce4_8422_2325;

/// accept() on a listener whose SO_RCVTIMEO bounds the wait (socket(7)):
/// the wait running out (EAGAIN, std's WouldBlock) is said as such, any
/// other failure as itself.
fn accept_one(listener: &TcpListener) -> Result<TcpStream> {
    match listener.accept() {
        Ok((conn, _)) => Ok(conn),
        Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
            let limit = getsockopt(listener, sockopt::ReceiveTimeout)
                .map(|t| Duration::from_micros(t.num_microseconds().unsigned_abs()))
                .unwrap_or_default();
            Err(e).context(format!(
                "right: accept(): nothing connected within {limit:?}"
            ))
        }
        Err(e) => Err(e).context("right: accept()"),
    }
}

/// The right kernel's side, in a thread of its own namespace: receive the
/// TCP stream (answer with its length and checksum), then UDP datagrams.
fn right_side(ready: mpsc::Sender<Result<Tun>>) -> Result<(u64, u64, Vec<u32>)> {
    let setup = || -> Result<(Tun, TcpListener, UdpSocket)> {
        netns::enter_for_this_thread()?;
        configure("lo", None)?;
        let tun = Tun::create("right0")?;
        configure(&tun.name, Some("192.0.2.2".parse().map_err(Error::from)?))?;
        let l = TcpListener::bind(RIGHT_TCP).context("bind 192.0.2.2:9000")?;
        // accept() honours SO_RCVTIMEO (socket(7)): if the left side never
        // connects (its step failed first), this side gives up, not hangs.
        let limit = nix::sys::time::TimeVal::new(20, 0);
        nix::sys::socket::setsockopt(&l, nix::sys::socket::sockopt::ReceiveTimeout, &limit)
            .context("setsockopt(SO_RCVTIMEO) on the listener")?;
        let u = UdpSocket::bind(RIGHT_UDP).context("bind 192.0.2.2:9001")?;
        Ok((tun, l, u))
    };
    let (listener, udp) = match setup() {
        Ok((tun, l, u)) => {
            let _ = ready.send(Ok(tun));
            (l, u)
        }
        Err(e) => {
            let _ = ready.send(Err(Error::msg(e.to_string())));
            return Err(e);
        }
    };
    let mut conn = accept_one(&listener)?;
    conn.set_read_timeout(Some(Duration::from_secs(60)))
        .context("timeout")?;
    let (mut hash, mut count, mut buf) = (FNV_START, 0u64, vec![0u8; 65536]);
    loop {
        let n = conn.read(&mut buf).context("right: read()")?;
        if n == 0 {
            break;
        }
        hash = fnv(hash, &buf[..n]);
        count += n as u64;
    }
    let mut answer = count.to_be_bytes().to_vec();
    answer.extend_from_slice(&hash.to_be_bytes());
    conn.write_all(&answer).context("right: write()")?;
    udp.set_read_timeout(Some(Duration::from_secs(1)))
        .context("timeout")?;
    let mut seqs = Vec::new();
    while let Ok(n) = udp.recv(&mut buf) {
        if n >= 4 {
            seqs.push(u32::from_be_bytes([buf[0], buf[1], buf[2], buf[3]]));
        }
    }
    Ok((count, hash, seqs))
}

/// `TCP_INFO`'s tcpi_total_retrans: segments this socket sent again.
fn total_retrans(s: &TcpStream) -> u32 {
    // SAFETY: tcp_info is plain data; getsockopt fills at most `len` bytes.
    let mut info: nix::libc::tcp_info = unsafe { std::mem::zeroed() };
    let mut len = std::mem::size_of::<nix::libc::tcp_info>() as nix::libc::socklen_t;
    let rc = unsafe {
        nix::libc::getsockopt(
            s.as_raw_fd(),
            nix::libc::IPPROTO_TCP,
            nix::libc::TCP_INFO,
            (&mut info as *mut nix::libc::tcp_info).cast(),
            &mut len,
        )
    };
    if rc == 0 {
        info.tcpi_total_retrans
    } else {
        0
    }
}

pub fn run(o: &Options) -> Result<Report> {
    configure("lo", None)?;
    let left = Tun::create("left0")?;
    configure(&left.name, Some("192.0.2.1".parse().map_err(Error::from)?))?;
    let (tx, rx) = mpsc::channel();
    let right_thread = std::thread::spawn(move || right_side(tx));
    let right = rx.recv_timeout(Duration::from_secs(10)).context(tr!(
        "the right namespace never came up",
        "右边的命名空间一直没有建好"
    ))??;
    say(Side::Kernel, tr!("left0 = 192.0.2.1 in our namespace; right0 = 192.0.2.2 in a second one (a thread's unshare(CLONE_NEWNET))", "left0 = 192.0.2.1，在我们的命名空间里；right0 = 192.0.2.2，在第二个命名空间里（一个线程的 unshare(CLONE_NEWNET)）"));
    say(Side::Note, tr!("the only path between them: read() from one TUN device, write() into the other, by the lab", "它们之间唯一的通路：由实验程序从一个 TUN 设备 read()，再 write() 进另一个"));

    step(
        2,
        tr!(
            "the wire: loss {}%, delay {} ms, reorder {}%, duplicate {}%",
            "线路：丢包 {}%，延迟 {} ms，乱序 {}%，重复 {}%",
            o.loss,
            o.delay.as_millis(),
            o.reorder,
            o.duplicate
        ),
    );
    let stop = Arc::new(AtomicBool::new(false));
    let (opts, stop2) = (o.clone(), stop.clone());
    let seed = u64::from(crate::peer::random_isn()?) << 32 | u64::from(crate::peer::random_isn()?);
    let wire = std::thread::spawn(move || forward::run(&left, &right, &opts, seed, &stop2));

    let mut r = Report::default();
    let traffic = (|| -> Result<()> {
        step(
            3,
            tr!(
                "TCP: {} bytes from 192.0.2.1 to {RIGHT_TCP}",
                "TCP：从 192.0.2.1 向 {RIGHT_TCP} 发 {} 个字节",
                o.bytes
            ),
        );
        let before = snmp("Tcp", "RetransSegs")?;
        let addr: SocketAddrV4 = RIGHT_TCP.parse().map_err(Error::from)?;
        let started = std::time::Instant::now();
        let mut s = TcpStream::connect_timeout(&addr.into(), Duration::from_secs(10))
            .context("connect() over the wire")?;
        s.set_read_timeout(Some(Duration::from_secs(60)))
            .context("timeout")?;
        s.set_write_timeout(Some(Duration::from_secs(60)))
            .context("timeout")?;
        let mut dice = crate::impair::Dice::new(seed ^ 0x5eed);
        let data: Vec<u8> = (0..o.bytes)
            .map(|i| {
                if dice.roll(50) {
                    b'a' + (i % 26) as u8
                } else {
                    b'0' + (i % 10) as u8
                }
            })
            .collect();
        s.write_all(&data).context("write() over the wire")?;
        s.shutdown(std::net::Shutdown::Write)
            .context("shutdown(SHUT_WR)")?;
        let mut answer = [0u8; 16];
        s.read_exact(&mut answer)
            .context("the right side's count and checksum")?;
        r.tcp_elapsed = started.elapsed();
        r.tcp_sent = data.len();
        r.tcp_received = u64::from_be_bytes(answer[..8].try_into().unwrap_or_default());
        r.tcp_intact = r.tcp_received == data.len() as u64
            && answer[8..] == fnv(FNV_START, &data).to_be_bytes();
        r.retrans_tcp_info = total_retrans(&s);
        r.retrans_snmp = snmp("Tcp", "RetransSegs")?.saturating_sub(before);

        step(
            4,
            tr!(
                "UDP: {UDP_COUNT} datagrams over the same wire to {RIGHT_UDP}",
                "UDP：经同一条线路向 {RIGHT_UDP} 发 {UDP_COUNT} 个数据报"
            ),
        );
        let u = UdpSocket::bind("192.0.2.1:0").context("bind a UDP socket")?;
        for seq in 0..UDP_COUNT {
            let mut d = seq.to_be_bytes().to_vec();
            d.resize(64, b'u');
            u.send_to(&d, RIGHT_UDP).context("sendto() over the wire")?;
        }
        Ok(())
    })();
    let right_result = right_thread
        .join()
        .map_err(|_| Error::msg("the right side panicked"));
    stop.store(true, Ordering::Relaxed);
    r.wire = wire.join().map_err(|_| Error::msg("the wire panicked"))??;
    traffic?;
    let (_, _, seqs) = right_result??;
    let mut seen = seqs.clone();
    seen.sort_unstable();
    seen.dedup();
    r.udp_duplicates = seqs.len() - seen.len();
    r.udp_lost = (0..UDP_COUNT)
        .filter(|s| seen.binary_search(s).is_err())
        .collect();
    r.wire.dropped_udp.sort_unstable();
    Ok(r)
}

/// Step 5: what the wire did, and what each protocol made of it.
pub fn summary(o: &Options, r: &Report) {
    step(5, tr!("what came through", "结果"));
    let w = &r.wire;
    let yes = |ok: bool| if ok { "yes" } else { "NO" };
    say(Side::Note, tr!(
        "TCP: sent {} bytes, the right kernel read {}, same checksum (FNV-1a over the stream, order included): {}", "TCP：发送 {} 个字节，右边的内核读到 {} 个，校验和相同（对整个字节流做 FNV-1a，顺序也算在内）：{}",
        r.tcp_sent, r.tcp_received, yes(r.tcp_intact)
    ));
    say(Side::Note, tr!(
        "the wire dropped {} TCP segments; {} of them carried the left kernel's data (or SYN/FIN); {} of those sequence numbers came again: retransmitted", "线路丢弃了 {} 个 TCP 报文段；其中 {} 个带着左边内核的数据（或 SYN/FIN）；这些序号里有 {} 个又来了：被重传了",
        w.dropped_tcp, w.dropped_tcp_data, w.tcp_came_again
    ));
    say(Side::Kernel, tr!(
        "the left kernel counts its retransmissions: TCP_INFO tcpi_total_retrans = {}, /proc/net/snmp RetransSegs +{}", "左边的内核自己记着重传次数：TCP_INFO tcpi_total_retrans = {}，/proc/net/snmp RetransSegs +{}",
        r.retrans_tcp_info, r.retrans_snmp
    ));
    let lost_same = r.udp_lost == w.dropped_udp;
    say(
        Side::Note,
        tr!(
            "UDP: sent {UDP_COUNT}, lost {} {:?}; the wire dropped {} {:?}; exactly the same: {}",
            "UDP：发送 {UDP_COUNT} 个，丢失 {} 个 {:?}；线路丢弃了 {} 个 {:?}；完全一致：{}",
            r.udp_lost.len(),
            r.udp_lost,
            w.dropped_udp.len(),
            w.dropped_udp,
            yes(lost_same)
        ),
    );
    say(
        Side::Note,
        tr!(
            "UDP delivered {} duplicate datagram(s) too: nobody on the receiving side removes them",
            "UDP 还交付了 {} 个重复的数据报：接收方没有谁去掉它们",
            r.udp_duplicates
        ),
    );
    let secs = w.busy.as_secs_f64().max(1e-6);
    say(Side::Note, tr!(
        "the wire forwarded {} packets ({} bytes) in {:.2} s: {:.0} packets/s, {:.1} MB/s (delay {} ms, so not a benchmark: see the lesson)", "线路在 {2:.2} s 内转发了 {0} 个包（{1} 个字节）：每秒 {3:.0} 个包，{4:.1} MB/s（有 {5} ms 延迟，所以这不是基准测试：见课文）",
        w.forwarded, w.forwarded_bytes, secs, w.forwarded as f64 / secs, w.forwarded_bytes as f64 / secs / 1e6, o.delay.as_millis()
    ));
    say(
        Side::Note,
        tr!(
            "also on the wire: {} duplicated, {} held back (reordered), {} dropped in all",
            "线路上还有：{} 个被复制，{} 个被扣下（乱序），一共丢弃了 {} 个",
            w.duplicated,
            w.reordered,
            w.dropped
        ),
    );
}

#[cfg(test)]
mod tests;
