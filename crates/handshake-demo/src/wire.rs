//! The `sniff` mode narrated: record one short connection with the raw
//! socket of [`crate::sniff`] and print its packets with absolute and
//! relative sequence numbers, then check the course's arithmetic
//! (seq = x → ack = x+1) on them.

use crate::packet::{Segment, ACK, FIN, SYN};
use crate::sniff;
use demo_kit::say::{say, step};
use demo_kit::{tr, Context, Result, Side};
use std::io::{Read, Write};
use std::net::{SocketAddr, SocketAddrV4, TcpListener, TcpStream};
use std::time::Duration;
use tcp_packet::Ladder;

/// One recorded connection.
#[derive(Clone, Debug)]
pub struct Capture {
    pub client: SocketAddrV4,
    pub server: SocketAddrV4,
    pub packets: Vec<Segment>,
}

impl Capture {
    pub fn from_client(&self, s: &Segment) -> bool {
        s.src == self.client
    }

    /// The initial sequence numbers (x, y) taken from the SYN and SYN|ACK.
    pub fn isns(&self) -> Option<(u32, u32)> {
        let syn = self.packets.iter().find(|s| s.flags & (SYN | ACK) == SYN)?;
        let synack = self.packets.iter().find(|s| s.has(SYN) && s.has(ACK))?;
        Some((syn.seq, synack.seq))
    }

    /// The course's arithmetic on the first three packets: the SYN|ACK
    /// says ack = x+1, the last ACK says seq = x+1 and ack = y+1.
    pub fn handshake_adds_up(&self) -> bool {
        let (Some((x, y)), [_, synack, ack, ..]) = (self.isns(), &self.packets[..]) else {
            return false;
        };
        synack.ack == x.wrapping_add(1)
            && ack.seq == x.wrapping_add(1)
            && ack.ack == y.wrapping_add(1)
    }

    /// The packets from the first FIN on: the teardown (挥手).
    pub fn teardown(&self) -> Vec<Segment> {
        let first_fin = self.packets.iter().position(|s| s.has(FIN));
        first_fin.map_or_else(Vec::new, |i| self.packets[i..].to_vec())
    }
}

/// Runs connect, one small exchange and close, and records the packets.
/// `server_waits`: the server pauses after reading EOF before it closes,
/// longer than the longest delayed ACK (200 ms), so its ACK and FIN go out
/// as separate packets; without the pause it closes at once.
pub fn record(server_waits: bool) -> Result<Capture> {
    let raw = sniff::open_raw()?;
    let listener = TcpListener::bind("127.0.0.1:0").context("listening on 127.0.0.1:0")?;
    let server = v4(listener.local_addr().context("listener address")?)?;
    sniff::watch_port(&raw, server.port())?;

    let mut client = TcpStream::connect(server).context("client connect")?;
    let (mut conn, _) = listener.accept().context("server accept")?;
    let timeout = Some(Duration::from_secs(5));
    client.set_read_timeout(timeout).context("timeout")?;
    conn.set_read_timeout(timeout).context("timeout")?;
    let client_addr = v4(client.local_addr().context("client address")?)?;

    client.write_all(b"hello").context("client send")?;
    let mut buf = [0u8; 16];
    let n = conn.read(&mut buf).context("server recv")?;
    conn.write_all(&buf[..n].to_ascii_uppercase())
        .context("server send")?;
    client.read_exact(&mut buf[..n]).context("client recv")?;
    drop(client); // close(): the client's FIN
    let eof = conn.read(&mut buf).context("server waiting for EOF")?;
    if eof != 0 {
        return demo_kit::bail_msg(tr!(
            "server expected EOF after the client's close",
            "客户端 close 之后，服务端本应读到 EOF"
        ));
    }
    if server_waits {
        // A demonstration pause, not synchronisation: it lets the kernel's
        // delayed-ACK timer fire before the server decides to close.
        std::thread::sleep(Duration::from_millis(300));
    }
    drop(conn); // close(): the server's FIN
                // Wait (bounded) until the client's kernel has answered the last FIN:
                // on a busy machine loopback packets may still be on their way.
    demo_kit::wait::until(Duration::from_secs(5), || {
        let e = crate::procnet::proc_entry(client_addr.into(), server.into()).ok()??;
        (e.state == crate::kernel::TcpState::TimeWait).then_some(())
    })
    .with_context(|| {
        tr!(
            "the client's end never reached TIME_WAIT within 5 s: the teardown did not finish",
            "客户端一端 5 秒内没有进入 TIME_WAIT：挥手没有完成"
        )
    })?;
    let packets = sniff::read_packets(&raw, server.port())?;
    Ok(Capture {
        client: client_addr,
        server,
        packets,
    })
}

