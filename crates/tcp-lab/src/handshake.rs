//! The default mode: a whole TCP connection made by hand.
//!
//! The kernel listens on 192.0.2.1:7000 behind `tun0`; we play 192.0.2.2
//! and write every header ourselves. The kernel grades us: it answers only
//! what a correct peer would have sent, and `/proc/net/tcp` shows what its
//! socket thinks after each packet.

use crate::peer::{random_isn, Peer, ANSWER_WAIT};
use crate::tun::Tun;
use demo_kit::say::{say, step};
use demo_kit::{bail_msg, tr, Context, Result, Side};
use std::io::{Read, Write};
use std::net::{SocketAddrV4, TcpListener, TcpStream};
use std::os::fd::AsFd;
use std::time::Duration;
use tcp_packet::{ACK, FIN, PSH, SYN};

/// The kernel's listening address, and ours.
pub const KERNEL: &str = "192.0.2.1:7000";
pub const US: &str = "192.0.2.2:40001";

/// What the kernel did, for the summary and the tests.
#[derive(Debug, Default)]
pub struct Report {
    pub x: u32,
    pub y: u32,
    pub accepted: bool,
    pub kernel_read: Vec<u8>,
    pub we_read: Vec<u8>,
    pub states: Vec<String>,
}

/// Waits (bounded) for the listener to have a connection to hand over.
fn accept_within(listener: &TcpListener, wait: Duration) -> Result<Option<TcpStream>> {
    use nix::poll::{poll, PollFd, PollFlags, PollTimeout};
    let ms = u16::try_from(wait.as_millis()).unwrap_or(u16::MAX);
    let mut fds = [PollFd::new(listener.as_fd(), PollFlags::POLLIN)];
    if poll(&mut fds, PollTimeout::from(ms)).context("poll() on the listener")? == 0 {
        return Ok(None);
    }
    let (conn, _) = listener.accept().context("accept()")?;
    conn.set_nonblocking(false).context("blocking mode")?;
    Ok(Some(conn))
}

