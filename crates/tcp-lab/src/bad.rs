//! Bad packets, and what the kernel does with each.
//!
//! A TCP implementation must assume any segment may be corrupt, stale or
//! forged. Linux's answers: a segment whose checksum fails is dropped in
//! silence (it cannot even trust the ports, so there is nobody to answer);
//! a segment that makes no sense for the connection it names is answered
//! with RST ("reset: I have no such connection, forget it"); a SYN to a
//! port nobody listens on gets RST too, which `connect()` reports as
//! "Connection refused".

use crate::kstate::snmp;
use crate::peer::{random_isn, Peer, ANSWER_WAIT};
use crate::tun::Tun;
use demo_kit::say::{say, step};
use demo_kit::{tr, Context, Result, Side};
use std::net::SocketAddrV4;
use std::time::Duration;
use tcp_packet::{ACK, RST, SYN};

/// What came back for each bad packet.
#[derive(Debug, Default)]
pub struct Report {
    pub bad_checksum_answered: bool,
    pub csum_errors_counted: u64,
    pub wrong_ack_got_rst: bool,
    pub closed_port_got_rst: bool,
}

/// How long a silence must last to count as "dropped".
const SILENCE: Duration = Duration::from_millis(500);

pub fn run(tun: &Tun, kernel: SocketAddrV4) -> Result<Report> {
    let mut r = Report::default();
    step(
        5,
        tr!(
            "bad packets: the kernel grades them",
            "有问题的包：看内核怎么处理"
        ),
    );
    // A listener again on 192.0.2.1:7000, open for the whole step.
    let _listener = std::net::TcpListener::bind(kernel).context("bind(192.0.2.1:7000) again")?;
    say(
        Side::Server,
        tr!(
            "the kernel listens on {kernel} again",
            "内核再次在 {kernel} 上监听"
        ),
    );

    say(
        Side::Note,
        tr!(
            "(a) a SYN with one bit of its checksum flipped, from 192.0.2.2:40002",
            "（a）一个校验和翻转了一位的 SYN，来自 192.0.2.2:40002"
        ),
    );
    let mut p = Peer::new(tun, "192.0.2.2:40002".parse().context("addr")?, kernel);
    let before = snmp("Tcp", "InCsumErrors")?;
    let mut packet = p.segment(random_isn()?, 0, SYN).to_packet(&[]);
    packet[36] ^= 0x01; // TCP checksum, low byte
    p.send_raw(&packet, &tr!("(checksum wrong)", "（校验和错误）"))?;
    r.bad_checksum_answered = p.expect(SILENCE, |_| true)?.is_some();
    r.csum_errors_counted = snmp("Tcp", "InCsumErrors")?.saturating_sub(before);
    if !r.bad_checksum_answered {
        p.event(&tr!(
            "silence for {} ms: dropped",
            "{} ms 内没有回应：被丢弃",
            SILENCE.as_millis()
        ));
    }
    say(
        Side::Kernel,
        tr!(
            "no answer, no SYN_RECV socket (state: {}); /proc/net/snmp InCsumErrors went up by {}",
            "没有回应，也没有 SYN_RECV 套接字（状态：{}）；/proc/net/snmp InCsumErrors 增加了 {}",
            p.state(),
            r.csum_errors_counted
        ),
    );

    say(Side::Note, tr!("(b) a handshake from 192.0.2.2:40003 whose ACK acknowledges a number the kernel never sent", "（b）一次来自 192.0.2.2:40003 的握手，它的 ACK 确认了一个内核从没发过的序号"));
    let mut p = Peer::new(tun, "192.0.2.2:40003".parse().context("addr")?, kernel);
    let x = random_isn()?;
    p.send(p.segment(x, 0, SYN), &[])?;
    let (synack, _) = p
        .expect(ANSWER_WAIT, |s| s.has(SYN) && s.has(ACK))?
        .context(tr!(
            "no SYN|ACK for the second handshake",
            "第二次握手没有收到 SYN|ACK"
        ))?;
    let wrong = synack.seq.wrapping_add(1000);
    p.send_raw(
        &p.segment(x.wrapping_add(1), wrong, ACK).to_packet(&[]),
        &tr!(
            "(ack = y+1000, should be y+1)",
            "（ack = y+1000，应为 y+1）"
        ),
    )?;
    r.wrong_ack_got_rst = p.expect(ANSWER_WAIT, |s| s.has(RST))?.is_some();
    say(
        Side::Kernel,
        tr!(
            "{}; the half-open connection stays {} and accept() has nothing to return",
            "{}；半连接仍是 {}，accept() 没有可返回的连接",
            if r.wrong_ack_got_rst {
                tr!(
                    "RST, with seq = the ack we sent: \"you acknowledge bytes I never sent\"",
                    "RST，seq = 我们发的 ack：“你确认了我从没发过的字节”"
                )
            } else {
                tr!("no RST came", "没有收到 RST")
            },
            p.state()
        ),
    );

    say(
        Side::Note,
        tr!(
            "(c) a SYN to 192.0.2.1:7001, where nobody listens",
            "（c）一个发往 192.0.2.1:7001 的 SYN，那里没人监听"
        ),
    );
    let closed = SocketAddrV4::new(*kernel.ip(), kernel.port() + 1);
    let mut p = Peer::new(tun, "192.0.2.2:40004".parse().context("addr")?, closed);
    let x = random_isn()?;
    p.send(p.segment(x, 0, SYN), &[])?;
    r.closed_port_got_rst = p
        .expect(ANSWER_WAIT, |s| s.has(RST) && s.ack == x.wrapping_add(1))?
        .is_some();
    say(
        Side::Kernel,
        tr!(
            "{}: what a client's connect() reports as \"Connection refused\" (ECONNREFUSED)",
            "{}：客户端的 connect() 会把它报告为 \"Connection refused\"（ECONNREFUSED）",
            if r.closed_port_got_rst {
                tr!("RST|ACK with ack = x+1", "RST|ACK，ack = x+1")
            } else {
                tr!("no RST came", "没有收到 RST")
            }
        ),
    );
    Ok(r)
}
