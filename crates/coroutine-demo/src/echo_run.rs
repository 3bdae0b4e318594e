//! The echo server of [`crate::echo`] on one thread, against ordinary
//! blocking clients on threads of their own: `clients` of them send
//! `frames` frames each and check every echo; one more sends half a frame
//! and vanishes. The server must serve all the others, and drop that one
//! alone.

use crate::echo::{self, frame, ServeReport};
use crate::runtime::net::TcpListener;
use crate::runtime::Runtime;
use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::thread;
use std::time::{Duration, Instant};

#[derive(Debug)]
pub struct Report {
    pub serve: ServeReport,
    /// Frames each well-behaved client got back intact.
    pub echoed: Vec<u64>,
    pub elapsed: Duration,
    /// The future `serve_conn` returns, before it runs: what one
    /// connection's saved state costs (its buffer is on the heap).
    pub conn_future_size: usize,
}

fn client(addr: SocketAddr, id: usize, frames: u64) -> io::Result<u64> {
    let mut s = TcpStream::connect(addr)?;
    s.set_read_timeout(Some(Duration::from_secs(20)))?;
    let mut ok = 0;
    for i in 0..frames {
        let body = format!("client {id} frame {i}");
        let f = frame(body.as_bytes());
        s.write_all(&f)?;
        let mut back = vec![0u8; f.len()];
        s.read_exact(&mut back)?;
        ok += u64::from(back == f);
    }
    Ok(ok)
}

/// Half a frame (a length of 100, then 10 bytes), then close.
fn vanishing(addr: SocketAddr) -> io::Result<()> {
    let mut s = TcpStream::connect(addr)?;
    s.write_all(&100i32.to_le_bytes())?;
    s.write_all(&[b'x'; 10])
}

pub fn run(clients: usize, frames: u64) -> io::Result<Report> {
    let std_listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    let addr = std_listener.local_addr()?;
    let conn_future_size = {
        let (a, _b) = (std::net::TcpStream::connect(addr)?, std_listener.accept()?);
        std::mem::size_of_val(&echo::serve_conn(crate::runtime::net::TcpStream::from_std(
            a,
        )?))
    };
    let server = thread::spawn(move || {
        let rt = Runtime::new()?;
        rt.block_on(
            async move { echo::serve(TcpListener::from_std(std_listener)?, clients + 1).await },
        )?
    });
    let t = Instant::now();
    let gone = vanishing(addr);
    let workers: Vec<_> = (0..clients)
        .map(|id| thread::spawn(move || client(addr, id, frames)))
        .collect();
    let mut echoed = Vec::with_capacity(clients);
    for w in workers {
        echoed.push(
            w.join()
                .map_err(|_| io::Error::other("a client thread panicked"))??,
        );
    }
    let serve = server
        .join()
        .map_err(|_| io::Error::other("the server thread panicked"))??;
    gone?;
    Ok(Report {
        serve,
        echoed,
        elapsed: t.elapsed(),
        conn_future_size,
    })
}
