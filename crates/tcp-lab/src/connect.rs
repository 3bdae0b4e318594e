//! `connect` mode: the kernel is the client, and we are slow to answer.
//!
//! The kernel's `connect()` to 192.0.2.2:80 leaves as a SYN into `tun0`. We
//! say nothing, so the kernel's socket sits in SYN_SENT and its
//! retransmission timer sends the SYN again, and again. We time each copy,
//! compare with what the sysctls predict, then answer the Nth SYN with a
//! SYN|ACK (ack = x+1) and the handshake completes: `connect()` returns.

use crate::kstate::sysctl;
use crate::peer::{random_isn, Peer, ANSWER_WAIT};
use crate::tun::Tun;
use demo_kit::cli::Args;
use demo_kit::say::{say, step};
use demo_kit::{bail_msg, tr, Context, Result, Side};
use std::net::{SocketAddrV4, TcpStream};
use std::time::{Duration, Instant};
use tcp_packet::{parse_ipv4_tcp, ACK, FIN, SYN};

/// Where the kernel connects to: us.
pub const US: &str = "192.0.2.2:80";

/// `--answer-after N`: answer the Nth SYN (1 = at once).
pub fn parse_answer_after(args: &mut Args) -> Result<u32> {
    let n = args.value::<u32>("--answer-after")?.unwrap_or(3);
    if !(1..=7).contains(&n) {
        return bail_msg(tr!(
            "--answer-after {n} is out of range: 1..=7 (the 7th SYN comes 7 s after the first with \
             tcp_syn_linear_timeouts = 4, 63 s without); see --help", "--answer-after {n} 超出范围：1..=7（tcp_syn_linear_timeouts = 4 时，第 7 个 SYN 在第一个之后 7 s 到来，\
             没有这个 sysctl 时要 63 s）；见 --help"
        ));
    }
    Ok(n)
}

/// The gap before retransmission `i` (1-based) that the sysctls predict.
/// The first RTO is 1 s (TCP_TIMEOUT_INIT). After each retransmission the
/// timer keeps 1 s while the retransmissions so far are at most
/// `tcp_syn_linear_timeouts`, then doubles: with 4, the gaps are
/// 1 1 1 1 1 2 4 8 ... s; with 0 (older kernels), the classic 1 2 4 8 ... s.
///
/// ```
/// use std::time::Duration;
/// use tcp_lab::connect::predicted_gap;
/// let gaps: Vec<u64> = (1..=7).map(|i| predicted_gap(i, 4).as_secs()).collect();
/// assert_eq!(gaps, [1, 1, 1, 1, 1, 2, 4]);
/// let classic: Vec<u64> = (1..=4).map(|i| predicted_gap(i, 0).as_secs()).collect();
/// assert_eq!(classic, [1, 2, 4, 8]);
/// ```
pub fn predicted_gap(i: u32, linear: u32) -> Duration {
    if i <= linear + 1 {
        Duration::from_secs(1)
    } else {
        Duration::from_secs(1 << (i - linear - 1).min(6))
    }
}

/// What was measured.
#[derive(Debug)]
pub struct Report {
    /// Arrival time of each SYN, from the first.
    pub syn_times: Vec<Duration>,
    pub connected: bool,
}

