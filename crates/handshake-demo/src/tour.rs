//! The default mode, `states`: one connection from handshake to TIME_WAIT,
//! narrated step by step, then two more connections that make the fleeting
//! states FIN_WAIT1 and LAST_ACK stay long enough to be seen.
//!
//! Every state printed is read back from the kernel at that moment.

use crate::kernel::TcpState;
use crate::procnet;
use crate::states::{show, Ends, Lab, SETTLE};
use demo_kit::say::{say, step};
use demo_kit::{Context, Result, Side};
use std::io::{Read, Write};

/// What the tour observed, for the tests.
#[derive(Clone, Debug, Default)]
pub struct TourReport {
    /// The kernel's view after each of the five main steps.
    pub listen: Option<TcpState>,
    pub backlog: u32,
    pub queued_before_accept: u32,
    pub after_connect: Ends,
    pub after_half_close: Ends,
    /// Bytes the server read before EOF after the client's shutdown (0).
    pub server_read_before_eof: usize,
    /// What the client read from the server while in FIN_WAIT2.
    pub client_got_in_fin_wait2: Vec<u8>,
    pub after_server_close: Ends,
    /// Seconds left on the TIME_WAIT timer when we looked.
    pub time_wait_left: Option<f64>,
    /// Client fd state with the FIN stuck behind a full window (FIN_WAIT1).
    pub fin_wait1: Ends,
    pub fin_wait1_queued: usize,
    pub fin_wait1_drained: Ends,
    /// Server fd state with its FIN stuck behind a full window (LAST_ACK).
    pub last_ack: Ends,
    pub last_ack_done: Ends,
    /// Client's unacknowledged bytes in FIN_WAIT1 (/proc tx_queue): the
    /// data the FIN waits behind, and the FIN itself.
    pub fin_wait1_unsent: u64,
    /// The steps after which the kernel did not show the states the
    /// lesson expects within [`SETTLE`] (empty when all went as told).
    pub unsettled: Vec<&'static str>,
}

fn report(who: &str, e: &Ends) {
    say(
        Side::Kernel,
        format!(
            "{who}: client fd {} | server fd {} | /proc: client {}, server {}",
            e.client_fd.map_or("-".into(), |s| s.name()),
            e.server_fd
                .map_or("(not accepted / closed)".into(), |s| s.name()),
            show(e.client_proc),
            show(e.server_proc),
        ),
    );
}

/// Waits until `done` holds for the states after `what`, then prints
/// them. A wait in vain is said and recorded, not fatal: the tour shows
/// what the kernel did, even when it is not what the lesson expects.
fn settle(
    lab: &Lab,
    r: &mut TourReport,
    what: &'static str,
    done: impl Fn(&Ends) -> bool,
) -> Result<Ends> {
    let (ends, reached) = lab.settle(done)?;
    if !reached {
        r.unsettled.push(what);
        say(
            Side::Note,
            format!(
                "{what}: still not the states the lesson expects after {} s; here is what the kernel shows",
                SETTLE.as_secs()
            ),
        );
    }
    report(what, &ends);
    Ok(ends)
}

/// Runs the whole tour (the main five steps, then FIN_WAIT1 and LAST_ACK).
pub fn run(ipv6: bool) -> Result<TourReport> {
    let mut r = TourReport::default();
    main_steps(ipv6, &mut r)?;
    fin_wait1(ipv6, &mut r)?;
    last_ack(ipv6, &mut r)?;
    Ok(r)
}

