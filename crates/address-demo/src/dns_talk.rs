//! A DNS conversation on loopback: a tiny responder on a UDP port the
//! kernel picks (port 53 is often taken by the system's own resolver, and
//! binding a port below `net.ipv4.ip_unprivileged_port_start`, 1024 by
//! default, needs `CAP_NET_BIND_SERVICE`), answering from `/etc/hosts`; and a client that builds the
//! query byte by byte, `sendto()`s it, and decodes the reply field by field.

use crate::dns::{self, Header};
use demo_kit::say::{hex, say};
use demo_kit::{bail_msg, tr, Context, Result, Side};
use std::net::{Ipv4Addr, SocketAddr, UdpSocket};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// One question and its answer, as bytes and decoded.
#[derive(Debug)]
pub struct Exchange {
    pub query: Vec<u8>,
    pub reply: Vec<u8>,
    pub header: Header,
    pub answers: Vec<dns::Answer>,
}

/// The first IPv4 address `/etc/hosts` gives `name`.
pub fn etc_hosts(name: &str) -> Option<Ipv4Addr> {
    let text = std::fs::read_to_string("/etc/hosts").ok()?;
    text.lines().find_map(|l| {
        let mut f = l.split('#').next()?.split_whitespace();
        let ip: Ipv4Addr = f.next()?.parse().ok()?;
        f.any(|n| n.eq_ignore_ascii_case(name)).then_some(ip)
    })
}

