//! Non-blocking I/O (非阻塞IO): `recv` never waits, it says `EAGAIN`.
//!
//! With `O_NONBLOCK` set on the socket (`fcntl(F_SETFL)` here; Python's
//! `sock.setblocking(False)` sets the same flag with `ioctl(FIONBIO)`), `recv` on an empty buffer returns at once with
//! the error `EAGAIN` ("try again"; Python raises `BlockingIOError`). The
//! thread is free to do something else — but if it has nothing else to do
//! and simply asks again and again, it turns a free wait into a busy loop
//! that burns a whole CPU. Counting the wasted calls makes that visible.

use crate::{loopback_pair, thread_cpu};
use demo_kit::{bail_msg, tr, Context, Result};
use nix::errno::Errno;
use nix::fcntl::{fcntl, FcntlArg, OFlag};
use nix::sys::socket::{recv, MsgFlags};
use std::io::Write;
use std::os::fd::AsRawFd;
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// What the busy wait cost.
#[derive(Debug)]
pub struct NonblockingRun {
    /// The error of the very first `recv` on the empty socket.
    pub first_error: Option<Errno>,
    /// `recv` calls that returned `EAGAIN` before the message came.
    pub wasted_calls: u64,
    /// How long the loop spun.
    pub waited: Duration,
    /// CPU time the spinning thread used.
    pub cpu: Duration,
    /// The message, once it came.
    pub received: Vec<u8>,
}

/// How long the demo's loop spins before it gives up on the message.
pub const GIVE_UP: Duration = Duration::from_secs(10);

/// Sets `O_NONBLOCK`, shows one `EAGAIN`, then spins until `message`
/// (sent after `delay`) arrives. The loop gives up after [`GIVE_UP`].
pub fn run(message: &[u8], delay: Duration) -> Result<NonblockingRun> {
    run_within(message, delay, GIVE_UP)
}

/// [`run`], giving up after `give_up` (a test's patience is shorter).
pub fn run_within(message: &[u8], delay: Duration, give_up: Duration) -> Result<NonblockingRun> {
    let (mut client, server) = loopback_pair()?;
    let fd = server.as_raw_fd();
    let flags = fcntl(&server, FcntlArg::F_GETFL).context("fcntl(F_GETFL)")?;
    let flags = OFlag::from_bits_retain(flags) | OFlag::O_NONBLOCK;
    fcntl(&server, FcntlArg::F_SETFL(flags)).context("fcntl(F_SETFL, O_NONBLOCK)")?;

    let mut buf = [0u8; 1024];
    let first_error = recv(fd, &mut buf, MsgFlags::empty()).err();

    let (started_tx, started_rx) = mpsc::channel();
    let spinner = std::thread::spawn(move || -> Result<NonblockingRun> {
        let _keep_open = &server;
        let cpu_before = thread_cpu()?;
        let started = Instant::now();
        let _ = started_tx.send(());
        let mut wasted_calls = 0u64;
        let mut buf = [0u8; 1024];
        loop {
            match recv(fd, &mut buf, MsgFlags::empty()) {
                Ok(n) => {
                    return Ok(NonblockingRun {
                        first_error,
                        wasted_calls,
                        waited: started.elapsed(),
                        cpu: thread_cpu()? - cpu_before,
                        received: buf[..n].to_vec(),
                    })
                }
                Err(Errno::EAGAIN) => wasted_calls += 1,
                Err(e) => return Err(e).context("recv"),
            }
            if started.elapsed() > give_up {
                return bail_msg(tr!(
                    "no message within {:.1} s: gave up spinning",
                    "{:.1} s 内没有消息：不再空转",
                    give_up.as_secs_f64()
                ));
            }
        }
    });
    started_rx
        .recv_timeout(Duration::from_secs(5))
        .context("the spinning thread did not start")?;
    std::thread::sleep(delay);
    client.write_all(message).context("sending the message")?;
    match spinner.join() {
        Ok(r) => r,
        Err(_) => bail_msg("the spinning thread panicked"),
    }
}
