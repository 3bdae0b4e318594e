//! The default mode, `states`: one connection from handshake to TIME_WAIT,
//! narrated step by step, then two more connections that make the fleeting
//! states FIN_WAIT1 and LAST_ACK stay long enough to be seen.
//!
//! Every state printed is read back from the kernel at that moment.

use crate::kernel::TcpState;
use crate::procnet;
use crate::states::{show, Ends, Lab, SETTLE};
use demo_kit::say::{say, step};
use demo_kit::{lang, tr, Context, Result, Side};
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
        tr!(
            "{who}: client fd {} | server fd {} | /proc: client {}, server {}",
            "{who}：客户端 fd {} | 服务端 fd {} | /proc：客户端 {}，服务端 {}",
            e.client_fd.map_or("-".into(), |s| s.name()),
            e.server_fd.map_or_else(
                || tr!("(not accepted / closed)", "（未 accept / 已关闭）"),
                |s| s.name()
            ),
            show(e.client_proc),
            show(e.server_proc),
        ),
    );
}

/// Waits until `done` holds for the states after `what`, then prints
/// them. A wait in vain is said and recorded, not fatal: the tour shows
/// what the kernel did, even when it is not what the lesson expects.
/// `what` names the moment in English (recorded) and in Chinese.
fn settle(
    lab: &Lab,
    r: &mut TourReport,
    (what, what_zh): (&'static str, &'static str),
    done: impl Fn(&Ends) -> bool,
) -> Result<Ends> {
    let (ends, reached) = lab.settle(done)?;
    let shown = lang::pick(what, what_zh);
    if !reached {
        r.unsettled.push(what);
        say(
            Side::Note,
            tr!(
                "{shown}: still not the states the lesson expects after {} s; here is what the kernel shows",
                "{shown}：等了 {} 秒，状态仍不是课程预期的样子；下面是内核给出的状态",
                SETTLE.as_secs()
            ),
        );
    }
    report(shown, &ends);
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
        tr!(
            "bind + listen on {}",
            "在 {} 上 bind + listen",
            lab.server_addr
        ),
    );
    say(
        Side::Kernel,
        tr!(
            "listener fd: {} — accept queue {} of backlog {} (TCP_INFO)",
            "监听套接字 fd：{}——accept 队列 {} 个，backlog {}（TCP_INFO）",
            info.state,
            info.unacked,
            info.sacked
        ),
    );

    step(
        2,
        tr!(
            "connect(), before the server calls accept()",
            "connect()，服务端还没调用 accept()"
        ),
    );
    lab.connect()?;
    say(
        Side::Client,
        tr!(
            "connect() returned after {} µs; I am {}",
            "connect() 用了 {} µs 就返回了；我的地址是 {}",
            lab.connect_took.map_or(0, |d| d.as_micros()),
            lab.client_addr.map_or("?".into(), |a| a.to_string())
        ),
    );
    r.after_connect = settle(&lab, r, ("after connect", "connect 之后"), |e| {
        e.client_fd == Some(TcpState::Established) && e.server_proc == Some(TcpState::Established)
    })?;
    r.queued_before_accept = lab.listener_info()?.unacked;
    say(
        Side::Kernel,
        tr!(
            "listener's accept queue now holds {} finished connection(s)",
            "监听套接字的 accept 队列里现在有 {} 个已完成握手的连接",
            r.queued_before_accept
        ),
    );
    say(Side::Note, tr!("both ends are ESTABLISHED although nobody called accept(): the kernel did SYN, SYN+ACK, ACK (三次握手) on its own.", "还没有人调用 accept()，两端就都是 ESTABLISHED 了：SYN、SYN+ACK、ACK（三次握手）是内核自己完成的。"));
    say(Side::Note, tr!("SYN_SENT and SYN_RECV lasted less than those {} µs: a blocking connect() returns only when the handshake is done, and on loopback all three packets pass inside that call. (`backlog` mode freezes SYN_SENT.)", "SYN_SENT 和 SYN_RECV 持续的时间不到这 {} µs：阻塞的 connect() 要等握手完成才返回，而在回环接口上，三个包都在这次调用之内就走完了。（`backlog` 模式能让 SYN_SENT 停住。）", lab.connect_took.map_or(0, |d| d.as_micros())));
    lab.accept()?;
    say(
        Side::Server,
        tr!(
            "accept() took it off the queue: {}",
            "accept() 把它从队列里取了出来：{}",
            show(lab.ends()?.server_fd)
        ),
    );

    step(
        3,
        tr!(
            "client shutdown(Write): the first wave (挥手)",
            "客户端 shutdown(Write)：第一次挥手"
        ),
    );
    lab.client_shutdown_write()?;
    say(
        Side::Client,
        tr!(
            "shutdown(SHUT_WR): \"I will send no more\" — my kernel sends FIN",
            "shutdown(SHUT_WR)：“我不再发了”——我的内核发出 FIN"
        ),
    );
    let after_fin = ("after the FIN and its ACK", "FIN 和它的 ACK 之后");
    r.after_half_close = settle(&lab, r, after_fin, |e| {
        e.client_fd == Some(TcpState::FinWait2) && e.server_fd == Some(TcpState::CloseWait)
    })?;
    r.server_read_before_eof = Lab::read_to_eof(lab.server()?)?;
    say(
        Side::Server,
        tr!(
            "recv() returned 0 after {} bytes: that 0 is how a program sees the FIN (EOF)",
            "recv() 在 {} 字节之后返回 0：程序就是靠这个 0 看到 FIN 的（EOF）",
            r.server_read_before_eof
        ),
    );

    step(
        4,
        tr!(
            "the server still sends in CLOSE_WAIT (half-close, 半关闭)",
            "服务端在 CLOSE_WAIT 状态下照样能发数据（半关闭）"
        ),
    );
    let msg = b"last words from the server";
    lab.server()?
        .write_all(msg)
        .context("server sending in CLOSE_WAIT")?;
    say(
        Side::Server,
        tr!(
            "sent {} bytes although the client said goodbye",
            "客户端已经说了再见，我仍然发出了 {} 字节",
            msg.len()
        ),
    );
    let mut got = vec![0u8; msg.len()];
    lab.client()?
        .read_exact(&mut got)
        .context("client reading in FIN_WAIT2")?;
    say(
        Side::Client,
        tr!(
            "received {} in FIN_WAIT2",
            "在 FIN_WAIT2 状态下收到了 {}",
            demo_kit::say::show_bytes(&got)
        ),
    );
    r.client_got_in_fin_wait2 = got;
    say(Side::Note, tr!("this is why closing takes four waves but opening three: the peer's ACK of my FIN and its own FIN are separate decisions, with data possibly in between.", "这就是为什么建立连接握三次手，断开却要挥四次手：对端确认我的 FIN，和它自己发 FIN，是两件分开的事，中间还可能夹着数据。"));

    step(
        5,
        tr!(
            "server close(): the last two waves",
            "服务端 close()：最后两次挥手"
        ),
    );
    lab.server = None; // dropping the TcpStream calls close(fd)
    say(
        Side::Server,
        tr!(
            "close() — my kernel sends FIN, the client's kernel ACKs it",
            "close()——我的内核发出 FIN，客户端的内核回 ACK"
        ),
    );
    r.after_server_close = settle(&lab, r, ("after close", "close 之后"), |e| {
        e.client_proc == Some(TcpState::TimeWait) && e.server_proc.is_none()
    })?;
    let eof = Lab::read_to_eof(lab.client()?)?;
    say(
        Side::Client,
        tr!(
            "recv() returned 0 after {eof} more bytes: the server's FIN",
            "recv() 又读了 {eof} 字节后返回 0：这是服务端的 FIN"
        ),
    );
    let (ca, sa) = (
        lab.client_addr.context("no client address")?,
        lab.server_addr,
    );
    if let Some(e) = procnet::proc_entry(ca, sa)? {
        r.time_wait_left = (e.timer == 3).then_some(e.timer_left_secs);
        say(
            Side::Kernel,
            tr!(
                "/proc/net/tcp: {ca} -> {sa} is {} with {:.1} s left on its timer",
                "/proc/net/tcp：{ca} -> {sa} 处于 {}，定时器还剩 {:.1} 秒",
                e.state,
                e.timer_left_secs
            ),
        );
    }
    say(Side::Note, tr!("the client's own fd reports CLOSE: TIME_WAIT lives on in a small kernel-only record, visible in /proc (or `ss -tan`), not through the fd.", "客户端自己的 fd 报告的是 CLOSE：TIME_WAIT 保存在内核里一条小小的记录中，通过 fd 看不到，要看 /proc（或 `ss -tan`）。"));
    say(Side::Note, tr!("TIME_WAIT (2×MSL; fixed at 60 s in Linux) belongs to whoever closed first. It lets a lost final ACK be re-sent and keeps stray old segments from landing in a new connection on the same ports.", "TIME_WAIT（2×MSL；Linux 里固定为 60 秒）落在先关闭的一方。有了它，丢失的最后一个 ACK 可以重发，迷路的旧报文段也不会混进同一对端口上的新连接。"));
    Ok(())
}