fn main_steps(ipv6: bool, r: &mut TourReport) -> Result<()> {
    step(1, "listen()");
    let mut lab = Lab::listen(ipv6)?;
    let info = lab.listener_info()?;
    (r.listen, r.backlog) = (Some(info.state), info.sacked);
    say(
        Side::Server,
        format!("bind + listen on {}", lab.server_addr),
    );
    say(
        Side::Kernel,
        format!(
            "listener fd: {} — accept queue {} of backlog {} (TCP_INFO)",
            info.state, info.unacked, info.sacked
        ),
    );

    step(2, "connect(), before the server calls accept()");
    lab.connect()?;
    say(
        Side::Client,
        format!(
            "connect() returned after {} µs; I am {}",
            lab.connect_took.map_or(0, |d| d.as_micros()),
            lab.client_addr.map_or("?".into(), |a| a.to_string())
        ),
    );
    r.after_connect = settle(&lab, r, "after connect", |e| {
        e.client_fd == Some(TcpState::Established) && e.server_proc == Some(TcpState::Established)
    })?;
    r.queued_before_accept = lab.listener_info()?.unacked;
    say(
        Side::Kernel,
        format!(
            "listener's accept queue now holds {} finished connection(s)",
            r.queued_before_accept
        ),
    );
    say(Side::Note, "both ends are ESTABLISHED although nobody called accept(): the kernel did SYN, SYN+ACK, ACK (三次握手) on its own.");
    say(Side::Note, format!("SYN_SENT and SYN_RECV lasted less than those {} µs: a blocking connect() returns only when the handshake is done, and on loopback all three packets pass inside that call. (`backlog` mode freezes SYN_SENT.)", lab.connect_took.map_or(0, |d| d.as_micros())));
    lab.accept()?;
    say(
        Side::Server,
        format!(
            "accept() took it off the queue: {}",
            show(lab.ends()?.server_fd)
        ),
    );

    step(3, "client shutdown(Write): the first wave (挥手)");
    lab.client_shutdown_write()?;
    say(
        Side::Client,
        "shutdown(SHUT_WR): \"I will send no more\" — my kernel sends FIN",
    );
    r.after_half_close = settle(&lab, r, "after the FIN and its ACK", |e| {
        e.client_fd == Some(TcpState::FinWait2) && e.server_fd == Some(TcpState::CloseWait)
    })?;
    r.server_read_before_eof = Lab::read_to_eof(lab.server()?)?;
    say(
        Side::Server,
        format!(
            "recv() returned 0 after {} bytes: that 0 is how a program sees the FIN (EOF)",
            r.server_read_before_eof
        ),
    );

    step(
        4,
        "the server still sends in CLOSE_WAIT (half-close, 半关闭)",
    );
    let msg = b"last words from the server";
    lab.server()?
        .write_all(msg)
        .context("server sending in CLOSE_WAIT")?;
    say(
        Side::Server,
        format!("sent {} bytes although the client said goodbye", msg.len()),
    );
    let mut got = vec![0u8; msg.len()];
    lab.client()?
        .read_exact(&mut got)
        .context("client reading in FIN_WAIT2")?;
    say(
        Side::Client,
        format!("received {} in FIN_WAIT2", demo_kit::say::show_bytes(&got)),
    );
    r.client_got_in_fin_wait2 = got;
    say(Side::Note, "this is why closing takes four waves but opening three: the peer's ACK of my FIN and its own FIN are separate decisions, with data possibly in between.");

    step(5, "server close(): the last two waves");
    lab.server = None; // dropping the TcpStream calls close(fd)
    say(
        Side::Server,
        "close() — my kernel sends FIN, the client's kernel ACKs it",
    );
    r.after_server_close = settle(&lab, r, "after close", |e| {
        e.client_proc == Some(TcpState::TimeWait) && e.server_proc.is_none()
    })?;
    let eof = Lab::read_to_eof(lab.client()?)?;
    say(
        Side::Client,
        format!("recv() returned 0 after {eof} more bytes: the server's FIN"),
    );
    let (ca, sa) = (
        lab.client_addr.context("no client address")?,
        lab.server_addr,
    );
    if let Some(e) = procnet::proc_entry(ca, sa)? {
        r.time_wait_left = (e.timer == 3).then_some(e.timer_left_secs);
        say(
            Side::Kernel,
            format!(
                "/proc/net/tcp: {ca} -> {sa} is {} with {:.1} s left on its timer",
                e.state, e.timer_left_secs
            ),
        );
    }
    say(Side::Note, "the client's own fd reports CLOSE: TIME_WAIT lives on in a small kernel-only record, visible in /proc (or `ss -tan`), not through the fd.");
    say(Side::Note, "TIME_WAIT (2×MSL; fixed at 60 s in Linux) belongs to whoever closed first. It lets a lost final ACK be re-sent and keeps stray old segments from landing in a new connection on the same ports.");
    Ok(())
}