fn v4(a: SocketAddr) -> Result<SocketAddrV4> {
    match a {
        SocketAddr::V4(v) => Ok(v),
        SocketAddr::V6(_) => demo_kit::bail_msg(tr!("sniff parses IPv4 only", "sniff 只解析 IPv4")),
    }
}

/// Prints the packets as a ladder (the shared view of `tcp-packet`, also
/// used by `tcp-lab`), like `tcpdump -S` but drawn the way the course draws it.
pub fn print_table(c: &Capture) {
    let Some((x, y)) = c.isns() else {
        say(
            Side::Kernel,
            tr!(
                "no handshake among {} captured packets",
                "抓到的 {} 个包里没有握手",
                c.packets.len()
            ),
        );
        return;
    };
    say(
        Side::Note,
        tr!(
            "x = client's first seq {x}, y = server's {y}; relative numbers count from them",
            "x = 客户端的第一个 seq {x}，y = 服务端的 {y}；相对序号从它们算起"
        ),
    );
    let mut ladder = Ladder::new("client", c.client, "server", c.server).with_isns(x, y);
    say(Side::Kernel, ladder.header(""));
    for s in &c.packets {
        say(Side::Kernel, ladder.arrow(s, ""));
    }
}

/// The mode: check privileges, record twice, print and explain.
pub fn run() -> Result<(Capture, Capture)> {
    drop(sniff::open_raw()?); // fail early, with the explanation, if not privileged
    step(
        1,
        tr!(
            "a connection whose server waits before closing: a true four-way teardown",
            "服务端等一会儿再关闭的连接：真正的四次挥手"
        ),
    );
    let four = record(true)?;
    print_table(&four);
    explain_handshake(&four);
    explain_teardown(&four);
    step(
        2,
        tr!(
            "the same, but the server closes the moment it reads EOF",
            "同样的连接，但服务端一读到 EOF 就关闭"
        ),
    );
    let three = record(false)?;
    print_table(&three);
    explain_teardown(&three);
    if three.teardown().len() == 3 {
        say(Side::Note, tr!("three packets: the server's FIN|ACK also acknowledges the client's FIN. Linux delays a bare ACK (40-200 ms)", "三个包：服务端的 FIN|ACK 同时确认了客户端的 FIN。Linux 会把单独的 ACK 推迟（40-200 ms）"));
        say(Side::Note, tr!("hoping to piggyback it; the server's close() came first, so ACK and FIN shared one packet.", "想让它搭上后面的包一起走；服务端的 close() 先来了，于是 ACK 和 FIN 合在一个包里。"));
    } else {
        say(Side::Note, tr!("this time the ACK left before the server's close(): four packets again. Rerun to see the three-packet case.", "这次 ACK 在服务端 close() 之前就发出去了：又是四个包。再运行一次，就可能看到三个包的情况。"));
    }
    say(Side::Note, tr!("the four waves are four *messages*; whether two of them share a packet is up to the kernel's timing.", "四次挥手是四条*消息*；其中两条是否合在一个包里，取决于内核的时机。"));
    Ok((four, three))
}

