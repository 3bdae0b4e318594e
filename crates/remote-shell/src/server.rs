//! The server: accept connections, give each its own thread, stop cleanly.
//!
//! The course's server serves one client at a time (`accept`, then a loop
//! until that client leaves): a second client waits in the backlog. Here
//! every connection gets a thread, so a slow, stuck or hostile client only
//! ever occupies its own thread.
//!
//! Stopping (Ctrl-C = SIGINT, or SIGTERM) must not leave commands running
//! in the background. The accept loop `poll`s the listening socket with a
//! 50 ms timeout and looks at the stop flag between polls. On stop it shuts
//! down every open connection (which wakes threads blocked in `read`),
//! tells every running command's keeper to kill it and all it started,
//! and waits for the connection threads, which reap the keepers.
//!
//! At most `MAX_CLIENTS` connections are served at once, so a connection
//! that just sits there is not harmless: 128 idle ones would lock everyone
//! else out. Each connection therefore gets a read timeout (`SO_RCVTIMEO`,
//! `--idle-timeout`, default 300 s) while it waits for its next command;
//! when it expires the server logs it and closes the connection.

use crate::exec::{Running, TICK};
use crate::security::{check_bind, MAX_CLIENTS};
use crate::session::Session;
use crate::{course_proto, framed_proto, Protocol};
use demo_kit::say::say;
use demo_kit::{tr, Context, Result, Side};
use nix::poll::{poll, PollFd, PollFlags};
use std::collections::HashMap;
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::os::fd::AsFd;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Everything `server` is told on the command line.
#[derive(Clone, Debug)]
pub struct Config {
    pub addr: SocketAddr,
    pub protocol: Protocol,
    /// Per-command timeout.
    pub timeout: Duration,
    /// How long a write to a client may block (a client that never reads).
    pub write_timeout: Duration,
    /// How long a connection may stay silent between commands (and, in
    /// framed mode, after its hello) before we close it.
    pub idle_timeout: Duration,
    /// How long a new framed connection may take to say hello.
    pub hello_timeout: Duration,
    pub allow_remote: bool,
    pub token: Option<Vec<u8>>,
}

/// State shared by the accept loop and the connection threads.
#[derive(Default)]
struct Shared {
    running: Running,
    /// A second handle on every open connection, to shut it down on stop.
    conns: Mutex<HashMap<u64, TcpStream>>,
    active: AtomicUsize,
}

/// A bound, listening server.
pub struct Server {
    listener: TcpListener,
    config: Config,
    shared: Arc<Shared>,
}

/// What happened while the server ran.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Summary {
    pub connections: u64,
}

/// Check the security rules, then `socket` + `bind` + `listen`.
pub fn bind(config: Config) -> Result<Server> {
    check_bind(
        config.addr,
        config.protocol,
        config.allow_remote,
        config.token.as_deref(),
    )?;
    let listener = TcpListener::bind(config.addr)
        .map_err(|e| demo_kit::fail::bind_error(&config.addr.to_string(), &e))?;
    Ok(Server {
        listener,
        config,
        shared: Arc::default(),
    })
}

impl Server {
    /// The address the kernel actually bound (the real port when asked for 0).
    pub fn local_addr(&self) -> Result<SocketAddr> {
        self.listener
            .local_addr()
            .context(tr!("reading the bound address", "读取绑定到的地址"))
    }

    /// Accept and serve until `stop` is set, then stop everything.
    pub fn run(self, stop: Arc<AtomicBool>) -> Result<Summary> {
        let mut summary = Summary::default();
        let mut next_id = 0u64;
        while !stop.load(Ordering::SeqCst) {
            if !self.wait_for_client()? {
                continue;
            }
            let (stream, peer) = match self.listener.accept() {
                Ok(x) => x,
                Err(e) => {
                    say(Side::Server, tr!("accept failed: {e}", "accept 失败：{e}"));
                    continue;
                }
            };
            summary.connections += 1;
            next_id += 1;
            self.start_connection(stream, peer, next_id, &stop);
        }
        self.stop_everything();
        Ok(summary)
    }

    /// `poll` the listening socket for up to one tick: is a client waiting?
    fn wait_for_client(&self) -> Result<bool> {
        let mut fds = [PollFd::new(self.listener.as_fd(), PollFlags::POLLIN)];
        match poll(&mut fds, TICK.as_millis() as u16) {
            Ok(n) => Ok(n > 0),
            Err(nix::errno::Errno::EINTR) => Ok(false),
            Err(e) => Err(e).context(tr!("polling the listening socket", "poll 监听套接字")),
        }
    }

