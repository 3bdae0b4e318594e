//! Shared by the examples: a real server in a child process (this example
//! re-run as `__server PROTOCOL`), so that its memory and descriptors are
//! its own and can be read from /proc.
#![allow(dead_code)]

use remote_shell::server::{self, Config};
use remote_shell::Protocol;
use std::io::{self, BufRead, BufReader};
use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// If this process was started as `__server PROTOCOL`, serve and return
/// its exit code; else `None`.
pub fn server_mode() -> Option<std::process::ExitCode> {
    let args: Vec<String> = std::env::args().collect();
    (args.get(1).map(String::as_str) == Some("__server"))
        .then(|| demo_kit::fail::run(|| serve(args.get(2).map_or("framed", String::as_str))))
}

/// The server half: generous limits, quiet, stopped by SIGTERM.
fn serve(protocol: &str) -> demo_kit::Result<()> {
    let protocol: Protocol = protocol.parse().map_err(demo_kit::Error::msg)?;
    demo_kit::say::set_quiet(true);
    let server = server::bind(Config {
        addr: SocketAddr::from(([127, 0, 0, 1], 0)),
        protocol,
        timeout: Duration::from_secs(120),
        write_timeout: Duration::from_secs(60),
        idle_timeout: Duration::from_secs(300),
        hello_timeout: remote_shell::framed_proto::HELLO_TIMEOUT,
        allow_remote: false,
        token: None,
    })?;
    println!("listening on {}", server.local_addr()?);
    let stop = Arc::new(AtomicBool::new(false));
    let flag = Arc::clone(&stop);
    ctrlc::set_handler(move || flag.store(true, Ordering::SeqCst))
        .map_err(demo_kit::Error::from)?;
    server.run(stop)?;
    Ok(())
}

/// This example re-run as `__server PROTOCOL` in a child process; stopped
/// with SIGTERM (a clean stop) and reaped on drop.
pub struct ServerProc(Child);

impl ServerProc {
    pub fn start(protocol: &str) -> demo_kit::Result<(ServerProc, SocketAddr)> {
        let mut child = Command::new(std::env::current_exe()?)
            .args(["__server", protocol])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()?;
        let mut first = String::new();
        let mut reader = BufReader::new(
            child
                .stdout
                .take()
                .ok_or(demo_kit::Error::msg("no stdout"))?,
        );
        reader.read_line(&mut first)?;
        std::thread::spawn(move || {
            let _ = io::copy(&mut reader, &mut io::sink());
        });
        let server = ServerProc(child);
        let addr = first
            .trim()
            .strip_prefix("listening on ")
            .and_then(|a| a.parse().ok())
            .ok_or(demo_kit::Error::msg(format!(
                "example server said {first:?}"
            )))?;
        Ok((server, addr))
    }

    pub fn pid(&self) -> u32 {
        self.0.id()
    }
}

impl Drop for ServerProc {
    fn drop(&mut self) {
        let pid = nix::unistd::Pid::from_raw(self.0.id() as i32);
        let _ = nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGTERM);
        let _ = self.0.wait();
    }
}

/// Peak resident memory (VmHWM, in KiB) of a process.
pub fn vm_hwm(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// How many descriptors a process has open.
pub fn open_fds(pid: u32) -> usize {
    std::fs::read_dir(format!("/proc/{pid}/fd")).map_or(0, |d| d.count())
}

pub fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}
