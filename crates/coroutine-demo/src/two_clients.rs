//! gevent's 遇到IO自动切换 ("switch when you meet I/O"), made visible: an echo
//! server and two clients, all tasks on *one* thread, with every poll,
//! `Pending`, `epoll_wait` and wake printed as it happens.
//!
//! Each client connects, sends two frames and reads each echo back, then
//! closes. Nothing here sleeps except the one `epoll_wait` in the runtime,
//! when every task is waiting for a socket.

use crate::echo::{self, frame};
use crate::runtime::net::{TcpListener, TcpStream};
use crate::runtime::{spawn, Event, Runtime, Stats};
use std::io;
use std::net::SocketAddrV4;
use std::thread::ThreadId;

/// What happened, for the narration's summary and the tests.
#[derive(Debug)]
pub struct Report {
    pub events: Vec<Event>,
    pub stats: Stats,
    /// What each client read back, in order.
    pub echoes: Vec<Vec<Vec<u8>>>,
    /// The frames each server-side connection echoed.
    pub served: Vec<Result<u64, String>>,
    /// Every thread a task ran on (the server's and the clients').
    pub threads: Vec<ThreadId>,
}

/// Runs the scene; `narrate` prints each event as it happens.
pub fn run(narrate: bool) -> io::Result<Report> {
    let rt = Runtime::new()?;
    rt.narrate(narrate);
    rt.record(true);
    let listener = TcpListener::bind("127.0.0.1:0")?;
    let addr = match listener.local_addr()? {
        std::net::SocketAddr::V4(a) => a,
        other => return Err(io::Error::other(format!("not IPv4: {other}"))),
    };
    let (served, echoes, threads) = rt.block_on(async move {
        let server = spawn("server", echo::serve(listener, 2));
        let a = spawn("client A", client(addr, "A"));
        let b = spawn("client B", client(addr, "B"));
        let (a, b) = (a.await, b.await);
        let report = server.await?;
        let (a, ta) = a?;
        let (b, tb) = b?;
        let mut threads = vec![ta, tb, report.server_thread];
        threads.extend(report.conns.iter().map(|c| c.thread));
        let served = report
            .conns
            .into_iter()
            .map(|c| c.result)
            .collect::<Vec<_>>();
        Ok::<_, io::Error>((served, vec![a, b], threads))
    })??;
    Ok(Report {
        events: rt.events(),
        stats: rt.stats(),
        echoes,
        served,
        threads,
    })
}

/// One client: two frames, each echo read back before the next is sent.
async fn client(addr: SocketAddrV4, who: &str) -> io::Result<(Vec<Vec<u8>>, ThreadId)> {
    let conn = TcpStream::connect(addr).await?;
    let mut got = Vec::new();
    for i in 1..=2 {
        let body = format!("frame {i} from client {who}");
        conn.write_all(&frame(body.as_bytes())).await?;
        let mut header = [0u8; 4];
        conn.read_exact(&mut header).await?;
        let mut echo = vec![0u8; i32::from_le_bytes(header).max(0) as usize];
        conn.read_exact(&mut echo).await?;
        got.push(echo);
    }
    Ok((got, std::thread::current().id()))
}