/// A responder thread, stopped and joined on drop.
pub struct Responder {
    pub addr: SocketAddr,
    stop: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Drop for Responder {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// Binds UDP 127.0.0.1:0 and answers A queries from `/etc/hosts`.
pub fn start_responder() -> Result<Responder> {
    let socket = UdpSocket::bind("127.0.0.1:0")
        .context(tr!("bind() the DNS responder", "给 DNS 应答程序 bind()"))?;
    // Every recv() gives up after 50 ms, so the stop flag is seen.
    socket.set_read_timeout(Some(Duration::from_millis(50)))?;
    let addr = socket.local_addr()?;
    let stop = Arc::new(AtomicBool::new(false));
    let flag = Arc::clone(&stop);
    let thread = std::thread::spawn(move || {
        let mut buf = [0u8; 512]; // a classic DNS datagram is at most 512 bytes
        while !flag.load(Ordering::SeqCst) {
            let Ok((n, peer)) = socket.recv_from(&mut buf) else {
                continue;
            };
            if let Some(reply) = dns::respond(&buf[..n], etc_hosts) {
                let _ = socket.send_to(&reply, peer);
            }
        }
    });
    Ok(Responder {
        addr,
        stop,
        thread: Some(thread),
    })
}

/// Asks `server` for the A record of `name`, narrating both messages.
pub fn ask(server: SocketAddr, id: u16, name: &str) -> Result<Exchange> {
    let query = dns::query(id, name).map_err(demo_kit::Error::msg)?;
    let socket =
        UdpSocket::bind("127.0.0.1:0").context(tr!("bind() the client", "给客户端 bind()"))?;
    socket.set_read_timeout(Some(Duration::from_secs(5)))?;
    socket
        .send_to(&query, server)
        .context(tr!("sendto() the query", "sendto() 发送查询"))?;
    say(
        Side::Client,
        tr!(
            "sendto({server}) a query for {name:?}: {} bytes in one datagram",
            "sendto({server}) 查询 {name:?}：一个数据报，{} 个字节",
            query.len()
        ),
    );
    show(Side::Client, &query);
    let mut buf = [0u8; 512];
    let (n, from) = socket.recv_from(&mut buf).context(tr!(
        "recvfrom(): no answer within 5 s",
        "recvfrom()：5 s 内没有应答"
    ))?;
    let reply = buf[..n].to_vec();
    say(
        Side::Client,
        tr!(
            "recvfrom() returned the reply from {from}: {n} bytes in one datagram; as the server built it:",
            "recvfrom() 收到来自 {from} 的应答：一个数据报，{n} 个字节，和服务端组装时一模一样："
        ),
    );
    show(Side::Server, &reply);
    let Some((header, _, answers)) = dns::parse(&reply) else {
        return bail_msg(tr!(
            "the reply is not a well-formed DNS message",
            "应答不是格式正确的 DNS 报文"
        ));
    };
    if header.id != id {
        return bail_msg(tr!(
            "the reply's ID {:#06x} is not our query's {id:#06x}",
            "应答的 ID {:#06x} 和我们查询的 {id:#06x} 对不上",
            header.id
        ));
    }
    Ok(Exchange {
        query,
        reply,
        header,
        answers,
    })
}

/// Prints a message: the fixed 12-byte header field by field, then the body.
pub fn show(side: Side, msg: &[u8]) {
    let Some((h, (qname, qtype, qclass), answers)) = dns::parse(msg) else {
        say(
            side,
            tr!("(not a DNS message: {})", "（不是 DNS 报文：{}）", hex(msg)),
        );
        return;
    };
    say(
        side,
        tr!(
            "  header, fixed 12 bytes: {}",
            "  首部，固定 12 字节：{}",
            hex(&msg[..12])
        ),
    );
    say(
        side,
        tr!(
            "    bytes 0-1   ID      {:#06x}",
            "    第 0-1 字节   ID      {:#06x}",
            h.id
        ),
    );
    say(
        side,
        tr!(
            "    bytes 2-3   flags   QR={} ({}) OPCODE={} AA={} TC={} RD={} RA={} RCODE={} ({})",
            "    第 2-3 字节   标志    QR={}（{}）OPCODE={} AA={} TC={} RD={} RA={} RCODE={}（{}）",
            u8::from(h.qr),
            if h.qr {
                tr!("response", "应答")
            } else {
                tr!("query", "查询")
            },
            h.opcode,
            u8::from(h.aa),
            u8::from(h.tc),
            u8::from(h.rd),
            u8::from(h.ra),
            h.rcode,
            match h.rcode {
                dns::NOERROR => tr!("no error", "没有错误"),
                dns::NXDOMAIN => tr!("no such name", "没有这个名字"),
                _ => tr!("error", "出错"),
            }
        ),
    );
    say(
        side,
        tr!(
            "    bytes 4-11  QDCOUNT={} ANCOUNT={} NSCOUNT={} ARCOUNT={}: how many records follow",
            "    第 4-11 字节  QDCOUNT={} ANCOUNT={} NSCOUNT={} ARCOUNT={}：后面各有几条记录",
            h.qdcount,
            h.ancount,
            h.nscount,
            h.arcount
        ),
    );
    say(
        side,
        tr!(
            "  body, {} bytes: {}",
            "  正文，{} 个字节：{}",
            msg.len() - 12,
            hex(&msg[12..])
        ),
    );
    say(
        side,
        tr!(
            "    question: name {qname:?} (each label length-prefixed, 0 ends it), type {qtype} (A), class {qclass} (IN)",
            "    问题：名字 {qname:?}（每个标签前面是它的长度，以 0 结尾），类型 {qtype}（A），类 {qclass}（IN）"
        ),
    );
    for a in answers {
        let ip = <[u8; 4]>::try_from(a.data.as_slice()).map(Ipv4Addr::from);
        say(
            side,
            tr!(
                "    answer:   name {:?} (a 2-byte pointer to offset 12), type {}, class {}, TTL {} s, data {}",
                "    回答：名字 {:?}（一个 2 字节的指针，指向偏移 12），类型 {}，类 {}，TTL {} s，数据 {}",
                a.name,
                a.rtype,
                a.class,
                a.ttl,
                ip.map(|ip| ip.to_string()).unwrap_or_else(|_| hex(&a.data))
            ),
        );
    }
}

/// Step 5 of the demo: a responder, and two questions for it.
pub fn tour() -> Result<()> {
    let responder = start_responder()?;
    let start = std::fs::read_to_string("/proc/sys/net/ipv4/ip_unprivileged_port_start")
        .map(|t| t.trim().to_string())
        .unwrap_or_else(|_| "?".into());
    say(
        Side::Server,
        tr!(
            "a toy DNS responder on UDP {} (port 53 is below ip_unprivileged_port_start = {start}: \
             binding it needs CAP_NET_BIND_SERVICE), answering from /etc/hosts",
            "一个玩具 DNS 应答程序，在 UDP {} 上，按 /etc/hosts 回答（53 端口小于 \
             ip_unprivileged_port_start = {start}：绑定它需要 CAP_NET_BIND_SERVICE）",
            responder.addr
        ),
    );
    let id = (std::process::id() & 0xFFFF) as u16;
    for (n, name) in ["localhost", "no-such-host.invalid"].iter().enumerate() {
        ask(responder.addr, id.wrapping_add(n as u16), name)?;
    }
    say(
        Side::Note,
        tr!(
            "a fixed-length header, then a body whose size the header's counts give: the notes' 报头 + 数据, as in lesson 06",
            "先是定长的首部，正文有多长由首部里的计数决定：和第 06 课笔记里的“报头 + 数据”是同一个思路"
        ),
    );
    Ok(())
}
