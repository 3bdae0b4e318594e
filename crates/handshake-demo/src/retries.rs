//! `retries` mode: a client whose SYN is dropped, and when its kernel
//! tries again.
//!
//! A full accept queue makes the server's kernel drop a SYN without an
//! answer (see [`crate::backlog`]); the client cannot tell that from a
//! lost packet, so it retransmits its SYN on a timer. Linux's schedule
//! (`net/ipv4/tcp_timer.c`; `Documentation/networking/ip-sysctl.rst`):
//! the first retry 1 s after `connect()` (the initial timeout), then, since
//! Linux 6.5, `tcp_syn_linear_timeouts` more retries 1 s apart, and only
//! then doubling. With the defaults (4 linear, `tcp_syn_retries` = 6) the
//! timeouts are 1, 1, 1, 1, 1, 2, 4 s: *five* one-second retries.
//!
//! We fill a `listen(0)` queue with one connection, start a second,
//! non-blocking `connect()`, and poll its `TCP_INFO`: `tcpi_retransmits`
//! counts the retries (we timestamp each), and `tcpi_rto` is the timeout
//! the kernel set for the next one — the schedule read from the kernel,
//! not recited.

use crate::kernel::{self, TcpState};
use crate::listener::{connect_nonblocking, listener};
use crate::procnet;
use demo_kit::say::{say, step};
use demo_kit::{tr, Result, Side};
use std::time::Duration;

/// What the retries experiment observed.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RetriesReport {
    pub linear_timeouts: Option<u32>,
    pub syn_retries: Option<u32>,
    /// The waits (s) the sysctls predict after the SYN and after each retry.
    pub expected: Vec<u64>,
    /// `tcpi_rto` right after `connect()`, and right after each retry
    /// (`None` if two retries fell between two looks).
    pub rtos: Vec<Option<Duration>>,
    /// When each retransmission was seen, measured from `connect()`.
    pub retries_at: Vec<Duration>,
}

/// The waits (in seconds) the kernel's timer code gives after the first
/// SYN and after each of `retries` retries: 1 s (the initial timeout) for
/// the SYN and the first `linear` retries, then doubling.
///
/// ```
/// use handshake_demo::retries::schedule;
/// assert_eq!(schedule(4, 6), [1, 1, 1, 1, 1, 2, 4]); // as ip-sysctl.rst says
/// assert_eq!(schedule(0, 6), [1, 2, 4, 8, 16, 32, 64]); // before Linux 6.5
/// ```
pub fn schedule(linear: u32, retries: u32) -> Vec<u64> {
    (0..=retries)
        .map(|k| if k <= linear { 1 } else { 1 << (k - linear) })
        .collect()
}

