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
use demo_kit::{bail_msg, Context, Result, Side};
use std::net::{SocketAddrV4, TcpStream};
use std::time::{Duration, Instant};
use tcp_packet::{parse_ipv4_tcp, ACK, FIN, SYN};

/// Where the kernel connects to: us.
pub const US: &str = "192.0.2.2:80";

/// `--answer-after N`: answer the Nth SYN (1 = at once).
pub fn parse_answer_after(args: &mut Args) -> Result<u32> {
    let n = args.value::<u32>("--answer-after")?.unwrap_or(3);
    if !(1..=7).contains(&n) {
        return bail_msg(format!(
            "--answer-after {n} is out of range: 1..=7 (the 7th SYN comes 7 s after the first with \
             tcp_syn_linear_timeouts = 4, 63 s without); see --help"
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
        format!(
            "sysctls: net.ipv4.tcp_syn_retries = {retries}, net.ipv4.tcp_syn_linear_timeouts = {}",
            sysctl("net/ipv4/tcp_syn_linear_timeouts")
                .unwrap_or_else(|| "(not on this kernel: 0)".into())
        ),
    );
    step(
        2,
        format!("the kernel connects to {us}; we stay silent until its SYN number {answer_after}"),
    );
    let client =
        std::thread::spawn(move || TcpStream::connect_timeout(&us.into(), Duration::from_secs(20)));
    say(
        Side::Client,
        "connect(192.0.2.2:80) called in a thread: it blocks until the handshake ends",
    );

    // The first SYN tells us the kernel's port and ISN x.
    let first_deadline = Instant::now() + Duration::from_secs(3);
    let first = loop {
        let left = first_deadline.saturating_duration_since(Instant::now());
        let Some(packet) = tun.recv(left)? else {
            return bail_msg("the kernel's SYN never arrived on tun0");
        };
        if let Some(s) = parse_ipv4_tcp(&packet).filter(|s| s.dst == us && s.has(SYN)) {
            break s;
        }
    };
    let t0 = Instant::now();
    let mut p = Peer::new(tun, us, first.src);
    // The client (here the kernel) owns x, as in the course.
    p.ladder = tcp_packet::Ladder::new("us", us, "kernel", first.src).with_isn_names("y", "x");
    p.draw(&first);
    let x = first.seq;
    let mut times = vec![Duration::ZERO];
    while (times.len() as u32) < answer_after {
        let i = times.len() as u32;
        let predicted = predicted_gap(i, linear);
        let Some((syn, _)) = p.expect(predicted * 2 + Duration::from_secs(1), |s| s.has(SYN))?
        else {
            return bail_msg(format!("SYN number {} never came", i + 1));
        };
        let at = t0.elapsed();
        let gap = at - times[times.len() - 1];
        times.push(at);
        p.event(&format!(
            "SYN again after {:.3} s (predicted {} s){}",
            gap.as_secs_f64(),
            predicted.as_secs(),
            if syn.seq == x {
                ", same seq x"
            } else {
                ", NEW seq"
            }
        ));
    }

    step(3, "now we answer: SYN|ACK with ack = x+1");
    let y = random_isn()?;
    p.send(p.segment(y, x.wrapping_add(1), SYN | ACK), &[])?;
    p.expect(ANSWER_WAIT, |s| s.has(ACK) && s.ack == y.wrapping_add(1))?
        .context("the kernel did not ACK our SYN|ACK")?;
    let stream = client
        .join()
        .map_err(|_| demo_kit::Error::msg("the connecting thread panicked"))?
        .context("the kernel's connect()")?;
    say(
        Side::Client,
        format!(
            "connect() returned after {:.3} s; state {}",
            t0.elapsed().as_secs_f64(),
            p.state()
        ),
    );

    step(4, "the kernel closes first: FIN, and we answer FIN|ACK");
    drop(stream);
    let (fin, _) = p
        .expect(ANSWER_WAIT, |s| s.has(FIN))?
        .context("no FIN from the kernel")?;
    p.send(
        p.segment(y.wrapping_add(1), fin.seq.wrapping_add(1), FIN | ACK),
        &[],
    )?;
    p.expect(ANSWER_WAIT, |s| s.has(ACK) && s.ack == y.wrapping_add(2))?
        .context("the kernel did not ACK our FIN")?;
    say(Side::Kernel, format!(
        "the side that closed first waits in {} (60 s on Linux); the namespace takes it away when we exit",
        p.state()
    ));
    Ok(Report {
        syn_times: times,
        connected: true,
    })
}