/// A fresh connection, made and accepted (steps 1 and 2 again, unnarrated).
fn connected(ipv6: bool) -> Result<Lab> {
    Ok(Lab::from(demo_kit::net::loopback_pair(ipv6)?))
}

fn fin_wait1(ipv6: bool, r: &mut TourReport) -> Result<()> {
    step(
        6,
        tr!(
            "making FIN_WAIT1 visible: a FIN stuck behind a full window",
            "让 FIN_WAIT1 看得见：FIN 堵在满了的窗口后面"
        ),
    );
    let lab = connected(ipv6)?;
    let queued = Lab::fill_window(lab.client()?, lab.server()?)?;
    say(
        Side::Client,
        tr!(
            "wrote {queued} bytes the server does not read, until the kernel said EWOULDBLOCK",
            "写了 {queued} 字节，服务端不读，一直写到内核返回 EWOULDBLOCK"
        ),
    );
    lab.client_shutdown_write()?;
    say(
        Side::Client,
        tr!(
            "shutdown(SHUT_WR) — the FIN is queued behind that data",
            "shutdown(SHUT_WR)——FIN 排在这些数据后面"
        ),
    );
    r.fin_wait1 = settle(&lab, r, ("FIN not sent yet", "FIN 还没发出"), |e| {
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
        tr!(
            "client send queue: {} bytes still waiting (/proc tx_queue)",
            "客户端的发送队列：还有 {} 字节在等（/proc 的 tx_queue）",
            r.fin_wait1_unsent
        ),
    );
    let n = Lab::read_to_eof(lab.server()?)?;
    say(
        Side::Server,
        tr!(
            "read {n} bytes, then EOF: the FIN arrived last, after the data",
            "读了 {n} 字节，然后是 EOF：FIN 最后才到，在数据之后"
        ),
    );
    let drained = ("after draining", "读空之后");
    r.fin_wait1_drained = settle(&lab, r, drained, |e| {
        e.client_fd == Some(TcpState::FinWait2) && e.server_fd == Some(TcpState::CloseWait)
    })?;
    Ok(())
}

fn last_ack(ipv6: bool, r: &mut TourReport) -> Result<()> {
    step(
        7,
        tr!(
            "making LAST_ACK visible: the server's FIN stuck behind a full window",
            "让 LAST_ACK 看得见：服务端的 FIN 堵在满了的窗口后面"
        ),
    );
    let lab = connected(ipv6)?;
    lab.client_shutdown_write()?;
    Lab::read_to_eof(lab.server()?)?;
    say(
        Side::Client,
        tr!(
            "shutdown(SHUT_WR); the server read EOF and is in CLOSE_WAIT",
            "shutdown(SHUT_WR)；服务端读到 EOF，进入 CLOSE_WAIT"
        ),
    );
    let queued = Lab::fill_window(lab.server()?, lab.client()?)?;
    say(
        Side::Server,
        tr!(
            "wrote {queued} bytes the client does not read, then shutdown(SHUT_WR)",
            "写了 {queued} 字节，客户端不读，然后 shutdown(SHUT_WR)"
        ),
    );
    lab.server()?
        .shutdown(std::net::Shutdown::Write)
        .context("server shutdown(Write)")?;
    let not_sent = ("server's FIN not sent yet", "服务端的 FIN 还没发出");
    r.last_ack = settle(&lab, r, not_sent, |e| {
        e.server_fd == Some(TcpState::LastAck)
    })?;
    let n = Lab::read_to_eof(lab.client()?)?;
    say(
        Side::Client,
        tr!(
            "read {n} bytes, then EOF; my kernel ACKs the server's FIN",
            "读了 {n} 字节，然后是 EOF；我的内核对服务端的 FIN 回 ACK"
        ),
    );
    let last = ("after the last ACK", "最后一个 ACK 之后");
    r.last_ack_done = settle(&lab, r, last, |e| {
        e.server_fd == Some(TcpState::Close) && e.client_proc == Some(TcpState::TimeWait)
    })?;
    say(Side::Note, tr!("never seen here: CLOSING (both sides send FIN at the same instant) and SYN_RECV of a normal connect — both pass in microseconds on loopback.", "这里看不到的：CLOSING（两端在同一瞬间发 FIN）和普通 connect 的 SYN_RECV——在回环接口上，两者都只持续几微秒。"));
    Ok(())
}