fn explain_handshake(c: &Capture) {
    let Some((x, y)) = c.isns() else { return };
    let p = &c.packets;
    if p.len() >= 3 {
        let ok = c.handshake_adds_up();
        let verdict = if ok {
            tr!(
                "exactly the course's seq=x -> ack=x+1",
                "正是课程里的 seq=x -> ack=x+1"
            )
        } else {
            tr!("NOT the expected arithmetic", "和预期的算式“不符”")
        };
        say(Side::Note, tr!(
            "handshake: SYN seq=x={x}; SYN|ACK seq=y={y} ack={} (x+1); ACK seq={} ack={} (y+1) — {}",
            "握手：SYN seq=x={x}；SYN|ACK seq=y={y} ack={}（x+1）；ACK seq={} ack={}（y+1）——{}",
            p[1].ack, p[2].seq, p[2].ack, verdict
        ));
        say(
            Side::Note,
            tr!(
                "the SYN carries no data but uses one sequence number; so does a FIN. That is the +1.",
                "SYN 不带数据，却占一个序号；FIN 也一样。+1 就是这么来的。"
            ),
        );
    }
}

fn explain_teardown(c: &Capture) {
    let t = c.teardown();
    let names: Vec<String> = t
        .iter()
        .map(|s| {
            let who = if c.from_client(s) {
                tr!("client", "客户端")
            } else {
                tr!("server", "服务端")
            };
            format!("{who} {}", s.flag_names())
        })
        .collect();
    say(
        Side::Kernel,
        tr!(
            "teardown seen: {} packets: {}",
            "看到的挥手：{} 个包：{}",
            t.len(),
            names.join(tr!(", ", "，").as_str())
        ),
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::packet::PSH;

    const X: u32 = 1000;
    const Y: u32 = u32::MAX; // y + 1 wraps to 0

    fn seg(from_client: bool, flags: u8, seq: u32, ack: u32) -> Segment {
        let (c, s) = (
            "127.0.0.1:50000".parse().unwrap(),
            "127.0.0.1:8080".parse().unwrap(),
        );
        let (src, dst) = if from_client { (c, s) } else { (s, c) };
        Segment {
            src,
            dst,
            seq,
            ack,
            flags,
            window: 65535,
            payload_len: 0,
        }
    }

    /// A connection as the wire shows it: handshake, one data packet, teardown.
    fn capture() -> Capture {
        let packets = vec![
            seg(true, SYN, X, 0),
            seg(false, SYN | ACK, Y, X + 1),
            seg(true, ACK, X + 1, Y.wrapping_add(1)),
            seg(true, PSH | ACK, X + 1, Y.wrapping_add(1)),
            seg(true, FIN | ACK, X + 6, Y.wrapping_add(1)),
            seg(false, FIN | ACK, Y.wrapping_add(1), X + 7),
            seg(true, ACK, X + 7, Y.wrapping_add(2)),
        ];
        let (client, server) = (packets[0].src, packets[0].dst);
        Capture {
            client,
            server,
            packets,
        }
    }

    #[test]
    fn the_isns_come_from_the_syn_and_the_syn_ack() {
        assert_eq!(capture().isns(), Some((X, Y)));
        let mut no_synack = capture();
        no_synack.packets.remove(1);
        assert_eq!(no_synack.isns(), None);
    }

    #[test]
    fn the_handshake_adds_up_only_when_all_three_numbers_do() {
        assert!(capture().handshake_adds_up());
        for (packet, seq, ack) in [(1, Y, X), (2, X, Y.wrapping_add(1)), (2, X + 1, Y)] {
            let mut c = capture();
            (c.packets[packet].seq, c.packets[packet].ack) = (seq, ack);
            assert!(
                !c.handshake_adds_up(),
                "packet {packet}: seq {seq} ack {ack}"
            );
        }
        let mut short = capture();
        short.packets.truncate(2);
        assert!(!short.handshake_adds_up());
    }

    #[test]
    fn the_teardown_starts_at_the_first_fin() {
        let c = capture();
        assert_eq!(c.teardown(), c.packets[4..].to_vec());
        assert!(c.from_client(&c.packets[4]) && !c.from_client(&c.packets[5]));
        let mut open = capture();
        open.packets.truncate(4);
        assert_eq!(open.teardown(), vec![]);
    }
}