/// Runs the experiment, watching `count` retransmissions (each costs its
/// wait in the schedule: with the defaults 5 retries take 5 s, 6 take 7 s).
pub fn run(ipv6: bool, count: usize) -> Result<RetriesReport> {
    let mut r = RetriesReport::default();
    step(
        1,
        tr!(
            "the kernel's SYN retry settings (/proc/sys/net/ipv4)",
            "内核的 SYN 重传设置（/proc/sys/net/ipv4）"
        ),
    );
    let read = |name: &str| {
        procnet::sysctl(name)
            .ok()
            .and_then(|v| v.parse::<u32>().ok())
    };
    r.linear_timeouts = read("ipv4/tcp_syn_linear_timeouts");
    r.syn_retries = read("ipv4/tcp_syn_retries");
    let show = |v: Option<u32>| {
        v.map_or_else(
            || tr!("not on this kernel", "这个内核没有这一项"),
            |v| v.to_string(),
        )
    };
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
    say(
        Side::Note,
        tr!(
            "the timer code predicts waits of {} s after the SYN and after each retry",
            "按定时器代码推算，SYN 和每次重试之后分别要等 {} s",
            words(&r.expected)
        ),
    );

    step(
        2,
        tr!(
            "listen(0), one client fills the accept queue",
            "listen(0)，一个客户端就占满了 accept 队列"
        ),
    );
    let (lfd, laddr) = listener(ipv6, 0)?;
    let first = connect_nonblocking(laddr)?;
    demo_kit::wait::until(Duration::from_secs(5), || {
        (kernel::tcp_info(&lfd).ok()?.unacked >= 1).then_some(())
    })
    .ok_or_else(|| {
        demo_kit::Error::msg(tr!(
            "the first client never reached the accept queue",
            "第一个客户端始终没有进入 accept 队列"
        ))
    })?;
    say(
        Side::Kernel,
        tr!(
            "client 1 {}; the listener's accept queue holds {} (TCP_INFO): full",
            "客户端 1 {}；监听套接字的 accept 队列里有 {} 个（TCP_INFO）：满了",
            kernel::state_of(&first.fd)?,
            kernel::tcp_info(&lfd)?.unacked
        ),
    );

    step(
        3,
        tr!(
            "client 2 connects; its SYN is dropped; {count} retries timed",
            "客户端 2 连接；它的 SYN 被丢弃；给 {count} 次重试计时"
        ),
    );
    let c = connect_nonblocking(laddr)?;
    let rto = |us: u32| Duration::from_micros(us.into());
    r.rtos.push(Some(rto(kernel::tcp_info(&c.fd)?.rto_us)));
    say(
        Side::Client,
        tr!(
            "client 2 ({}): connect() -> EINPROGRESS; the kernel will wait {} s (tcpi_rto)",
            "客户端 2（{}）：connect() -> EINPROGRESS；内核将等 {} 秒（tcpi_rto）",
            c.addr,
            secs(r.rtos[0])
        ),
    );
    let limit = Duration::from_secs(r.expected.iter().take(count).sum::<u64>() + 5);
    demo_kit::wait::until(limit, || {
        let info = kernel::tcp_info(&c.fd).ok()?;
        if info.state != TcpState::SynSent {
            return Some(());
        }
        let seen = r.retries_at.len();
        let now = (info.retransmits as usize).min(count);
        for k in seen..now {
            r.retries_at.push(c.started.elapsed());
            // tcpi_rto belongs to the latest retry only.
            r.rtos.push((k + 1 == now).then(|| rto(info.rto_us)));
        }
        (now >= count).then_some(())
    });
    let mut previous = Duration::ZERO;
    for (i, at) in r.retries_at.iter().enumerate() {
        say(
            Side::Kernel,
            tr!(
                "retry {}: {:.2} s after connect(), {:.2} s after the previous SYN; next wait (tcpi_rto) {} s",
                "第 {} 次重试：connect() 之后 {:.2} 秒，距上一个 SYN {:.2} 秒；下一次等待（tcpi_rto）{} 秒",
                i + 1,
                at.as_secs_f64(),
                (*at - previous).as_secs_f64(),
                secs(r.rtos[i + 1])
            ),
        );
        previous = *at;
    }
    say(
        Side::Client,
        tr!(
            "client 2 is still {}",
            "客户端 2 仍是 {}",
            kernel::state_of(&c.fd)?
        ),
    );
    let ones = r
        .rtos
        .iter()
        .take_while(|t| *t == &Some(Duration::from_secs(1)))
        .count();
    // What came after the one-second waits, if this run watched that far.
    let note = match r.rtos.get(ones) {
        Some(Some(t)) => tr!("{ones} one-second waits (tcp_syn_linear_timeouts + 1: the first SYN's counts too): retries 1 to {ones} are each sent 1 s after the send before; then the wait doubled to {} s", "{ones} 次一秒的等待（tcp_syn_linear_timeouts + 1：第一个 SYN 之后的那次也算）：第 1 到第 {ones} 次重试，每次都在上一次发送 1 秒后发出；之后等待翻倍为 {} 秒", secs(Some(*t))),
        _ => tr!("{ones} one-second waits so far; the doubling comes after the retries watched here (see --count)", "到目前为止有 {ones} 次一秒的等待；翻倍发生在这里观察的重试之后（见 --count）"),
    };
    say(Side::Note, note);
    Ok(r)
}

fn secs(t: Option<Duration>) -> String {
    t.map_or("?".into(), |t| format!("{:.1}", t.as_secs_f64()))
}

fn words(waits: &[u64]) -> String {
    let w: Vec<String> = waits.iter().map(u64::to_string).collect();
    w.join(", ")
}