/// A fresh connection, made and accepted (steps 1 and 2 again, unnarrated).
fn connected(ipv6: bool) -> Result<Lab> {
    Ok(Lab::from(demo_kit::net::loopback_pair(ipv6)?))
}

fn fin_wait1(ipv6: bool, r: &mut TourReport) -> Result<()> {
    step(
        6,
        "making FIN_WAIT1 visible: a FIN stuck behind a full window",
    );
    let lab = connected(ipv6)?;
    let queued = Lab::fill_window(lab.client()?, lab.server()?)?;
    say(
        Side::Client,
        format!("wrote {queued} bytes the server does not read, until the kernel said EWOULDBLOCK"),
    );
    lab.client_shutdown_write()?;
    say(
        Side::Client,
        "shutdown(SHUT_WR) — the FIN is queued behind that data",
    );
    r.fin_wait1 = settle(&lab, r, "FIN not sent yet", |e| {
        e.client_fd == Some(TcpState::FinWait1)
    })?;
    r.fin_wait1_queued = queued;
    let (ca, sa) = (
        lab.client_addr.context("no client address")?,
        lab.server_addr,
    );
    r.fin_wait1_unsent = lab.tx_queue(ca, sa)?;
    say(
        Side::Kernel,
        format!(
            "client send queue: {} bytes still waiting (/proc tx_queue)",
            r.fin_wait1_unsent
        ),
    );
    let n = Lab::read_to_eof(lab.server()?)?;
    say(
        Side::Server,
        format!("read {n} bytes, then EOF: the FIN arrived last, after the data"),
    );
    r.fin_wait1_drained = settle(&lab, r, "after draining", |e| {
        e.client_fd == Some(TcpState::FinWait2) && e.server_fd == Some(TcpState::CloseWait)
    })?;
    Ok(())
}

fn last_ack(ipv6: bool, r: &mut TourReport) -> Result<()> {
    step(
        7,
        "making LAST_ACK visible: the server's FIN stuck behind a full window",
    );
    let lab = connected(ipv6)?;
    lab.client_shutdown_write()?;
    Lab::read_to_eof(lab.server()?)?;
    say(
        Side::Client,
        "shutdown(SHUT_WR); the server read EOF and is in CLOSE_WAIT",
    );
    let queued = Lab::fill_window(lab.server()?, lab.client()?)?;
    say(
        Side::Server,
        format!("wrote {queued} bytes the client does not read, then shutdown(SHUT_WR)"),
    );
    lab.server()?
        .shutdown(std::net::Shutdown::Write)
        .context("server shutdown(Write)")?;
    r.last_ack = settle(&lab, r, "server's FIN not sent yet", |e| {
        e.server_fd == Some(TcpState::LastAck)
    })?;
    let n = Lab::read_to_eof(lab.client()?)?;
    say(
        Side::Client,
        format!("read {n} bytes, then EOF; my kernel ACKs the server's FIN"),
    );
    r.last_ack_done = settle(&lab, r, "after the last ACK", |e| {
        e.server_fd == Some(TcpState::Close) && e.client_proc == Some(TcpState::TimeWait)
    })?;
    say(Side::Note, "never seen here: CLOSING (both sides send FIN at the same instant) and SYN_RECV of a normal connect — both pass in microseconds on loopback.");
    Ok(())
}