pub fn run(tun: &Tun) -> Result<Report> {
    let kernel: SocketAddrV4 = KERNEL.parse().context("kernel address")?;
    let us: SocketAddrV4 = US.parse().context("our address")?;
    let listener =
        TcpListener::bind(kernel).context("bind(192.0.2.1:7000) in the lab namespace")?;
    listener
        .set_nonblocking(true)
        .context("non-blocking listener")?;
    say(
        Side::Server,
        tr!(
            "the kernel listens on {kernel}: socket(), bind(), listen()",
            "内核在 {kernel} 上监听：socket()、bind()、listen()"
        ),
    );
    let mut p = Peer::new(tun, us, kernel);
    let mut r = Report::default();

    step(
        2,
        tr!(
            "the three-way handshake (三次握手), written by hand",
            "三次握手，手写"
        ),
    );
    r.x = random_isn()?;
    let x = r.x;
    say(
        Side::Client,
        tr!(
            "our ISN x = {x} (random); SYN means: my bytes start at x+1",
            "我们的 ISN x = {x}（随机）；SYN 的意思是：我的字节从 x+1 开始"
        ),
    );
    p.send(p.segment(x, 0, SYN), &[])?;
    let Some((synack, _)) = p.expect(ANSWER_WAIT, |s| s.has(SYN) && s.has(ACK))? else {
        return bail_msg(tr!(
            "the kernel never answered our SYN with SYN|ACK",
            "内核一直没有用 SYN|ACK 回答我们的 SYN"
        ));
    };
    r.y = synack.seq;
    let y = r.y;
    say(
        Side::Kernel,
        tr!(
            "SYN|ACK: seq = y = {y} (the kernel's ISN), ack = {} = x+1 {}",
            "SYN|ACK：seq = y = {y}（内核的 ISN），ack = {} = x+1 {}",
            synack.ack,
            if synack.ack == x.wrapping_add(1) {
                tr!(
                    "(exactly the course's seq = x -> ack = x+1)",
                    "（正是课程里的 seq = x -> ack = x+1）"
                )
            } else {
                tr!("(NOT x+1!)", "（不是 x+1！）")
            }
        ),
    );
    p.send(p.segment(x.wrapping_add(1), y.wrapping_add(1), ACK), &[])?;
    let Some(mut conn) = accept_within(&listener, ANSWER_WAIT)? else {
        return bail_msg(tr!(
            "accept() did not return after our ACK",
            "我们发了 ACK 之后 accept() 没有返回"
        ));
    };
    r.accepted = true;
    say(
        Side::Server,
        tr!(
            "accept() returned: a connection from {}, /proc/net/tcp says {}",
            "accept() 返回了：一个来自 {} 的连接，/proc/net/tcp 显示 {}",
            us,
            p.state()
        ),
    );
    r.states.push(p.state());
    conn.set_read_timeout(Some(Duration::from_secs(2)))
        .context("read timeout")?;

    step(
        3,
        tr!(
            "data both ways: seq counts bytes",
            "双向传数据：seq 按字节计数"
        ),
    );
    let hello = b"hello\n";
    p.send(
        p.segment(x.wrapping_add(1), y.wrapping_add(1), PSH | ACK),
        hello,
    )?;
    let want = x.wrapping_add(1 + hello.len() as u32);
    p.expect(ANSWER_WAIT, |s| s.has(ACK) && s.ack == want)?
        .context(tr!(
            "the kernel did not acknowledge our data",
            "内核没有确认我们的数据"
        ))?;
    let mut buf = [0u8; 64];
    let n = conn
        .read(&mut buf)
        .context(tr!("the server's read()", "服务端的 read()"))?;
    r.kernel_read = buf[..n].to_vec();
    say(
        Side::Server,
        tr!(
            "read() returned {:?}: the kernel delivered our bytes",
            "read() 返回 {:?}：内核交付了我们的字节",
            String::from_utf8_lossy(&buf[..n])
        ),
    );
    conn.write_all(b"HELLO\n")
        .context(tr!("the server's write()", "服务端的 write()"))?;
    say(
        Side::Server,
        tr!(
            "write(\"HELLO\\n\"): the kernel sends it to us",
            "write(\"HELLO\\n\")：内核把它发给我们"
        ),
    );
    let (data, payload) = p
        .expect(ANSWER_WAIT, |s| s.payload_len > 0)?
        .context(tr!("the kernel's data never came", "内核的数据一直没来"))?;
    r.we_read = payload.clone();
    let y_next = data.seq.wrapping_add(data.payload_len as u32);
    p.send(p.segment(want, y_next, ACK), &[])?;

    step(
        4,
        tr!(
            "the teardown (四次挥手): FIN, ACK, FIN, ACK",
            "四次挥手：FIN、ACK、FIN、ACK"
        ),
    );
    p.send(p.segment(want, y_next, FIN | ACK), &[])?;
    let fin_ack = want.wrapping_add(1);
    p.expect(ANSWER_WAIT, |s| s.has(ACK) && s.ack == fin_ack)?
        .context(tr!(
            "the kernel did not acknowledge our FIN",
            "内核没有确认我们的 FIN"
        ))?;
    r.states.push(p.state());
    let eof = conn.read(&mut buf).context(tr!(
        "the server's read() after our FIN",
        "我们发 FIN 之后服务端的 read()"
    ))?;
    say(
        Side::Server,
        tr!(
            "read() returned {eof} bytes: end-of-file, our FIN arrived; state {}",
            "read() 返回 {eof} 个字节：文件结束（EOF），我们的 FIN 到了；状态 {}",
            p.state()
        ),
    );
    drop(conn);
    say(
        Side::Server,
        tr!(
            "close(): the kernel sends its own FIN",
            "close()：内核发出自己的 FIN"
        ),
    );
    let (fin, _) = p
        .expect(ANSWER_WAIT, |s| s.has(FIN))?
        .context(tr!("the kernel's FIN never came", "内核的 FIN 一直没来"))?;
    r.states.push(p.state());
    p.send(p.segment(fin_ack, fin.seq.wrapping_add(1), ACK), &[])?;
    r.states.push(p.state());
    say(Side::Kernel, tr!(
        "after our last ACK the kernel's socket is {}: the side that closed second (LAST_ACK) never waits in TIME_WAIT", "我们最后一个 ACK 之后，内核的套接字是 {}：后关闭的一方（LAST_ACK）从不在 TIME_WAIT 里等",
        p.state()
    ));
    let _ = std::io::stdout().flush();
    Ok(r)
}

/// Step 6: the kernel's verdicts, one line each.
pub fn summary(r: &Report, b: &crate::bad::Report) {
    step(6, tr!("what the kernel said", "内核的结论"));
    let yes = |ok: bool| if ok { "yes" } else { "NO" };
    say(
        Side::Note,
        tr!(
            "handshake accepted (accept() returned): {}",
            "握手被接受（accept() 返回了）：{}",
            yes(r.accepted)
        ),
    );
    say(
        Side::Note,
        tr!(
            "kernel read our data: {:?}; we read the kernel's: {:?}",
            "内核读到我们的数据：{:?}；我们读到内核的：{:?}",
            String::from_utf8_lossy(&r.kernel_read),
            String::from_utf8_lossy(&r.we_read)
        ),
    );
    say(
        Side::Note,
        tr!(
            "kernel states seen: {}",
            "看到的内核状态：{}",
            r.states.join(" -> ")
        ),
    );
    say(
        Side::Note,
        tr!(
            "bad checksum dropped in silence: {} (InCsumErrors +{})",
            "校验和错误的包被悄悄丢弃：{}（InCsumErrors +{}）",
            yes(!b.bad_checksum_answered),
            b.csum_errors_counted
        ),
    );
    say(
        Side::Note,
        tr!(
            "wrong ack answered with RST: {}",
            "错误的 ack 被回以 RST：{}",
            yes(b.wrong_ack_got_rst)
        ),
    );
    say(
        Side::Note,
        tr!(
            "SYN to a closed port answered with RST: {}",
            "发往没人监听的端口的 SYN 被回以 RST：{}",
            yes(b.closed_port_got_rst)
        ),
    );
}
