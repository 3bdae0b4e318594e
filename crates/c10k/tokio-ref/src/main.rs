//! c10k's echo service on tokio, for the bench: `c10k-tokio-ref current
//! 127.0.0.1:0` (one thread, `current_thread`) or `multi ...` (a worker per
//! core). Frames in the course's format: a 4-byte little-endian length
//! (`struct.pack('i')`), then the body; each complete frame goes back as
//! it came. Prints `listening on ADDR (model M, pid P)` like `c10k serve`,
//! and ends by itself after `SECONDS` (default 600).

use std::io;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

const MAX_FRAME: usize = 64 * 1024;

fn main() -> io::Result<()> {
    let mut args = std::env::args().skip(1);
    let flavor = args.next().unwrap_or_else(|| "current".into());
    let addr = args.next().unwrap_or_else(|| "127.0.0.1:0".into());
    let seconds: u64 = args.next().and_then(|s| s.parse().ok()).unwrap_or(600);
    let rt = match flavor.as_str() {
        "current" => tokio::runtime::Builder::new_current_thread().enable_all().build()?,
        "multi" => tokio::runtime::Builder::new_multi_thread().enable_all().build()?,
        other => {
            eprintln!("error: flavor {other:?}: use current or multi");
            std::process::exit(2);
        }
    };
    std::thread::spawn(move || {
        std::thread::sleep(Duration::from_secs(seconds));
        std::process::exit(0);
    });
    rt.block_on(async move {
        let listener = TcpListener::bind(&addr).await?;
        println!(
            "listening on {} (model tokio-{flavor}, pid {})",
            listener.local_addr()?,
            std::process::id()
        );
        loop {
            match listener.accept().await {
                Ok((conn, _)) => {
                    tokio::spawn(async move {
                        let _ = serve_conn(conn).await;
                    });
                }
                // EMFILE and the like: the bench never runs out; wait a little.
                Err(_) => tokio::time::sleep(Duration::from_millis(10)).await,
            }
        }
    })
}

/// The same loop as c10k's `serve_async::serve_conn`.
async fn serve_conn(mut conn: TcpStream) -> io::Result<()> {
    let mut buf = [0u8; 256];
    let mut partial: Vec<u8> = Vec::new();
    loop {
        let n = conn.read(&mut buf).await?;
        if n == 0 {
            return Ok(());
        }
        partial.extend_from_slice(&buf[..n]);
        let end = complete_frames(&partial)?;
        conn.write_all(&partial[..end]).await?;
        partial.drain(..end);
    }
}

fn complete_frames(data: &[u8]) -> io::Result<usize> {
    let mut at = 0;
    while let Some(p) = data.get(at..at + 4) {
        let len = i32::from_le_bytes([p[0], p[1], p[2], p[3]]);
        let len = usize::try_from(len)
            .ok()
            .filter(|&n| n <= MAX_FRAME)
            .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidData, "bad frame length"))?;
        if data.len() < at + 4 + len {
            break;
        }
        at += 4 + len;
    }
    Ok(at)
}
