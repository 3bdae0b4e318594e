//! One measured run: start a server process, start the load generator
//! process against it, collect the report, stop the server.
//!
//! Each side is its own process, so each has its own open-files limit
//! (raised to the hard limit: 10,000 connections need 10,000 descriptors
//! on *each* side) and its own CPU account. Both die with us
//! (`PR_SET_PDEATHSIG`), and the server also stops by itself after
//! `--seconds`: nothing is left running.

use crate::report::LoadReport;
use demo_kit::{bail_msg, Context, Result};
use std::io::{BufRead, BufReader, Read};
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

/// One model, measured.
#[derive(Debug)]
pub struct Outcome {
    pub model: String,
    pub server_pid: i32,
    pub load_pid: i32,
    pub report: LoadReport,
}

/// Runs `model` against `conns` x `rounds`; `exe` is a program that acts
/// as `serve` and `load` when asked (this crate's binary, or the bench).
pub fn run_one(
    exe: &Path,
    model: &str,
    conns: usize,
    rounds: usize,
    limit: Duration,
) -> Result<Outcome> {
    let seconds = (limit.as_secs() * 3 + 60).to_string();
    let mut server = match (
        crate::python::source(model),
        crate::tokio_ref::flavor(model),
    ) {
        (Some(src), _) => child(
            Command::new("python3").args(["-c", src, "127.0.0.1", "0"]),
            Stdio::inherit(),
        ),
        (None, Some(flavor)) => child(
            Command::new(crate::tokio_ref::binary()).args([flavor, "127.0.0.1:0", &seconds]),
            Stdio::inherit(),
        ),
        (None, None) => child(
            Command::new(exe).args([
                "serve",
                "--model",
                model,
                "--addr",
                "127.0.0.1:0",
                "--seconds",
                &seconds,
                "--quiet",
            ]),
            Stdio::inherit(),
        ),
    }
    .with_context(|| format!("starting the {model} server"))?;
    let server_pid = server.id() as i32;
    let outcome = drive(exe, &mut server, model, conns, rounds, limit);
    let _ = server.kill(); // SIGKILL: the echo servers keep no state worth saving
    let _ = server.wait();
    outcome.map(|(report, load_pid)| Outcome {
        model: model.to_string(),
        server_pid,
        load_pid,
        report,
    })
}

fn drive(
    exe: &Path,
    server: &mut Child,
    model: &str,
    conns: usize,
    rounds: usize,
    limit: Duration,
) -> Result<(LoadReport, i32)> {
    let first = first_line(server.stdout.take(), Duration::from_secs(20));
    let Some(addr) = first
        .as_deref()
        .and_then(|l| l.strip_prefix("listening on ")?.split(' ').next())
    else {
        return bail_msg(format!(
            "the {model} server did not say where it listens (its first line: {first:?})"
        ));
    };
    let mut load = child(
        Command::new(exe).args([
            "load",
            "--addr",
            addr,
            "--conns",
            &conns.to_string(),
            "--rounds",
            &rounds.to_string(),
            "--server-pid",
            &server.id().to_string(),
            "--time-limit",
            &limit.as_secs().max(1).to_string(),
        ]),
        Stdio::piped(),
    )
    .context("starting the load generator")?;
    let load_pid = load.id() as i32;
    let mut out = String::new();
    let mut err = String::new();
    // The load process ends by itself within its time limit (connect +
    // rounds); its output ends when it does.
    if let Some(mut o) = load.stdout.take() {
        let _ = o.read_to_string(&mut out);
    }
    if let Some(mut e) = load.stderr.take() {
        let _ = e.read_to_string(&mut err);
    }
    let status = load.wait().context("waiting for the load generator")?;
    let json = out.lines().find_map(|l| l.strip_prefix("result "));
    match json
        .and_then(|j| serde_json::from_str(j).ok())
        .and_then(|v| LoadReport::from_json(&v))
    {
        Some(report) => Ok((report, load_pid)),
        None => bail_msg(format!(
            "the load generator failed ({status}): {}",
            err.trim()
        )),
    }
}

/// A child with piped output that dies if we die, with its open-files
/// soft limit raised to the hard one (Python does not raise it itself).
/// The server's errors go straight to our stderr (so a full pipe never
/// stalls it); the load generator's are read at its end.
fn child(cmd: &mut Command, stderr: Stdio) -> std::io::Result<Child> {
    cmd.stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(stderr)
        .env("NO_COLOR", "1");
    // SAFETY: only async-signal-safe calls (prctl, getrlimit, setrlimit) between fork and exec.
    unsafe {
        cmd.pre_exec(|| {
            nix::libc::prctl(nix::libc::PR_SET_PDEATHSIG, nix::libc::SIGKILL);
            let mut lim = nix::libc::rlimit {
                rlim_cur: 0,
                rlim_max: 0,
            };
            if nix::libc::getrlimit(nix::libc::RLIMIT_NOFILE, &mut lim) == 0 {
                lim.rlim_cur = lim.rlim_max;
                nix::libc::setrlimit(nix::libc::RLIMIT_NOFILE, &lim);
            }
            Ok(())
        });
    }
    cmd.spawn()
}

/// The first line of `out`, or `None` after `timeout`. (A thread reads it,
/// then keeps draining the pipe so the server never blocks on a full one.)
fn first_line(out: Option<impl Read + Send + 'static>, timeout: Duration) -> Option<String> {
    let out = out?;
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut lines = BufReader::new(out).lines();
        let _ = tx.send(lines.next().and_then(|l| l.ok()));
        for _ in lines {}
    });
    rx.recv_timeout(timeout).ok().flatten()
}
