//! The default mode: a whole TCP connection made by hand.
//!
//! The kernel listens on 192.0.2.1:7000 behind `tun0`; we play 192.0.2.2
//! and write every header ourselves. The kernel grades us: it answers only
//! what a correct peer would have sent, and `/proc/net/tcp` shows what its
//! socket thinks after each packet.

use crate::peer::{random_isn, Peer, ANSWER_WAIT};
use crate::tun::Tun;
use demo_kit::say::{say, step};
use demo_kit::{bail_msg, Context, Result, Side};
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
        format!("the kernel listens on {kernel}: socket(), bind(), listen()"),
    );
    let mut p = Peer::new(tun, us, kernel);
    let mut r = Report::default();

    step(2, "the three-way handshake (三次握手), written by hand");
    r.x = random_isn()?;
    let x = r.x;
    say(
        Side::Client,
        format!("our ISN x = {x} (random); SYN means: my bytes start at x+1"),
    );
    p.send(p.segment(x, 0, SYN), &[])?;
    let Some((synack, _)) = p.expect(ANSWER_WAIT, |s| s.has(SYN) && s.has(ACK))? else {
        return bail_msg("the kernel never answered our SYN with SYN|ACK");
    };
    r.y = synack.seq;
    let y = r.y;
    say(
        Side::Kernel,
        format!(
            "SYN|ACK: seq = y = {y} (the kernel's ISN), ack = {} = x+1 {}",
            synack.ack,
            if synack.ack == x.wrapping_add(1) {
                "(exactly the course's seq = x -> ack = x+1)"
            } else {
                "(NOT x+1!)"
            }
        ),
    );
    p.send(p.segment(x.wrapping_add(1), y.wrapping_add(1), ACK), &[])?;
    let Some(mut conn) = accept_within(&listener, ANSWER_WAIT)? else {
        return bail_msg("accept() did not return after our ACK");
    };
    r.accepted = true;
    say(
        Side::Server,
        format!(
            "accept() returned: a connection from {}, /proc/net/tcp says {}",
            us,
            p.state()
        ),
    );
    r.states.push(p.state());
    conn.set_read_timeout(Some(Duration::from_secs(2)))
        .context("read timeout")?;

    step(3, "data both ways: seq counts bytes");
    let hello = b"hello\n";
    p.send(
        p.segment(x.wrapping_add(1), y.wrapping_add(1), PSH | ACK),
        hello,
    )?;
    let want = x.wrapping_add(1 + hello.len() as u32);
    p.expect(ANSWER_WAIT, |s| s.has(ACK) && s.ack == want)?
        .context("the kernel did not acknowledge our data")?;
    let mut buf = [0u8; 64];
    let n = conn.read(&mut buf).context("the server's read()")?;
    r.kernel_read = buf[..n].to_vec();
    say(
        Side::Server,
        format!(
            "read() returned {:?}: the kernel delivered our bytes",
            String::from_utf8_lossy(&buf[..n])
        ),
    );
    conn.write_all(b"HELLO\n").context("the server's write()")?;
    say(
        Side::Server,
        "write(\"HELLO\\n\"): the kernel sends it to us",
    );
    let (data, payload) = p
        .expect(ANSWER_WAIT, |s| s.payload_len > 0)?
        .context("the kernel's data never came")?;
    r.we_read = payload.clone();
    let y_next = data.seq.wrapping_add(data.payload_len as u32);
    p.send(p.segment(want, y_next, ACK), &[])?;

    step(4, "the teardown (四次挥手): FIN, ACK, FIN, ACK");
    p.send(p.segment(want, y_next, FIN | ACK), &[])?;
    let fin_ack = want.wrapping_add(1);
    p.expect(ANSWER_WAIT, |s| s.has(ACK) && s.ack == fin_ack)?
        .context("the kernel did not acknowledge our FIN")?;
    r.states.push(p.state());
    let eof = conn
        .read(&mut buf)
        .context("the server's read() after our FIN")?;
    say(
        Side::Server,
        format!(
            "read() returned {eof} bytes: end-of-file, our FIN arrived; state {}",
            p.state()
        ),
    );
    drop(conn);
    say(Side::Server, "close(): the kernel sends its own FIN");
    let (fin, _) = p
        .expect(ANSWER_WAIT, |s| s.has(FIN))?
        .context("the kernel's FIN never came")?;
    r.states.push(p.state());
    p.send(p.segment(fin_ack, fin.seq.wrapping_add(1), ACK), &[])?;
    r.states.push(p.state());
    say(Side::Kernel, format!(
        "after our last ACK the kernel's socket is {}: the side that closed second (LAST_ACK) never waits in TIME_WAIT",
        p.state()
    ));
    let _ = std::io::stdout().flush();
    Ok(r)
}

/// Step 6: the kernel's verdicts, one line each.
pub fn summary(r: &Report, b: &crate::bad::Report) {
    step(6, "what the kernel said");
    let yes = |ok: bool| if ok { "yes" } else { "NO" };
    say(
        Side::Note,
        format!(
            "handshake accepted (accept() returned): {}",
            yes(r.accepted)
        ),
    );
    say(
        Side::Note,
        format!(
            "kernel read our data: {:?}; we read the kernel's: {:?}",
            String::from_utf8_lossy(&r.kernel_read),
            String::from_utf8_lossy(&r.we_read)
        ),
    );
    say(
        Side::Note,
        format!("kernel states seen: {}", r.states.join(" -> ")),
    );
    say(
        Side::Note,
        format!(
            "bad checksum dropped in silence: {} (InCsumErrors +{})",
            yes(!b.bad_checksum_answered),
            b.csum_errors_counted
        ),
    );
    say(
        Side::Note,
        format!("wrong ack answered with RST: {}", yes(b.wrong_ack_got_rst)),
    );
    say(
        Side::Note,
        format!(
            "SYN to a closed port answered with RST: {}",
            yes(b.closed_port_got_rst)
        ),
    );
}