pub fn run(tun: &Tun, answer_after: u32) -> Result<Report> {
    let us: SocketAddrV4 = US.parse().context("address")?;
    let retries = sysctl("net/ipv4/tcp_syn_retries").unwrap_or_else(|| "?".into());
    let linear: u32 = sysctl("net/ipv4/tcp_syn_linear_timeouts")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    say(
        Side::Kernel,
        tr!(
            "sysctls: net.ipv4.tcp_syn_retries = {retries}, net.ipv4.tcp_syn_linear_timeouts = {}",
            "sysctl：net.ipv4.tcp_syn_retries = {retries}，net.ipv4.tcp_syn_linear_timeouts = {}",
            sysctl("net/ipv4/tcp_syn_linear_timeouts")
                .unwrap_or_else(|| tr!("(not on this kernel: 0)", "（这个内核没有：0）"))
        ),
    );
    step(
        2,
        tr!(
            "the kernel connects to {us}; we stay silent until its SYN number {answer_after}",
            "内核连接 {us}；我们一直不作声，直到它的第 {answer_after} 个 SYN"
        ),
    );
    let client =
        std::thread::spawn(move || TcpStream::connect_timeout(&us.into(), Duration::from_secs(20)));
    say(
        Side::Client,
        tr!(
            "connect(192.0.2.2:80) called in a thread: it blocks until the handshake ends",
            "在一个线程里调用 connect(192.0.2.2:80)：它会一直阻塞到握手结束"
        ),
    );

    // The first SYN tells us the kernel's port and ISN x.
    let first_deadline = Instant::now() + Duration::from_secs(3);
    let first = loop {
        let left = first_deadline.saturating_duration_since(Instant::now());
        let Some(packet) = tun.recv(left)? else {
            return bail_msg(tr!(
                "the kernel's SYN never arrived on tun0",
                "内核的 SYN 一直没有到达 tun0"
            ));
        };
        if let Some(s) = parse_ipv4_tcp(&packet).filter(|s| s.dst == us && s.has(SYN)) {
            break s;
        }
    };
    let t0 = Instant::now();
    let mut p = Peer::new(tun, us, first.src);
    // The client (here the kernel) owns x, as in the course.
    p.ladder = tcp_packet::Ladder::new(&tr!("us", "我们"), us, &tr!("kernel", "内核"), first.src)
        .with_isn_names("y", "x");
    p.draw(&first);
    let x = first.seq;
    let mut times = vec![Duration::ZERO];
    while (times.len() as u32) < answer_after {
        let i = times.len() as u32;
        let predicted = predicted_gap(i, linear);
        let Some((syn, _)) = p.expect(predicted * 2 + Duration::from_secs(1), |s| s.has(SYN))?
        else {
            return bail_msg(tr!(
                "SYN number {} never came",
                "第 {} 个 SYN 一直没来",
                i + 1
            ));
        };
        let at = t0.elapsed();
        let gap = at - times[times.len() - 1];
        times.push(at);
        p.event(&tr!(
            "SYN again after {:.3} s (predicted {} s){}",
            "{:.3} s 后又来一个 SYN（预计 {} s）{}",
            gap.as_secs_f64(),
            predicted.as_secs(),
            if syn.seq == x {
                tr!(", same seq x", "，seq 仍是 x")
            } else {
                tr!(", NEW seq", "，seq 变了")
            }
        ));
    }

    step(
        3,
        tr!(
            "now we answer: SYN|ACK with ack = x+1",
            "现在我们回答：SYN|ACK，ack = x+1"
        ),
    );
    let y = random_isn()?;
    p.send(p.segment(y, x.wrapping_add(1), SYN | ACK), &[])?;
    p.expect(ANSWER_WAIT, |s| s.has(ACK) && s.ack == y.wrapping_add(1))?
        .context(tr!(
            "the kernel did not ACK our SYN|ACK",
            "内核没有 ACK 我们的 SYN|ACK"
        ))?;
    let stream = client
        .join()
        .map_err(|_| demo_kit::Error::msg("the connecting thread panicked"))?
        .context(tr!("the kernel's connect()", "内核的 connect()"))?;
    say(
        Side::Client,
        tr!(
            "connect() returned after {:.3} s; state {}",
            "{:.3} s 后 connect() 返回；状态 {}",
            t0.elapsed().as_secs_f64(),
            p.state()
        ),
    );

    step(
        4,
        tr!(
            "the kernel closes first: FIN, and we answer FIN|ACK",
            "内核先关闭：FIN，我们回答 FIN|ACK"
        ),
    );
    drop(stream);
    let (fin, _) = p
        .expect(ANSWER_WAIT, |s| s.has(FIN))?
        .context(tr!("no FIN from the kernel", "内核没有发 FIN"))?;
    p.send(
        p.segment(y.wrapping_add(1), fin.seq.wrapping_add(1), FIN | ACK),
        &[],
    )?;
    p.expect(ANSWER_WAIT, |s| s.has(ACK) && s.ack == y.wrapping_add(2))?
        .context(tr!(
            "the kernel did not ACK our FIN",
            "内核没有 ACK 我们的 FIN"
        ))?;
    say(Side::Kernel, tr!(
        "the side that closed first waits in {} (60 s on Linux); the namespace takes it away when we exit", "先关闭的一方在 {} 里等待（Linux 上是 60 s）；我们退出时命名空间会把它一并带走",
        p.state()
    ));
    Ok(Report {
        syn_times: times,
        connected: true,
    })
}
