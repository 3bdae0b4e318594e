//! `retries` mode: a client whose SYN is dropped, and when its kernel
//! tries again.
//!
//! A full accept queue makes the server's kernel drop a SYN without an
//! answer (see [`crate::backlog`]); the client cannot tell that from a
//! lost packet, so it retransmits its SYN on a timer. Linux's schedule
//! (`net/ipv4/tcp_timer.c`; `Documentation/networking/ip-sysctl.rst`):
//! the first retry 1 s after `connect()` (the initial RTO), then, since
//! Linux 6.5, `tcp_syn_linear_timeouts` more retries 1 s apart, and only
//! then doubling. With the defaults (4 linear, `tcp_syn_retries` = 6) the
//! timeouts are 1, 1, 1, 1, 1, 2, 4 s: *five* one-second retries.
//!
//! We fill a `listen(0)` queue with one connection, start a second,
//! non-blocking `connect()`, and poll its `TCP_INFO` (`tcpi_retransmits`)
//! to timestamp each retransmission: the schedule measured, not recited.

use crate::kernel::{self, TcpState};
use crate::listener::{connect_nonblocking, listener};
use crate::procnet;
use demo_kit::say::{say, step};
use demo_kit::{Result, Side};
use std::time::Duration;

/// What the retries experiment observed.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RetriesReport {
    pub linear_timeouts: Option<u32>,
    pub syn_retries: Option<u32>,
    /// The schedule the sysctls predict: the wait before each retry, in s.
    pub expected: Vec<u64>,
    /// When each retransmission happened, measured from `connect()`.
    pub retries_at: Vec<Duration>,
}

impl RetriesReport {
    /// The measured waits between consecutive SYNs (the first from `connect()`).
    pub fn gaps(&self) -> Vec<Duration> {
        let mut prev = Duration::ZERO;
        self.retries_at
            .iter()
            .map(|&t| {
                let gap = t - prev;
                prev = t;
                gap
            })
            .collect()
    }
}

/// The waits before each SYN retry (in seconds) that the kernel's timer
/// code gives: 1 s (the initial RTO) for the first `1 + linear` retries,
/// then doubling; `retries` of them.
///
/// ```
/// use handshake_demo::retries::schedule;
/// assert_eq!(schedule(4, 6), [1, 1, 1, 1, 1, 2]); // ip-sysctl.rst: 1,1,1,1,1,2,4
/// assert_eq!(schedule(0, 6), [1, 2, 4, 8, 16, 32]); // before Linux 6.5
/// ```
pub fn schedule(linear: u32, retries: u32) -> Vec<u64> {
    (0..retries)
        .map(|k| if k <= linear { 1 } else { 1 << (k - linear) })
        .collect()
}

/// Runs the experiment, watching `count` retransmissions (each costs
/// its wait in the schedule: 5 retries take 5 s, 6 take 7 s).
pub fn run(ipv6: bool, count: usize) -> Result<RetriesReport> {
    let mut r = RetriesReport::default();
    step(1, "the kernel's SYN retry settings (/proc/sys/net/ipv4)");
    let read = |name: &str| {
        procnet::sysctl(name)
            .ok()
            .and_then(|v| v.parse::<u32>().ok())
    };
    r.linear_timeouts = read("ipv4/tcp_syn_linear_timeouts");
    r.syn_retries = read("ipv4/tcp_syn_retries");
    let show = |v: Option<u32>| v.map_or("not on this kernel".into(), |v| v.to_string());
    say(
        Side::Kernel,
        format!(
            "net.ipv4.tcp_syn_linear_timeouts = {}",
            show(r.linear_timeouts)
        ),
    );
    say(
        Side::Kernel,
        format!("net.ipv4.tcp_syn_retries = {}", show(r.syn_retries)),
    );
    r.expected = schedule(r.linear_timeouts.unwrap_or(0), r.syn_retries.unwrap_or(6));
    r.expected.truncate(count);
    say(
        Side::Note,
        format!(
            "the kernel's timer code predicts waits of {} s before retries 1..{}",
            words(&r.expected),
            r.expected.len()
        ),
    );

    step(2, "listen(0), one client fills the accept queue");
    let (lfd, laddr) = listener(ipv6, 0)?;
    let first = connect_nonblocking(laddr)?;
    demo_kit::wait::until(Duration::from_secs(5), || {
        (kernel::tcp_info(&lfd).ok()?.unacked >= 1).then_some(())
    })
    .ok_or_else(|| demo_kit::Error::msg("the first client never reached the accept queue"))?;
    say(
        Side::Kernel,
        format!(
            "client 1 {}; the listener's accept queue holds {} (TCP_INFO): full",
            kernel::state_of(&first.fd)?,
            kernel::tcp_info(&lfd)?.unacked
        ),
    );

    step(
        3,
        format!("client 2 connects; its SYN is dropped; {count} retries timed"),
    );
    let c = connect_nonblocking(laddr)?;
    say(
        Side::Client,
        format!("client 2 ({}): connect() -> EINPROGRESS", c.addr),
    );
    let limit = Duration::from_secs(r.expected.iter().sum::<u64>() + 2);
    let mut seen = 0;
    demo_kit::wait::until(limit, || {
        let info = kernel::tcp_info(&c.fd).ok()?;
        if info.state != TcpState::SynSent {
            return Some(());
        }
        while seen < info.retransmits as usize {
            seen += 1;
            r.retries_at.push(c.started.elapsed());
        }
        (seen >= count).then_some(())
    });
    for (i, (at, gap)) in r.retries_at.iter().zip(r.gaps()).enumerate() {
        say(
            Side::Kernel,
            format!(
                "retry {}: {:.2} s after connect(), {:.2} s after the previous SYN (tcpi_retransmits = {})",
                i + 1,
                at.as_secs_f64(),
                gap.as_secs_f64(),
                i + 1
            ),
        );
    }
    say(
        Side::Client,
        format!("client 2 is still {}", kernel::state_of(&c.fd)?),
    );
    let ones = r
        .gaps()
        .iter()
        .take_while(|g| g.as_secs_f64() < 1.5)
        .count();
    say(
        Side::Note,
        format!("measured: {ones} one-second retries before the wait doubles (tcp_syn_linear_timeouts + 1: the first retry waits the initial 1 s too)"),
    );
    Ok(r)
}

fn words(waits: &[u64]) -> String {
    let w: Vec<String> = waits.iter().map(u64::to_string).collect();
    w.join(", ")
}