    fn start_connection(
        &self,
        stream: TcpStream,
        peer: SocketAddr,
        id: u64,
        stop: &Arc<AtomicBool>,
    ) {
        if self.shared.active.load(Ordering::SeqCst) >= MAX_CLIENTS {
            say(
                Side::Server,
                tr!(
                    "{peer}: refused, already {MAX_CLIENTS} clients",
                    "{peer}：拒绝，已经有 {MAX_CLIENTS} 个客户端了"
                ),
            );
            refuse_busy(stream, self.config.protocol);
            return; // dropping the stream closes it
        }
        say(Side::Server, tr!("{peer}: connected", "{peer}：已连接"));
        if let Err(e) = prepare(&stream, self.config.write_timeout) {
            say(
                Side::Server,
                tr!(
                    "{peer}: cannot set up the socket: {e}",
                    "{peer}：无法设置套接字：{e}"
                ),
            );
            return;
        }
        if let (Ok(clone), Ok(mut conns)) = (stream.try_clone(), self.shared.conns.lock()) {
            conns.insert(id, clone);
        }
        self.shared.active.fetch_add(1, Ordering::SeqCst);
        let shared = Arc::clone(&self.shared);
        let stop = Arc::clone(stop);
        let config = self.config.clone();
        let spawned = std::thread::Builder::new()
            .name(format!("conn-{id}"))
            .spawn(move || {
                let mut stream = stream;
                let session = Session {
                    peer,
                    timeout: config.timeout,
                    idle_timeout: config.idle_timeout,
                    hello_timeout: config.hello_timeout,
                    stop: &stop,
                    running: &shared.running,
                    token: config.token.as_deref(),
                    keeper: Default::default(),
                };
                match config.protocol {
                    Protocol::Course => course_proto::serve(&mut stream, &session),
                    Protocol::Framed => framed_proto::serve(&mut stream, &session),
                }
                drop(session); // closes the keeper's socket and reaps the keeper
                if let Ok(mut conns) = shared.conns.lock() {
                    conns.remove(&id);
                }
                shared.active.fetch_sub(1, Ordering::SeqCst);
            });
        if let Err(e) = spawned {
            say(
                Side::Server,
                tr!(
                    "{peer}: cannot start a thread: {e}",
                    "{peer}：无法启动线程：{e}"
                ),
            );
            self.shared.active.fetch_sub(1, Ordering::SeqCst);
        }
    }

    /// Shut down connections, kill running commands, wait for the threads
    /// (they reap their children).
    fn stop_everything(&self) {
        say(
            Side::Server,
            tr!("stopping: no more accepts", "正在停止：不再 accept 新连接"),
        );
        if let Ok(conns) = self.shared.conns.lock() {
            for conn in conns.values() {
                let _ = conn.shutdown(Shutdown::Both);
            }
        }
        if let Some(line) = told(self.shared.running.stop_all()) {
            say(Side::Server, line);
        }
        let done = demo_kit::wait::until(Duration::from_millis(900), || {
            (self.shared.active.load(Ordering::SeqCst) == 0).then_some(())
        });
        if done.is_some() {
            say(
                Side::Server,
                tr!(
                    "stopped: every connection closed, every command reaped",
                    "已停止：所有连接都已关闭，所有命令都已回收"
                ),
            );
        } else {
            // A thread is stuck (e.g. in a write); reap its keeper ourselves
            // (it has been told to stop, and exits once all below it is gone).
            let left = self.shared.running.snapshot();
            for &keeper in &left {
                let _ = nix::sys::wait::waitpid(nix::unistd::Pid::from_raw(keeper), None);
            }
            say(
                Side::Server,
                tr!(
                    "stopped: a connection thread did not finish in time; reaped {} keeper(s) directly",
                    "已停止：有个连接线程没能按时结束；直接回收了 {} 个看守进程",
                    left.len()
                ),
            );
        }
    }
}

/// The stop's line about the commands still running when it came: their
/// keepers were told to kill them. None running (each connection's thread,
/// which sees the stop flag too, may have stopped its own first): no line.
fn told(keepers: usize) -> Option<String> {
    (keepers > 0).then(|| {
        tr!(
            "told {keepers} keeper(s) to kill their running command and all it started",
            "已通知 {keepers} 个看守进程：杀掉正在运行的命令，以及它启动的一切"
        )
    })
}

/// Tell a client over the limit why it is closed, instead of a silent
/// close that looks like a crash. The socket is made non-blocking first:
/// the accept loop must never wait for one client.
fn refuse_busy(stream: TcpStream, protocol: Protocol) {
    let why = format!("server busy: already {MAX_CLIENTS} clients connected; try again later");
    if stream.set_nonblocking(true).is_err() {
        return;
    }
    let mut stream = stream;
    let _ = match protocol {
        Protocol::Framed => framed_proto::send(&mut stream, framed_proto::ERROR, why.as_bytes()),
        // The course's client reads this as the reply to its first command.
        Protocol::Course => {
            course_proto::send_error(&mut stream, &format!("remote-shell: {why}\n"))
        }
    };
}

/// Blocking socket with a write timeout, so a client that never reads
/// cannot hold a thread (and a command) forever.
fn prepare(stream: &TcpStream, write_timeout: Duration) -> std::io::Result<()> {
    stream.set_nonblocking(false)?;
    stream.set_write_timeout(Some(write_timeout))?;
    stream.set_nodelay(true)
}

#[cfg(test)]
mod tests;
