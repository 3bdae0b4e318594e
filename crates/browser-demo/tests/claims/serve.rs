//! `serve` as a learner runs it: it listens on the loopback address it is
//! given (no warning there), logs each request raw with `\r\n` made visible,
//! and on Ctrl-C (SIGINT) stops and exits 0.

use nix::sys::signal::{kill, Signal};
use nix::unistd::Pid;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// The `serve` process: killed and reaped if the test ends before it does.
struct Serving(Child);

impl Drop for Serving {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn serve_logs_each_request_raw_and_stops_on_ctrl_c() {
    let child = Command::new(env!("CARGO_BIN_EXE_browser-demo"))
        .args(["serve", "--addr", "127.0.0.1:0", "--lang", "en"])
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut serving = Serving(child);
    // Its lines, as they come, on a channel: every wait below is bounded.
    let out = BufReader::new(serving.0.stdout.take().unwrap());
    let (tx, lines) = crossbeam_channel::unbounded();
    std::thread::spawn(move || {
        for line in out.lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let next = || {
        lines
            .recv_timeout(Duration::from_secs(10))
            .expect("serve's next line")
    };
    let first = next();
    let addr = first
        .strip_prefix("[server] listening on ")
        .and_then(|rest| rest.split(": open").next())
        .unwrap_or_else(|| panic!("{first}"))
        .to_string();
    assert_eq!(
        first,
        format!("[server] listening on {addr}: open http://{addr}/ in your browser (Ctrl-C stops)")
    );
    let mut s = TcpStream::connect(&addr).unwrap();
    let local = s.local_addr().unwrap();
    let request = "GET /data HTTP/1.1\r\nConnection: close\r\n\r\n";
    s.write_all(request.as_bytes()).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let mut reply = Vec::new();
    s.read_to_end(&mut reply).unwrap();
    let logged: Vec<String> = (0..7).map(|_| next()).collect();
    assert_eq!(
        logged,
        [
            format!("[server] accept(): connection #1 from {local}"),
            format!("[server] connection #1 ({local}), request #1, 41 bytes of head:"),
            "[server]     GET /data HTTP/1.1\\r\\n".to_string(),
            "[server]     Connection: close\\r\\n".to_string(),
            "[server]     \\r\\n".to_string(),
            format!("[server] answered 200 OK ({} bytes)", reply.len()),
            format!(
                "[server] connection #1 ({local}) ended: the client asked for Connection: close"
            ),
        ]
    );
    // Ctrl-C: the handler was installed before the first event was logged.
    let pid = Pid::from_raw(serving.0.id() as i32);
    kill(pid, Signal::SIGINT).unwrap();
    assert_eq!(next(), "[server] stopped");
    // Then the end of its output: the process has exited.
    assert_eq!(
        lines.recv_timeout(Duration::from_secs(10)),
        Err(crossbeam_channel::RecvTimeoutError::Disconnected),
        "nothing after 'stopped', and an exit"
    );
    let status = serving.0.wait().unwrap();
    assert_eq!(status.code(), Some(0), "{status:?}");
}
