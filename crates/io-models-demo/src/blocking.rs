//! Blocking I/O (阻塞IO): a `recv` that waits, and what the waiting thread
//! looks like from the outside.
//!
//! A socket is blocking by default. `recv` on an empty receive buffer does
//! not return: the kernel takes the thread off the CPU, marks it sleeping
//! (`S` in `/proc/<pid>/task/<tid>/stat`) and files it on the socket's wait
//! queue; the function it sleeps in is its `wchan`. When data arrives the
//! kernel wakes it. While it sleeps it uses no CPU at all — that is the good
//! part. The bad part: this thread can wait for this one socket only.

use crate::{loopback_pair, thread_cpu};
use demo_kit::{bail_msg, Context, Result};
use nix::sys::socket::{recv, MsgFlags};
use nix::unistd::gettid;
use std::io::Write;
use std::os::fd::AsRawFd;
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// What the blocking wait looked like.
#[derive(Debug)]
pub struct BlockingRun {
    /// The waiting thread's id (`/proc/self/task/<tid>`).
    pub tid: i32,
    /// Its state while it waited in `recv` (`S`: sleeping).
    pub state: char,
    /// Where in the kernel it slept, if `/proc/.../wchan` is readable.
    pub wchan: Option<String>,
    /// How long `recv` took to return.
    pub waited: Duration,
    /// CPU time the thread used during that wait.
    pub cpu: Duration,
    /// What `recv` returned.
    pub received: Vec<u8>,
}

/// A thread calls `recv` on an empty socket; we read its state from `/proc`,
/// wait `delay`, then send `message`.
pub fn run(message: &[u8], delay: Duration) -> Result<BlockingRun> {
    let (mut client, server) = loopback_pair()?;
    let (tid_tx, tid_rx) = mpsc::channel();
    let waiter = std::thread::spawn(move || -> Result<(Duration, Duration, Vec<u8>)> {
        let _ = tid_tx.send(gettid().as_raw());
        let cpu_before = thread_cpu()?;
        let started = Instant::now();
        let mut buf = [0u8; 1024];
        // The system call this lesson is about: it returns when data is there.
        let n = recv(server.as_raw_fd(), &mut buf, MsgFlags::empty()).context("recv")?;
        let waited = started.elapsed();
        Ok((waited, thread_cpu()? - cpu_before, buf[..n].to_vec()))
    });
    let tid = tid_rx
        .recv_timeout(Duration::from_secs(5))
        .context("the waiting thread did not start")?;
    // The thread is in `recv` once the kernel reports it sleeping. Its
    // wchan may read "0" for a moment after it fell asleep (or always, where
    // the kernel hides it), so we give wchan up to half a second.
    let task = format!("/proc/self/task/{tid}");
    let asked = Instant::now();
    let seen = demo_kit::wait::until(Duration::from_secs(5), || {
        let line = std::fs::read_to_string(format!("{task}/stat")).ok()?;
        let stat = demo_kit::procfs::parse_stat(&line)?;
        let wchan = std::fs::read_to_string(format!("{task}/wchan"))
            .ok()
            .map(|w| w.trim().to_string())
            .filter(|w| !w.is_empty() && w != "0");
        let patient = asked.elapsed() > Duration::from_millis(500);
        (stat.state == 'S' && (wchan.is_some() || patient)).then_some((stat.state, wchan))
    });
    // Let it sleep a while, so its CPU time can be compared with a busy loop's.
    std::thread::sleep(delay);
    client.write_all(message).context("sending the message")?;
    let (waited, cpu, received) = match waiter.join() {
        Ok(r) => r?,
        Err(_) => return bail_msg("the waiting thread panicked"),
    };
    let Some((state, wchan)) = seen else {
        return bail_msg(format!("{task}/stat never showed the thread sleeping"));
    };
    Ok(BlockingRun {
        tid,
        state,
        wchan,
        waited,
        cpu,
        received,
    })
}
